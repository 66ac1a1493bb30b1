import type { RuntimeEnv } from '../config';
import type { SyncResult } from '../shared';
import { retryWorkflowId, syncWorkflowId } from '../shared/workflowIds';
import { retryDelivery, syncIntegration } from '../workflows';
import { hasWorker, requireWorker, temporalClient, whileWorkerPolls } from './connect';
import { aboutWorkflow } from './failure';

/**
 * `ml-connector sync <integration> [--no-wait]`: starts one sync under a meaningful workflow ID.
 * Waiting, it first makes sure a worker polls the task queue (nothing is started otherwise);
 * `--no-wait` starts it anyway and warns.
 */
export async function syncCommand(
  env: RuntimeEnv,
  integrationId: string,
  wait: boolean,
): Promise<SyncResult | string> {
  const session = await temporalClient();
  const taskQueue = env.ML_CONNECTOR_TASK_QUEUE;
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
        return whileWorkerPolls(session, taskQueue, `sync ${workflowId}`, handle.result());
      })(),
    );
  } finally {
    await session.close();
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
