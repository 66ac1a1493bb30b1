import type { Duration } from '@temporalio/common';
import { getExternalWorkflowHandle, patched, workflowInfo } from '@temporalio/workflow';
import {
  type ResyncInput,
  type ResyncProgress,
  type ResyncResult,
  resyncProgressSignal,
  resyncWindows,
} from '../shared/integrationWorkflow';
import { buildRunKey } from '../shared/runKey';
import type { RunStage } from '../shared/stages';
import { windowEnd } from '../shared/window';
import {
  deliverAndCommit,
  deliversFurther,
  deliverToDestinations,
  describeFailure,
  RELEASE_ABANDONED_RUNS,
  reportFailure,
  steps,
} from './syncIntegration';

// A forced resync or a backfill: the records of a window (or given records) sent again, whether
// sent before or not, window after window, each a resend run recorded as such. The live
// watermark does not move. Progress goes to the parent integration workflow, if any: once at the
// start (how many windows) and after each window.

/** Patch ID: histories from before the start report replay without it. */
export const RESYNC_REPORTS_START = 'resync-reports-start';

export async function resyncIntegration(input: ResyncInput): Promise<ResyncResult> {
  const { integrationId, request } = input;
  const s = await steps(integrationId, (input.heartbeatTimeout ?? '60s') as Duration);
  const info = workflowInfo();
  const now = windowEnd(Date.now());
  const windows = resyncWindows(request, s.settings.initialWatermark, now);
  const result: ResyncResult = { windows: windows.length, sent: 0, quarantined: 0, files: [] };
  const report = async (windowsDone: number, done: boolean, error?: string) => {
    if (!input.parentWorkflowId) return;
    const progress: ResyncProgress = {
      workflowId: info.workflowId,
      windowsDone,
      windowsTotal: windows.length,
      sent: result.sent,
      quarantined: result.quarantined,
      done,
      ...(error ? { error } : {}),
    };
    await getExternalWorkflowHandle(input.parentWorkflowId).signal(resyncProgressSignal, progress);
  };

  let done = 0;
  // Further destinations get each window's file after its commit, with anything owed before it.
  const further = deliversFurther(s);
  const blocked = new Map<string, string>();
  try {
    // The total is known before the first window: a one-window resync (`--all`) shows 0/1, not 0/0.
    if (patched(RESYNC_REPORTS_START)) await report(0, false);
    for (const window of windows) {
      const runKey = buildRunKey(info.workflowId, info.runId, done);
      let stage: RunStage = 'extract';
      try {
        if (patched(RELEASE_ABANDONED_RUNS)) await s.quick.releaseAbandonedRun({ integrationId });
        const staged = await s.long.stageResend({
          integrationId,
          runKey,
          window,
          recordIds: request.mode === 'records' ? request.recordIds : undefined,
          reason: request.reason,
          // An input field only (same activity): recorded histories replay unchanged.
          ...(request.mode === 'records' && request.release ? { release: true } : {}),
        });
        stage = 'render';
        const rendered = staged.staged > 0 ? await s.long.renderFile({ integrationId, runKey }) : null;
        result.quarantined += staged.quarantined + staged.staged - (rendered?.recordCount ?? 0);
        if (rendered && rendered.recordCount > 0) {
          stage = 'upload';
          const delivered = await deliverAndCommit(s, integrationId, runKey, rendered.fileId);
          result.sent += delivered.sent;
          result.files.push(delivered.file.fileName);
          if (further) await deliverToDestinations(s, integrationId, blocked);
        } else {
          stage = 'commit';
          await s.long.commitRun({ runKey });
        }
      } catch (err) {
        if (stage !== 'upload') await reportFailure(s, integrationId, runKey, stage, err);
        throw err;
      }
      done++;
      await report(done, done === windows.length);
    }
  } catch (err) {
    await report(done, true, describeFailure(err));
    throw err;
  }
  return result;
}
