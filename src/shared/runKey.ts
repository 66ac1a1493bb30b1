// The ledger's run key names the Temporal workflow run that owns a ledger run:
// `<workflowId>/<runId>` for a sync, `<workflowId>/<runId>/w<n>` for window n of a resync.
// Built in workflow code (keep it pure) and read back by the activities.

/** The workflow run a run key names, and the resync window, if any. */
export interface RunKeyParts {
  workflowId: string;
  runId: string;
  window?: number;
}

/** A sync's run key, or (with `window`) the key of one resync window. */
export function buildRunKey(workflowId: string, runId: string, window?: number): string {
  return window === undefined ? `${workflowId}/${runId}` : `${workflowId}/${runId}/w${window}`;
}

// A workflow ID is any string Temporal accepts: slashes and line breaks included (checked against
// the server), so the ID is everything before the last `/<run ID>`. Run IDs are always UUIDs, which
// makes the split unambiguous. `s`: a line break in a workflow ID must not hide its owner.
const RUN_KEY = /^(.+)\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/w(\d+))?$/is;

/** The parts of a run key; null when it names no workflow run (nothing is released on a guess). */
export function parseRunKey(runKey: string): RunKeyParts | null {
  const m = RUN_KEY.exec(runKey);
  if (!m) return null;
  const parts: RunKeyParts = { workflowId: m[1]!, runId: m[2]! };
  if (m[3] !== undefined) parts.window = Number(m[3]);
  return parts;
}
