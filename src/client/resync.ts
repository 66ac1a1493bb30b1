import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { ConfigError, type RuntimeEnv } from '../config';
import { Ledger } from '../ledger';
import {
  type IntegrationStatus,
  type ResyncRequest,
  type ResyncResult,
  resyncRequestProblem,
} from '../shared/integrationWorkflow';
import { integrationWorkflowId, resyncWorkflowId } from '../shared/workflowIds';
import { resyncIntegration } from '../workflows';
import { requireWorker, type TemporalSession, whileWorkerPolls } from './connect';
import { aboutWorkflow } from './failure';
import { integrationStatus, progressBar, requestResync } from './integration';
import { describeProgress, type LiveLine, liveLine } from './progress';
import { resolveRecordIds } from './recordKeys';
import { runningRuns } from './status';

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
  | { workflowId: string; via: 'integration-workflow'; status: IntegrationStatus }
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
    // Its update validator refuses a bad request, named by the workflow. The request ID lets
    // --wait follow this resync among others queued.
    await requireWorker(session, parentQueue, 'no resync was requested');
    const request = { ...order.request, requestId: randomUUID() };
    const ack = await aboutWorkflow(
      parent,
      whileWorkerPolls(
        session,
        parentQueue,
        'the resync request',
        requestResync(client, integrationId, request),
      ),
    );
    if (!order.wait) return { workflowId: parent, via: 'integration-workflow', ...ack };
    const ledger = env.DATABASE_URL ? Ledger.connect(env.DATABASE_URL) : null;
    try {
      const status = await followResync(client, integrationId, request, { ledger });
      return { workflowId: parent, via: 'integration-workflow', status };
    } finally {
      await ledger?.close();
    }
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

/**
 * `resync --wait`: a progress bar until the resync with `request`'s requestId is done, ending at its final count
 * (100 % unless it failed). With DATABASE_URL set, the bar also shows the current window's records.
 */
export async function followResync(
  client: Client,
  integrationId: string,
  request: ResyncRequest,
  options: { ledger?: Ledger | null; line?: LiveLine; pollMs?: number } = {},
): Promise<IntegrationStatus> {
  const line = options.line ?? liveLine();
  const mine = (r: { request: ResyncRequest } | null | undefined) =>
    !!r && request.requestId !== undefined && r.request.requestId === request.requestId;
  let seen = false;
  for (;;) {
    const status = await aboutWorkflow(
      integrationWorkflowId(integrationId),
      integrationStatus(client, integrationId),
    );
    const { current } = status.resync;
    const last = status.lastResync;
    if (mine(last) || (request.requestId === undefined && seen && !current)) {
      const end = mine(last) ? last! : null;
      line.done(
        end
          ? `${progressBar(end.windowsDone, end.windowsTotal, end.sent)}${end.error ? ` failed: ${end.error}` : ''}`
          : 'resync done',
      );
      return status;
    }
    if (current && (mine(current) || request.requestId === undefined)) {
      seen = true;
      let window = '';
      if (options.ledger) {
        const activity = await options.ledger.integrationActivity(integrationId).catch(() => null);
        const run = runningRuns(activity?.running ?? []).find((r) => r.workflowId === current.workflowId);
        if (run)
          window = ` · window ${current.windowsDone + 1}: ${describeProgress(run.stage, run.progress)}`;
      }
      // Until the resync reports its windows (its first act), there is no total to draw.
      line.update(
        current.windowsTotal
          ? `${progressBar(current.windowsDone, current.windowsTotal, current.sent)}${window}`
          : `resync ${current.workflowId} starting`,
      );
    } else if (!current && status.resync.queued === 0 && request.requestId === undefined) {
      line.done('resync done');
      return status;
    }
    await sleep(options.pollMs ?? 500);
  }
}
