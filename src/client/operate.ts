import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError } from '@temporalio/client';
import { findIntegration, loadConfigFile, type RuntimeEnv } from '../config';
import { frameworkLimitations } from '../fusion/framework';
import type { ResyncRequest } from '../shared/integrationWorkflow';
import { integrationWorkflowId } from '../shared/workflowIds';
import { UsageError } from './args';
import { hasWorker, requireWorker, type TemporalSession, temporalClient, whileWorkerPolls } from './connect';
import { aboutWorkflow, CliError, WorkflowCommandError } from './failure';
import {
  integrationStatus,
  pauseIntegration,
  progressBar,
  requestResync,
  startIntegration,
} from './integration';

// `start`, `status`, `resync`, `pause`, `resume`: the integration workflow from the command line.

/** `resync`'s flags, for parseVerbArgs. */
export const RESYNC_OPTIONS = {
  all: { type: 'boolean' },
  since: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'window-hours': { type: 'string' },
  records: { type: 'string' },
  reason: { type: 'string' },
  wait: { type: 'boolean' },
} as const;

export interface ResyncFlags {
  all?: boolean;
  since?: string;
  from?: string;
  to?: string;
  'window-hours'?: string;
  records?: string;
  reason?: string;
}

export function parseResyncArgs(flags: ResyncFlags): ResyncRequest {
  const { reason } = flags;
  if (!reason) throw new UsageError('resync needs --reason "…" (it is recorded with every resent record)');
  const windowHours = flags['window-hours'] ? Number(flags['window-hours']) : undefined;
  const common = { reason, ...(windowHours ? { windowHours } : {}) };
  if (flags.all) return { mode: 'all', ...common };
  const { since, from, to, records } = flags;
  if (since) return { mode: 'since', since, ...common };
  if (from && to) return { mode: 'range', from, to, ...common };
  if (records)
    return {
      mode: 'records',
      recordIds: records
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
      ...common,
    };
  throw new UsageError('resync needs one of --all, --since DATE, --from DATE --to DATE, --records ID,ID');
}

/** `resync` only: what to send again, and whether to follow it with a progress bar (`--wait`). */
export interface ResyncOrder {
  request: ResyncRequest;
  wait: boolean;
}

export async function operateCommand(
  env: RuntimeEnv,
  verb: string,
  integrationId: string,
  resync?: ResyncOrder,
) {
  const session = await temporalClient();
  const { client, connection } = session;
  const workflowId = integrationWorkflowId(integrationId);
  try {
    switch (verb) {
      case 'start': {
        const config = loadConfigFile(env.ML_CONNECTOR_CONFIG);
        const started = await startIntegration(
          client,
          connection,
          env,
          findIntegration(config, integrationId),
        );
        if (!(await hasWorker(session, env.ML_CONNECTOR_TASK_QUEUE))) {
          console.error(
            `warning: no worker polls task queue "${env.ML_CONNECTOR_TASK_QUEUE}": ${workflowId} runs when one does`,
          );
        }
        return started;
      }
      case 'status': {
        // A query needs a worker to answer it: without one it would wait 30 s, then fail.
        await requireWorker(
          session,
          await taskQueueOf(session, workflowId, integrationId),
          'nobody can answer the status query',
        );
        const status = await aboutWorkflow(workflowId, integrationStatus(client, integrationId));
        // What this integration's framework version cannot detect, from the configuration.
        const config = loadConfigFile(env.ML_CONNECTOR_CONFIG);
        const limitations = frameworkLimitations(
          findIntegration(config, integrationId).fusion.frameworkVersion,
        );
        return limitations.length ? { ...status, limitations } : status;
      }
      case 'pause':
      case 'resume': {
        const taskQueue = await taskQueueOf(session, workflowId, integrationId);
        await aboutWorkflow(workflowId, pauseIntegration(client, integrationId, verb === 'pause'));
        if (!(await hasWorker(session, taskQueue))) {
          console.error(
            `warning: no worker polls task queue "${taskQueue}": ${workflowId} sees the ${verb} when one does`,
          );
        }
        return { integrationId, paused: verb === 'pause' };
      }
      case 'resync': {
        if (!resync) throw new Error('resync needs its flags');
        const taskQueue = await taskQueueOf(session, workflowId, integrationId);
        await requireWorker(session, taskQueue, 'no resync was requested');
        const ack = await aboutWorkflow(
          workflowId,
          whileWorkerPolls(
            session,
            taskQueue,
            'the resync request',
            requestResync(client, integrationId, resync.request),
          ),
        );
        if (!resync.wait) return ack;
        // Follow it: a progress bar from the status query until this resync is done.
        let seen = false;
        for (;;) {
          const { resync } = await aboutWorkflow(workflowId, integrationStatus(client, integrationId));
          const current = resync.current;
          if (current) {
            seen = true;
            process.stderr.write(`\r${progressBar(current.windowsDone, current.windowsTotal, current.sent)}`);
          } else if (seen || resync.queued === 0) {
            process.stderr.write('\n');
            return await aboutWorkflow(workflowId, integrationStatus(client, integrationId));
          }
          await sleep(500);
        }
      }
      default:
        throw new Error(`unknown verb ${verb}`);
    }
  } finally {
    await session.close();
  }
}

/** The task queue the workflow runs on (from the server), so the check asks about the right one. */
async function taskQueueOf(
  session: TemporalSession,
  workflowId: string,
  integrationId: string,
): Promise<string> {
  try {
    return (await session.client.workflow.getHandle(workflowId).describe()).taskQueue;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new CliError(
        `Workflow ${workflowId} not found: start it with \`ml-connector start ${integrationId}\``,
        [`(namespace ${session.target.namespace} on ${session.target.address})`],
      );
    }
    throw new WorkflowCommandError(workflowId, err);
  }
}
