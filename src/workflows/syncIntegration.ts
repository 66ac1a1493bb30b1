import type { Duration } from '@temporalio/common';
import { proxyActivities, type RetryPolicy, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DeliveredFile, SyncIntegrationInput, SyncResult } from '../shared';

// One sync of one integration: token → stage the window's changes → render → upload → commit.
// Only references and counts pass through here; every step is idempotent, keyed by the run.

const NON_RETRYABLE = [
  'ConfigError',
  'RunInProgressError',
  'FusionAuth',
  'FusionForbidden',
  'FusionBadRequest',
  'FusionNotFound',
  'SftpAuth',
  'SftpHostKey',
  'SftpPermission',
  'SftpNoSuchPath',
  'SftpConflict',
];

function activities(heartbeatTimeout: Duration) {
  const retry: RetryPolicy = {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '2m',
    nonRetryableErrorTypes: NON_RETRYABLE,
  };
  const quick = proxyActivities<Activities>({
    startToCloseTimeout: '2m',
    retry: { ...retry, maximumAttempts: 10 },
  });
  const long = proxyActivities<Activities>({
    startToCloseTimeout: '2h',
    heartbeatTimeout,
    retry: { ...retry, maximumAttempts: 20 },
  });
  // Upload retries for 30 minutes (exponential backoff) before the run fails and is reported.
  const upload = proxyActivities<Activities>({
    startToCloseTimeout: '1h',
    scheduleToCloseTimeout: '30m',
    heartbeatTimeout,
    retry,
  });
  return {
    refreshFusionToken: quick.refreshFusionToken,
    stageChanges: long.stageChanges,
    renderFile: long.renderFile,
    uploadFile: upload.uploadFile,
    commitRun: long.commitRun,
  };
}

export async function syncIntegration(input: SyncIntegrationInput): Promise<SyncResult> {
  const { integrationId } = input;
  const act = activities((input.heartbeatTimeout ?? '60s') as Duration);
  const info = workflowInfo();
  const runKey = `${info.workflowId}/${info.runId}`;
  // The window's end is frozen now (workflow time is replay-safe), whole seconds like Fusion's stamps.
  const windowTo = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();

  await act.refreshFusionToken({ integrationId });
  const staged = await act.stageChanges({ integrationId, runKey, windowTo });
  let file: DeliveredFile | null = null;
  if (staged.staged > 0) {
    const rendered = await act.renderFile({ integrationId, runKey });
    if (rendered.recordCount > 0) file = await act.uploadFile({ integrationId, fileId: rendered.fileId });
  }
  const committed = await act.commitRun({ runKey });
  return {
    runKey,
    integrationId,
    windowFrom: staged.windowFrom,
    windowTo: staged.windowTo,
    extracted: staged.extracted,
    sent: committed.sent,
    alreadySent: staged.alreadySent,
    quarantined: staged.quarantined + (file ? staged.staged - file.recordCount : 0),
    file,
    watermark: committed.watermark,
  };
}
