import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { loadTemporalTarget, type TemporalTarget } from '../temporal/connection';
import { CliError } from './failure';

// The CLI's Temporal connection (Temporal's own client configuration, src/temporal/connection.ts),
// and the question a user otherwise waits on: does any worker poll the task queue? Without one
// a started workflow or a query just waits (a query gives up after 30 s with "Failed to query
// Workflow"); here the CLI asks the server for the queue's pollers first, and again while it waits.

export interface TemporalSession {
  client: Client;
  connection: Connection;
  target: TemporalTarget;
  close(): Promise<void>;
}

/** How long the CLI tries to reach the server before saying it cannot. */
const CONNECT_TIMEOUT_MS = 5000;

/** A Temporal client for the CLI; the caller closes it. */
export async function temporalClient(env: NodeJS.ProcessEnv = process.env): Promise<TemporalSession> {
  const target = loadTemporalTarget(env);
  let connection: Connection;
  try {
    connection = await Connection.connect({
      ...target.connectionOptions(),
      connectTimeout: CONNECT_TIMEOUT_MS,
    });
  } catch (err) {
    throw new CliError(`Cannot reach Temporal at ${target.describe()}: ${(err as Error).message}`, [
      'Check TEMPORAL_ADDRESS (or the profile in TEMPORAL_CONFIG_FILE / ~/.config/temporalio/temporal.toml),',
      'and TEMPORAL_TLS / TEMPORAL_API_KEY for a server that needs them.',
    ]);
  }
  const client = new Client({ connection, namespace: target.namespace });
  return { client, connection, target, close: () => connection.close() };
}

// temporal.api.enums.v1 values (@temporalio/proto is not a direct dependency).
const TASK_QUEUE_TYPE_WORKFLOW = 1;
const TASK_QUEUE_TYPE_ACTIVITY = 2;
const TASK_QUEUE_KIND_NORMAL = 1;

/**
 * A poller the server has not heard from for this long is taken for a stopped worker. An idle
 * worker polls again at least every minute (a long poll ends after about 60 s: measured on the
 * dev server, an idle worker's last poll was at most 58 s old); the server keeps listing a
 * stopped one for 5 minutes. So a worker that was never there is seen at once, one that stopped
 * after 90 s.
 */
const POLLER_STALE_MS = 90_000;

/**
 * How many workers poll `taskQueue` for workflow or activity tasks (heard from in the last 90 s);
 * null when the server will not say (no permission to describe task queues): then nobody knows.
 */
export async function livePollers(session: TemporalSession, taskQueue: string): Promise<number | null> {
  const now = Date.now();
  const identities = new Set<string>();
  for (const taskQueueType of [TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY]) {
    let pollers: Awaited<ReturnType<typeof session.connection.workflowService.describeTaskQueue>>['pollers'];
    try {
      ({ pollers } = await session.connection.workflowService.describeTaskQueue({
        namespace: session.target.namespace,
        taskQueue: { name: taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
        taskQueueType,
      }));
    } catch {
      return null;
    }
    for (const poller of pollers ?? []) {
      const seen = poller.lastAccessTime
        ? Number(poller.lastAccessTime.seconds ?? 0) * 1000 +
          Math.floor((poller.lastAccessTime.nanos ?? 0) / 1e6)
        : now;
      if (now - seen <= POLLER_STALE_MS) identities.add(poller.identity ?? '');
    }
  }
  return identities.size;
}

function noWorker(session: TemporalSession, taskQueue: string, what: string): CliError {
  return new CliError(
    `No worker is polling task queue "${taskQueue}" on ${session.target.describe()}: ${what}`,
    [
      'Start the worker (npm start, or docker compose up worker) with the same Temporal settings,',
      'or point ML_CONNECTOR_TASK_QUEUE / TEMPORAL_NAMESPACE at the ones the worker uses.',
    ],
  );
}

/** Throws a CliError saying so when no worker polls `taskQueue`; `what` says what did not happen. */
export async function requireWorker(
  session: TemporalSession,
  taskQueue: string,
  what: string,
): Promise<void> {
  if ((await livePollers(session, taskQueue)) === 0) throw noWorker(session, taskQueue, what);
}

/** False when no worker polls `taskQueue`; for commands that go on without one (with a warning). */
export async function hasWorker(session: TemporalSession, taskQueue: string): Promise<boolean> {
  return (await livePollers(session, taskQueue)) !== 0;
}

/** How often a waiting command checks that a worker still polls. */
const WATCH_INTERVAL_MS = 3000;

/**
 * Waits for `work` (a workflow's result, an update), checking every few seconds that a worker
 * still polls `taskQueue`; if none does, gives up waiting with a CliError saying what goes on.
 */
export async function whileWorkerPolls<T>(
  session: TemporalSession,
  taskQueue: string,
  waitingFor: string,
  work: Promise<T>,
): Promise<T> {
  const stop = new AbortController();
  const watch = (async (): Promise<never> => {
    for (;;) {
      await sleep(WATCH_INTERVAL_MS, undefined, { signal: stop.signal });
      if ((await livePollers(session, taskQueue)) === 0) {
        throw noWorker(
          session,
          taskQueue,
          `stopped waiting for ${waitingFor}, which goes on once a worker polls`,
        );
      }
    }
  })();
  watch.catch(() => undefined); // settled below, or aborted when `work` settles first
  try {
    return await Promise.race([work, watch]);
  } finally {
    stop.abort();
  }
}
