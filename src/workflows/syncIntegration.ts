import type { Duration } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, patched, workflowInfo } from '@temporalio/workflow';
import type {
  AcknowledgementPoll,
  CommittedRun,
  DeliveredFile,
  DeliveredRun,
  DestinationOutcome,
  DestinationRetry,
  IntegrationSettings,
  PendingDestinationDelivery,
  RetryDeliveryInput,
  SyncIntegrationInput,
  SyncResult,
} from '../shared';
import { buildRunKey } from '../shared/runKey';
import type { RunStage } from '../shared/stages';
import { windowEnd } from '../shared/window';
import {
  alertActivities,
  localQuickActivities,
  longActivities,
  quickActivities,
  uploadActivities,
} from './activityOptions';

// One sync of one integration: deliver what an earlier run left pending, then token → stage the
// window's changes → render → upload → commit, then (with `destinations`) the committed files to
// each further destination that lacks them, each on its own. Only references and counts pass through here;
// every step is idempotent, keyed by the run. A failure is recorded in Postgres and rethrown,
// one before the run was opened (the token) too: the run is then recorded failed, with its window.

/** Patch ID: histories from before the release step replay without it. */
export const RELEASE_ABANDONED_RUNS = 'release-abandoned-runs';
/**
 * Patch ID: the short calls (settings, the abandoned-run and pending-file checks, the token, a
 * failure's record) run as local activities. Histories from before it replay with them as
 * activities.
 */
export const LOCAL_QUICK_STEPS = 'local-quick-steps';

/**
 * Patch ID of the further-destination steps. Only an integration with `destinations` takes them
 * (its settings name some): one with `sftp` alone runs the same commands as before.
 */
export const SEVERAL_DESTINATIONS = 'several-destinations';

/** Patch ID: the acknowledgement poll after commit, only for integrations that configure one. */
export const X12_ACKNOWLEDGEMENTS = 'x12-acknowledgements';

/**
 * Reads the partner's 997/999 files after the commit. The sync's outcome does not depend on it:
 * a failing poll (the activity alerts and logs) is left for the next sync to try again.
 */
async function collectAcknowledgements(
  s: Steps,
  integrationId: string,
): Promise<AcknowledgementPoll | undefined> {
  if (!s.settings.acknowledgements || !patched(X12_ACKNOWLEDGEMENTS)) return undefined;
  try {
    return await s.long.collectAcknowledgements({ integrationId });
  } catch {
    return undefined;
  }
}

/** `SftpAuth: authentication failed …`: the failure's type and message, never its details. */
export function describeFailure(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return `${cause.type ?? 'Error'}: ${cause.message}`;
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}

export interface Steps {
  quick: ReturnType<typeof quickActivities>;
  long: ReturnType<typeof longActivities>;
  upload: ReturnType<typeof uploadActivities>;
  settings: IntegrationSettings;
  /** The upload activities of a further destination, retried for its own retry window. */
  uploadTo(destinationId: string): ReturnType<typeof uploadActivities>;
}

export async function steps(integrationId: string, heartbeatTimeout: Duration): Promise<Steps> {
  const quick = patched(LOCAL_QUICK_STEPS) ? localQuickActivities() : quickActivities();
  const settings = await quick.integrationSettings({ integrationId });
  return {
    settings,
    quick,
    long: longActivities(heartbeatTimeout),
    upload: uploadActivities(heartbeatTimeout, settings.uploadRetryWindowSeconds),
    uploadTo: (destinationId) =>
      uploadActivities(
        heartbeatTimeout,
        settings.destinations?.find((d) => d.id === destinationId)?.uploadRetryWindowSeconds ??
          settings.uploadRetryWindowSeconds,
      ),
  };
}

/** Whether this workflow delivers to further destinations: configured, and not an older history. */
export function deliversFurther(s: Steps): boolean {
  return Boolean(s.settings.destinations?.length) && patched(SEVERAL_DESTINATIONS);
}

/**
 * Delivers the files further destinations are owed (their runs committed), oldest first, each
 * destination on its own: one that fails is recorded and alerted for itself, its later files wait
 * so it gets them in order, and the others go on. `blocked` holds the destinations that failed
 * earlier in this workflow, with the file that failed. Never throws: the primary's delivery is committed whatever happens here.
 */
export async function deliverToDestinations(
  s: Steps,
  integrationId: string,
  blocked: Map<string, string>,
  runKey?: string,
): Promise<DestinationOutcome[]> {
  const alert = (title: string, fields: Record<string, string>, run?: string) =>
    alertActivities().sendAlert({
      severity: 'error',
      integrationId,
      title,
      text:
        'The run is committed and the other destinations have their files. This destination gets its ' +
        'files, in order, at the next sync, or now with `ml-connector retry`; none is sent twice.',
      fields,
      ...(run ? { runKey: run } : {}),
      workflowId: workflowInfo().workflowId,
    });
  let pending: PendingDestinationDelivery[];
  try {
    pending = await s.quick.pendingDestinationDeliveries({ integrationId, ...(runKey ? { runKey } : {}) });
  } catch (err) {
    await alert(`ml-connector: ${integrationId} further destinations not delivered`, {
      reason: describeFailure(err),
    });
    return [];
  }
  const outcomes: DestinationOutcome[] = [];
  for (const { fileId, destinationId, runKey: run } of pending) {
    const failed = blocked.get(destinationId);
    if (failed !== undefined) {
      // Its failure is reported once; a later file waits behind it.
      if (failed !== fileId)
        outcomes.push({ fileId, destinationId, delivered: false, error: 'waiting: an earlier file failed' });
      continue;
    }
    try {
      outcomes.push(
        await s.uploadTo(destinationId).uploadToDestination({ integrationId, fileId, destinationId }),
      );
    } catch (err) {
      blocked.set(destinationId, fileId);
      const reason = describeFailure(err);
      outcomes.push({ fileId, destinationId, delivered: false, error: reason });
      await alert(
        `ml-connector: ${integrationId} delivery to ${destinationId} failed`,
        { destination: destinationId, reason, run },
        run,
      );
    }
  }
  return outcomes;
}

/** Upload and commit a rendered file; on failure record why (the file stays staged) and rethrow. */
export async function deliverAndCommit(
  s: Steps,
  integrationId: string,
  runKey: string,
  fileId: string,
): Promise<DeliveredRun> {
  let stage: RunStage = 'upload';
  try {
    const file = await s.upload.uploadFile({ integrationId, fileId });
    stage = 'commit';
    const committed = await s.long.commitRun({ runKey });
    return { file, ...committed };
  } catch (err) {
    await reportFailure(s, integrationId, runKey, stage, err);
    throw err;
  }
}

/** Records the failure in Postgres and alerts; the caller rethrows so the run shows as failed. */
export async function reportFailure(
  s: Steps,
  integrationId: string,
  runKey: string,
  stage: RunStage,
  err: unknown,
  /** A live sync that may have failed before opening its run: the window end it would have read. */
  windowTo?: string,
) {
  const reason = describeFailure(err);
  const outcome = await s.quick.recordRunFailure({
    runKey,
    stage,
    reason,
    // Only an input change: the activity is the same, so recorded histories replay unchanged.
    ...(windowTo ? { beforeOpen: { integrationId, windowTo } } : {}),
  });
  await alertActivities().sendAlert({
    severity: 'error',
    integrationId,
    title: `ml-connector: ${integrationId} failed at ${stage}`,
    text:
      outcome === 'kept-for-retry'
        ? 'The file is staged and will be delivered by the next sync, or now with `ml-connector retry`.'
        : 'Nothing was sent; the next sync reads the same window again.',
    fields: { stage, reason, run: runKey },
    runKey,
    workflowId: workflowInfo().workflowId,
  });
}

export async function syncIntegration(input: SyncIntegrationInput): Promise<SyncResult> {
  const { integrationId } = input;
  const s = await steps(integrationId, (input.heartbeatTimeout ?? '60s') as Duration);
  const info = workflowInfo();
  const runKey = buildRunKey(info.workflowId, info.runId);
  // The window's end is frozen now (workflow time is replay-safe), whole seconds like Fusion's stamps.
  const windowTo = windowEnd(Date.now());

  // A run whose workflow ended without closing it (terminated, timed out) would block this one.
  if (patched(RELEASE_ABANDONED_RUNS)) await s.quick.releaseAbandonedRun({ integrationId });
  // Further destinations first get what earlier runs owe them (a destination that was down).
  const further = deliversFurther(s);
  const blocked = new Map<string, string>();
  const destinations: DestinationOutcome[] = further
    ? await deliverToDestinations(s, integrationId, blocked)
    : [];
  // A file an earlier run could not deliver goes first, so files arrive in order.
  const pending = await s.quick.findResumableRun({ integrationId });
  const resumed = pending
    ? (await deliverAndCommit(s, integrationId, pending.runKey, pending.fileId)).file
    : null;

  let stage: RunStage = 'token';
  try {
    await s.quick.refreshFusionToken({ integrationId });
    stage = 'extract';
    const staged = await s.long.stageChanges({ integrationId, runKey, windowTo });
    let file: DeliveredFile | null = null;
    let committed: CommittedRun;
    stage = 'render';
    const rendered = staged.staged > 0 ? await s.long.renderFile({ integrationId, runKey }) : null;
    if (rendered && rendered.recordCount > 0) {
      stage = 'upload';
      ({ file, ...committed } = await deliverAndCommit(s, integrationId, runKey, rendered.fileId));
    } else {
      stage = 'commit';
      committed = await s.long.commitRun({ runKey });
    }
    // Committed: the files of this run (and a resumed one) go to the further destinations now.
    if (further) destinations.push(...(await deliverToDestinations(s, integrationId, blocked)));
    const acknowledgements = await collectAcknowledgements(s, integrationId);
    return {
      runKey,
      integrationId,
      windowFrom: staged.windowFrom,
      windowTo: staged.windowTo,
      extracted: staged.extracted,
      sent: committed.sent,
      alreadySent: staged.alreadySent,
      quarantined: staged.quarantined + staged.staged - (rendered?.recordCount ?? 0),
      file,
      resumed,
      watermark: committed.watermark,
      ...(further ? { destinations } : {}),
      ...(acknowledgements ? { acknowledgements } : {}),
    };
  } catch (err) {
    // deliverAndCommit records its own failures; everything before it is recorded here.
    // A failure before stageChanges opened the run (the token) records the run, failed.
    if (stage !== 'upload') await reportFailure(s, integrationId, runKey, stage, err, windowTo);
    throw err;
  }
}

/**
 * Delivers the staged file of a failed run on demand (`ml-connector retry <runKey>`), and its
 * file to every further destination that lacks it; for a committed run, only the latter.
 */
export async function retryDelivery(input: RetryDeliveryInput): Promise<DeliveredRun | DestinationRetry> {
  const s = await steps(input.integrationId, (input.heartbeatTimeout ?? '60s') as Duration);
  const pending = await s.quick.findResumableRun({
    integrationId: input.integrationId,
    runKey: input.runKey,
  });
  if (!pending) {
    if (deliversFurther(s)) {
      const destinations = await deliverToDestinations(s, input.integrationId, new Map(), input.runKey);
      const failed = destinations.filter((d) => !d.delivered);
      if (failed.length) {
        throw ApplicationFailure.nonRetryable(
          `Run ${input.runKey}: not delivered to ${failed.map((d) => `${d.destinationId} (${d.error})`).join(', ')}`,
          'DestinationDeliveryFailed',
        );
      }
      if (destinations.length) return { runKey: input.runKey, destinations };
    }
    throw ApplicationFailure.nonRetryable(
      `Run ${input.runKey} has no failed delivery to retry`,
      'NothingToRetry',
    );
  }
  const delivered = await deliverAndCommit(s, input.integrationId, pending.runKey, pending.fileId);
  if (!deliversFurther(s)) return delivered;
  return {
    ...delivered,
    destinations: await deliverToDestinations(s, input.integrationId, new Map(), pending.runKey),
  };
}
