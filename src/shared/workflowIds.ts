// Every workflow ID the connector starts, one function per kind. Running workflows and past
// histories carry these IDs, and operators look workflows up by them: never change a format.

/** `20261126T150000.123Z`: an instant, sortable, without the characters `-` and `:`. */
function compact(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '');
}

/** `integration-<id>`: one long-lived workflow per integration. */
export function integrationWorkflowId(integrationId: string): string {
  return `integration-${integrationId}`;
}

/** A one-shot sync, e.g. `sync-gl-journal-lines-20261126T150000.123Z`. */
export function syncWorkflowId(integrationId: string, at: Date): string {
  return `sync-${integrationId}-${compact(at)}`;
}

/** A forced resync or backfill, a child of the integration workflow: `resync-<id>-<time>`. */
export function resyncWorkflowId(integrationId: string, at: Date): string {
  return `resync-${integrationId}-${compact(at)}`;
}

/** `ml-connector replay`: `replay-<id>-<time>`. */
export function replayWorkflowId(integrationId: string, at: Date): string {
  return `replay-${integrationId}-${compact(at)}`;
}

/**
 * `ml-connector retry`: `retry-<runKey>` with every `/` made `-`. One ID per failed run, so two
 * retries of the same run cannot deliver at once.
 */
export function retryWorkflowId(runKey: string): string {
  return `retry-${runKey.replace(/\//g, '-')}`;
}
