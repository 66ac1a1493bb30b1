import type { Duration } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, patched, workflowInfo } from '@temporalio/workflow';
import type {
  AcknowledgementPoll,
  CommittedRun,
  DeliveredFile,
  DeliveredRun,
  IntegrationSettings,
  RetryDeliveryInput,
  SyncIntegrationInput,
  SyncResult,
} from '../shared';
import { buildRunKey } from '../shared/runKey';
import type { RunStage } from '../shared/stages';
import { windowEnd } from '../shared/window';
import { alertActivities, longActivities, quickActivities, uploadActivities } from './activityOptions';

// One sync of one integration: deliver what an earlier run left pending, then token → stage the
// window's changes → render → upload → commit. Only references and counts pass through here;
// every step is idempotent, keyed by the run. A failure is recorded in Postgres and rethrown,
// one before the run was opened (the token) too: the run is then recorded failed, with its window.

/** Patch ID: histories from before the release step replay without it. */
export const RELEASE_ABANDONED_RUNS = 'release-abandoned-runs';
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
}

export async function steps(integrationId: string, heartbeatTimeout: Duration): Promise<Steps> {
  const quick = quickActivities();
  const settings = await quick.integrationSettings({ integrationId });
  return {
    settings,
    quick,
    long: longActivities(heartbeatTimeout),
    upload: uploadActivities(heartbeatTimeout, settings.uploadRetryWindowSeconds),
  };
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
      ...(acknowledgements ? { acknowledgements } : {}),
    };
  } catch (err) {
    // deliverAndCommit records its own failures; everything before it is recorded here.
    // A failure before stageChanges opened the run (the token) records the run, failed.
    if (stage !== 'upload') await reportFailure(s, integrationId, runKey, stage, err, windowTo);
    throw err;
  }
}

/** Delivers the staged file of a failed run on demand (`ml-connector retry <runKey>`). */
export async function retryDelivery(input: RetryDeliveryInput): Promise<DeliveredRun> {
  const s = await steps(input.integrationId, (input.heartbeatTimeout ?? '60s') as Duration);
  const pending = await s.quick.findResumableRun({
    integrationId: input.integrationId,
    runKey: input.runKey,
  });
  if (!pending) {
    throw ApplicationFailure.nonRetryable(
      `Run ${input.runKey} has no failed delivery to retry`,
      'NothingToRetry',
    );
  }
  return deliverAndCommit(s, input.integrationId, pending.runKey, pending.fileId);
}
