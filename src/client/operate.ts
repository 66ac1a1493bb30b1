import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ConfigError, findIntegration, loadConfigFile, type RuntimeEnv } from '../config';
import { frameworkLimitations } from '../fusion/framework';
import { Ledger } from '../ledger';
import type { ResyncRequest } from '../shared/integrationWorkflow';
import { integrationWorkflowId } from '../shared/workflowIds';
import { UsageError } from './args';
import { hasWorker, type TemporalSession, temporalClient } from './connect';
import { aboutWorkflow, CliError, WorkflowCommandError } from './failure';
import { pauseIntegration, type StartAllOutcome, startIntegration, startIntegrations } from './integration';
import { splitKeys } from './recordKeys';
import { type ResyncOrder, resolveRequestRecords, runResync } from './resync';
import { type StatusReport, statusReport } from './status';

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
      recordIds: splitKeys(records),
      ...common,
    };
  throw new UsageError('resync needs one of --all, --since DATE, --from DATE --to DATE, --records ID,ID');
}

export type { ResyncOrder } from './resync';

/** `status --watch`: how often it is redrawn, and where (tests pass their own). */
export interface StatusWatch {
  intervalMs: number;
  out?: NodeJS.WriteStream;
  /** Stop after this many redraws (tests); default: until interrupted. */
  times?: number;
}

/** `status`: from the ledger and the integration workflow, with what the framework cannot detect. */
export async function integrationReport(
  env: RuntimeEnv,
  session: TemporalSession,
  ledger: Ledger,
  integrationId: string,
): Promise<StatusReport & { limitations?: string[] }> {
  const config = loadConfigFile(env.ML_CONNECTOR_CONFIG);
  const integration = findIntegration(config, integrationId);
  // A query needs a worker to answer it: without one it would wait 30 s, then fail.
  const report = await statusReport(session.client, ledger, integrationId, (taskQueue) =>
    hasWorker(session, taskQueue),
  );
  // What this integration's framework version cannot detect, from the configuration.
  const limitations = frameworkLimitations(integration.fusion.frameworkVersion);
  return limitations.length ? { ...report, limitations } : report;
}

/** `status [--watch]`: once, or redrawn every few seconds until interrupted. */
export async function statusCommand(env: RuntimeEnv, integrationId: string, watch?: StatusWatch) {
  if (!env.DATABASE_URL) throw new ConfigError('DATABASE_URL is not set (status reads the ledger).');
  const session = await temporalClient();
  const ledger = Ledger.connect(env.DATABASE_URL);
  try {
    if (!watch) return await integrationReport(env, session, ledger, integrationId);
    const out = watch.out ?? process.stdout;
    for (let i = 0; watch.times === undefined || i < watch.times; i++) {
      if (i > 0) await sleep(watch.intervalMs);
      const report = await integrationReport(env, session, ledger, integrationId);
      const text = JSON.stringify({ at: new Date().toISOString(), ...report }, null, 2);
      // A terminal is redrawn from the top; a pipe or file gets one report after another.
      out.write(out.isTTY ? `\x1b[H\x1b[2J${text}\n` : `${text}\n`);
    }
    return undefined;
  } finally {
    await ledger.close();
    await session.close();
  }
}

export { followResync } from './resync';

/** `start --all`: every scheduled integration in the configuration (exit 1 when any start failed). */
export async function startAllCommand(env: RuntimeEnv): Promise<StartAllOutcome> {
  const config = loadConfigFile(env.ML_CONNECTOR_CONFIG);
  const session = await temporalClient();
  try {
    const outcome = await startIntegrations(session.client, session.connection, env, config.integrations);
    if (!(await hasWorker(session, env.ML_CONNECTOR_TASK_QUEUE))) {
      console.error(
        `warning: no worker polls task queue "${env.ML_CONNECTOR_TASK_QUEUE}": the workflows run when one does`,
      );
    }
    return outcome;
  } finally {
    await session.close();
  }
}

export async function operateCommand(
  env: RuntimeEnv,
  verb: string,
  integrationId: string,
  resync?: ResyncOrder,
) {
  if (verb === 'status') return statusCommand(env, integrationId);
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
        // Any integration, scheduled or not; records by internal ID or business number.
        const request = await resolveRequestRecords(env, integrationId, resync.request);
        return await runResync(session, env, integrationId, { ...resync, request });
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
