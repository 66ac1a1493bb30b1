import type { RuntimeEnv } from '../config';
import type { SyncResult } from '../shared';
import { retryWorkflowId, syncWorkflowId } from '../shared/workflowIds';
import { retryDelivery, syncIntegration } from '../workflows';
import { temporalClient } from './connect';

/** `ml-connector sync <integration> [--no-wait]`: starts one sync under a meaningful workflow ID. */
export async function syncCommand(
  env: RuntimeEnv,
  integrationId: string,
  wait: boolean,
): Promise<SyncResult | string> {
  const { client, close } = await temporalClient(env);
  try {
    const workflowId = syncWorkflowId(integrationId, new Date());
    const handle = await client.workflow.start(syncIntegration, {
      taskQueue: env.ML_CONNECTOR_TASK_QUEUE,
      workflowId,
      args: [{ integrationId }],
    });
    return wait ? await handle.result() : workflowId;
  } finally {
    await close();
  }
}

/** `ml-connector retry <integration> <runKey>`: delivers a failed run's staged file and waits. */
export async function retryCommand(env: RuntimeEnv, integrationId: string, runKey: string) {
  const { client, close } = await temporalClient(env);
  try {
    return await client.workflow.execute(retryDelivery, {
      taskQueue: env.ML_CONNECTOR_TASK_QUEUE,
      workflowId: retryWorkflowId(runKey),
      args: [{ integrationId, runKey }],
    });
  } finally {
    await close();
  }
}
