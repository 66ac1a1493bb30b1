import { heartbeat, log } from '@temporalio/activity';
import type { CommittedRun } from '../shared';
import type { ActivityDeps } from './deps';
import { typedFailures } from './failures';

// The last step of a run: the delivered records into the ledger and the watermark moved.

/**
 * Heartbeats while one long call (a single SQL statement) runs, so a dead worker is noticed
 * after the heartbeat timeout rather than after the whole start-to-close timeout.
 */
async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  heartbeat();
  const timer = setInterval(() => heartbeat(), 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

export function createCommitActivities(deps: ActivityDeps) {
  const { ledger } = deps;
  return {
    /** Records every delivered record in the ledger and moves the watermark, in one transaction. */
    async commitRun(input: { runKey: string }): Promise<CommittedRun> {
      return typedFailures(async () => {
        await deps.failpoint?.('before-commit');
        const committed = await whileHeartbeating(() =>
          ledger.commitRun(input.runKey, { beforeCommit: () => deps.failpoint?.('in-commit') }),
        );
        const run = await ledger.getRun(input.runKey);
        if (run?.kind === 'sync') {
          deps.metrics?.watermarkMoved(run.integrationId, committed.watermark);
          deps.metrics?.syncFinished(run.integrationId, (Date.now() - Date.parse(run.startedAt)) / 1000);
        }
        log.info('Run committed', { integrationId: run?.integrationId, runKey: input.runKey, ...committed });
        return committed;
      });
    },
  };
}
