import { setTimeout as sleep } from 'node:timers/promises';
import type { RuntimeEnv } from '../config';
import { Ledger } from '../ledger';
import type { SyncResult } from '../shared';
import { buildRunKey } from '../shared/runKey';
import { retryWorkflowId, syncWorkflowId } from '../shared/workflowIds';
import { retryDelivery, syncIntegration } from '../workflows';
import { hasWorker, requireWorker, temporalClient, whileWorkerPolls } from './connect';
import { aboutWorkflow } from './failure';
import { bar, describeProgress, type LiveLine, liveLine, syncFraction } from './progress';
import { runningRuns } from './status';

/** How often `sync` reads its run's progress from the ledger. */
const POLL_MS = 1000;

/**
 * `ml-connector sync <integration> [--no-wait]`: starts one sync under a meaningful workflow ID.
 * Waiting, it first makes sure a worker polls the task queue (nothing is started otherwise);
 * `--no-wait` starts it anyway and warns. While it waits it draws the run's progress on stderr
 * (from the ledger's run row, when DATABASE_URL is set) and ends the line at 100 % when the run
 * committed.
 */
export async function syncCommand(
  env: RuntimeEnv,
  integrationId: string,
  wait: boolean,
  line: LiveLine = liveLine(),
): Promise<SyncResult | string> {
  const session = await temporalClient();
  const taskQueue = env.ML_CONNECTOR_TASK_QUEUE;
  const ledger = wait && env.DATABASE_URL ? Ledger.connect(env.DATABASE_URL) : null;
  try {
    if (wait) await requireWorker(session, taskQueue, 'no sync was started');
    else if (!(await hasWorker(session, taskQueue))) {
      console.error(`warning: no worker polls task queue "${taskQueue}": the sync starts when one does`);
    }
    const workflowId = syncWorkflowId(integrationId, new Date());
    return await aboutWorkflow(
      workflowId,
      (async () => {
        const handle = await session.client.workflow.start(syncIntegration, {
          taskQueue,
          workflowId,
          args: [{ integrationId }],
        });
        if (!wait) return workflowId;
        const runKey = buildRunKey(workflowId, handle.firstExecutionRunId);
        let finished = false;
        const result = whileWorkerPolls(session, taskQueue, `sync ${workflowId}`, handle.result()).finally(
          () => {
            finished = true;
          },
        );
        const drawing = ledger ? follow(ledger, runKey, line, () => finished) : Promise.resolve();
        try {
          const outcome = await result;
          await drawing;
          if (ledger) line.done(`${bar(1)} ${integrationId}: committed, ${outcome.sent} sent`);
          return outcome;
        } catch (err) {
          await drawing;
          // The cause follows on stderr (the CLI prints it), so the bar gives way to it.
          if (ledger) line.clear();
          throw err;
        }
      })(),
    );
  } finally {
    await ledger?.close();
    await session.close();
  }
}

/** Draws the run's progress until `finished()`; a ledger that cannot be read only stops the drawing. */
async function follow(ledger: Ledger, runKey: string, line: LiveLine, finished: () => boolean) {
  while (!finished()) {
    const row = await ledger.runProgress(runKey).catch(() => undefined);
    if (row === undefined) return;
    if (row && !finished()) {
      const [run] = runningRuns([row]);
      const stage = run?.stage ?? 'extract';
      line.update(
        `${bar(syncFraction(stage, row.progress))} ${describeProgress(stage, row.progress)}`,
        stage,
      );
    }
    await sleep(POLL_MS);
  }
}

/** `ml-connector retry <integration> <runKey>`: delivers a failed run's staged file and waits. */
export async function retryCommand(env: RuntimeEnv, integrationId: string, runKey: string) {
  const session = await temporalClient();
  const taskQueue = env.ML_CONNECTOR_TASK_QUEUE;
  try {
    await requireWorker(session, taskQueue, 'no retry was started');
    const workflowId = retryWorkflowId(runKey);
    return await aboutWorkflow(
      workflowId,
      (async () => {
        const handle = await session.client.workflow.start(retryDelivery, {
          taskQueue,
          workflowId,
          args: [{ integrationId, runKey }],
        });
        return whileWorkerPolls(session, taskQueue, `retry ${workflowId}`, handle.result());
      })(),
    );
  } finally {
    await session.close();
  }
}
