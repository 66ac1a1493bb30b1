import { activityInfo, log } from '@temporalio/activity';
import type { FailureOutcome, PendingDestinationDelivery } from '../shared';
import { parseRunKey } from '../shared/runKey';
import type { RunStage } from '../shared/stages';
import type { ActivityDeps } from './deps';
import { typedFailures } from './failures';

// The ledger's runs as the workflows see them: the watermark, what was delivered lately, the run
// left open or pending by an earlier workflow, and a run's failure recorded.

export function createRunActivities(deps: ActivityDeps) {
  const { ledger } = deps;
  return {
    async filesCommittedSince(input: { integrationId: string; since: string }): Promise<number> {
      return typedFailures(() => ledger.filesCommittedSince(input.integrationId, input.since));
    },

    async currentWatermark(input: { integrationId: string }): Promise<string | null> {
      return typedFailures(() => ledger.watermark(input.integrationId));
    },

    /**
     * An open run whose workflow ended without closing it (terminated, timed out, reset) would
     * block every later run. It is closed as failed the way a failing run closes itself: before
     * a file exists nothing was sent and the window is read again; once a file exists it stays
     * for the next sync to deliver first (findResumableRun).
     */
    async releaseAbandonedRun(input: {
      integrationId: string;
    }): Promise<{ runKey: string; outcome: FailureOutcome } | null> {
      return typedFailures(async () => {
        const open = await ledger.openRunOf(input.integrationId);
        if (!open) return null;
        const owner = parseRunKey(open.runKey);
        const me = activityInfo().workflowExecution;
        if (!owner || (owner.workflowId === me?.workflowId && owner.runId === me?.runId)) return null;
        if (await deps.workflowRunIsOpen(owner.workflowId, owner.runId)) return null; // really in progress
        const stage: RunStage =
          open.status === 'staging' ? 'extract' : open.status === 'staged' ? 'render' : 'upload';
        const reason = `abandoned: workflow ${owner.workflowId} (run ${owner.runId}) ended without finishing this run`;
        const outcome = await ledger.recordRunFailure(open.runKey, stage, reason);
        log.warn('Abandoned run released', { runKey: open.runKey, status: open.status, outcome });
        return { runKey: open.runKey, outcome };
      });
    },

    /** A file an earlier run rendered but could not deliver: the next sync delivers it first. */
    async findResumableRun(input: {
      integrationId: string;
      runKey?: string;
    }): Promise<{ runKey: string; fileId: string } | null> {
      return typedFailures(() => ledger.findResumableRun(input.integrationId, input.runKey));
    },

    /**
     * Files whose run committed and that a further destination still lacks, oldest first (each
     * destination gets its files in order). Destinations no longer configured are left out.
     */
    async pendingDestinationDeliveries(input: {
      integrationId: string;
      runKey?: string;
    }): Promise<PendingDestinationDelivery[]> {
      return typedFailures(async () => {
        const configured = new Set(deps.integration(input.integrationId).destinations.map((d) => d.id));
        const pending = await ledger.pendingDestinationDeliveries(input.integrationId, input.runKey);
        return pending.filter((p) => configured.has(p.destinationId));
      });
    },

    /**
     * Records a run's failure in Postgres: what failed, why, and whether its file waits for a retry.
     * A live sync that failed before its run was opened (the token: a wrong client secret) sends
     * its integration and window end, and the run is recorded failed with them.
     */
    async recordRunFailure(input: {
      runKey: string;
      stage: RunStage;
      reason: string;
      beforeOpen?: { integrationId: string; windowTo: string };
    }): Promise<FailureOutcome> {
      return typedFailures(async () => {
        const { beforeOpen } = input;
        const unopened = beforeOpen && !(await ledger.getRun(input.runKey));
        let outcome: FailureOutcome;
        if (unopened) {
          const { config } = deps.integration(beforeOpen.integrationId);
          outcome = await ledger.recordFailedStart({
            runKey: input.runKey,
            integrationId: beforeOpen.integrationId,
            entity: config.entity,
            windowTo: beforeOpen.windowTo,
            initialWatermark: config.fusion.initialWatermark,
            overlapSeconds: config.fusion.overlapSeconds,
            stage: input.stage,
            reason: input.reason,
          });
        } else {
          outcome = await ledger.recordRunFailure(input.runKey, input.stage, input.reason);
        }
        const run = await ledger.getRun(input.runKey);
        if (run) deps.metrics?.failure(run.integrationId, input.stage);
        log.error('Run failed', { ...input, outcome });
        return outcome;
      });
    },
  };
}
