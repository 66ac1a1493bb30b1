import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError } from '@temporalio/common';
import { ConfigError, type RuntimeEnv } from '../config';
import { Ledger } from '../ledger';
import { type ResyncRequest, type ResyncResult, resyncRequestProblem } from '../shared/integrationWorkflow';
import { integrationWorkflowId, resyncWorkflowId } from '../shared/workflowIds';
import { resyncIntegration } from '../workflows';
import { requireWorker, type TemporalSession, whileWorkerPolls } from './connect';
import { aboutWorkflow } from './failure';
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

/** The integration workflow's task queue when it is running; null when there is none running. */
async function runningIntegrationWorkflow(
  session: TemporalSession,
  integrationId: string,
): Promise<string | null> {
  try {
    const { status, taskQueue } = await session.client.workflow
      .getHandle(integrationWorkflowId(integrationId))
      .describe();
    return status.name === 'RUNNING' ? taskQueue : null;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
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
  session: TemporalSession,
  env: RuntimeEnv,
  integrationId: string,
  order: ResyncOrder,
): Promise<ResyncOutcome> {
  const { client } = session;
  const parent = integrationWorkflowId(integrationId);
  const parentQueue = await runningIntegrationWorkflow(session, integrationId);
  if (parentQueue !== null) {
    // Its update validator refuses a bad request, named by the workflow.
    await requireWorker(session, parentQueue, 'no resync was requested');
    const ack = await aboutWorkflow(
      parent,
      whileWorkerPolls(
        session,
        parentQueue,
        'the resync request',
        requestResync(client, integrationId, order.request),
      ),
    );
    if (!order.wait) return { workflowId: parent, via: 'integration-workflow', ...ack };
    return followProgress(session, integrationId);
  }
  const problem = resyncRequestProblem(order.request);
  if (problem) throw new Error(problem);
  const taskQueue = env.ML_CONNECTOR_TASK_QUEUE;
  await requireWorker(session, taskQueue, 'no resync was started');
  const workflowId = resyncWorkflowId(integrationId, new Date());
  const handle = await aboutWorkflow(
    workflowId,
    client.workflow.start(resyncIntegration, {
      taskQueue,
      workflowId,
      args: [{ integrationId, request: order.request }],
    }),
  );
  if (!order.wait) return { workflowId, via: 'resync-workflow' };
  const result = await aboutWorkflow(
    workflowId,
    whileWorkerPolls(session, taskQueue, 'the resync', handle.result()),
  );
  return { workflowId, via: 'resync-workflow', result };
}

/** A progress bar from the status query until the queued resync is done; then the status. */
async function followProgress(session: TemporalSession, integrationId: string) {
  const workflowId = integrationWorkflowId(integrationId);
  let seen = false;
  for (;;) {
    const { resync } = await aboutWorkflow(workflowId, integrationStatus(session.client, integrationId));
    const current = resync.current;
    if (current) {
      seen = true;
      process.stderr.write(`\r${progressBar(current.windowsDone, current.windowsTotal, current.sent)}`);
    } else if (seen || resync.queued === 0) {
      process.stderr.write('\n');
      return { ...(await aboutWorkflow(workflowId, integrationStatus(session.client, integrationId))) };
    }
    await sleep(500);
  }
}
