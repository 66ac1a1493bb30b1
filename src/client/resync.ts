import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { ConfigError, type RuntimeEnv } from '../config';
import { Ledger } from '../ledger';
import { type ResyncRequest, type ResyncResult, resyncRequestProblem } from '../shared/integrationWorkflow';
import { integrationWorkflowId, resyncWorkflowId } from '../shared/workflowIds';
import { resyncIntegration } from '../workflows';
import { integrationStatus, progressBar, requestResync } from './integration';
import { resolveRecordIds } from './recordKeys';

// `resync` (and `quarantine release`) for any integration. A scheduled one queues it in its
// integration workflow (progress in `status`); one without a running integration workflow runs
// the resync workflow directly (ID resync-<integration>-<time>). Records may be named by business
// number: they are resolved to internal IDs in the ledger first, and a key naming nothing is an error.

export interface ResyncOrder {
  request: ResyncRequest;
  wait: boolean;
}

/** Whether the integration's long-lived workflow is running (else a resync runs on its own). */
async function integrationWorkflowRunning(client: Client, integrationId: string): Promise<boolean> {
  try {
    const { status } = await client.workflow.getHandle(integrationWorkflowId(integrationId)).describe();
    return status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** `--records` keys → the integration's internal record IDs (business numbers resolved). */
export async function resolveRequestRecords(
  env: RuntimeEnv,
  integrationId: string,
  request: ResyncRequest,
): Promise<ResyncRequest> {
  if (request.mode !== 'records') return request;
  if (!env.DATABASE_URL)
    throw new ConfigError('DATABASE_URL is not set (resync --records looks records up in the ledger).');
  const ledger = Ledger.connect(env.DATABASE_URL);
  try {
    return { ...request, recordIds: await resolveRecordIds(ledger, integrationId, request.recordIds) };
  } finally {
    await ledger.close();
  }
}

export type ResyncOutcome =
  | { workflowId: string; via: 'integration-workflow'; accepted: true; position: number }
  | { workflowId: string; via: 'resync-workflow'; result?: ResyncResult }
  | Record<string, unknown>;

/** Runs the resync: through the integration workflow when it runs, else as a workflow of its own. */
export async function runResync(
  client: Client,
  env: RuntimeEnv,
  integrationId: string,
  order: ResyncOrder,
): Promise<ResyncOutcome> {
  const problem = resyncRequestProblem(order.request);
  if (problem) throw new Error(`resync: ${problem}`);
  if (await integrationWorkflowRunning(client, integrationId)) {
    const ack = await requestResync(client, integrationId, order.request);
    if (!order.wait)
      return { workflowId: integrationWorkflowId(integrationId), via: 'integration-workflow', ...ack };
    return followProgress(client, integrationId);
  }
  const workflowId = resyncWorkflowId(integrationId, new Date());
  const handle = await client.workflow.start(resyncIntegration, {
    taskQueue: env.ML_CONNECTOR_TASK_QUEUE,
    workflowId,
    args: [{ integrationId, request: order.request }],
  });
  if (!order.wait) return { workflowId, via: 'resync-workflow' };
  return { workflowId, via: 'resync-workflow', result: await handle.result() };
}

/** A progress bar from the status query until the queued resync is done; then the status. */
async function followProgress(client: Client, integrationId: string) {
  let seen = false;
  for (;;) {
    const { resync } = await integrationStatus(client, integrationId);
    const current = resync.current;
    if (current) {
      seen = true;
      process.stderr.write(`\r${progressBar(current.windowsDone, current.windowsTotal, current.sent)}`);
    } else if (seen || resync.queued === 0) {
      process.stderr.write('\n');
      return { ...(await integrationStatus(client, integrationId)) };
    }
    await sleep(500);
  }
}
