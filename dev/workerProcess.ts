import { type ChildProcess, spawn } from 'node:child_process';
import { delimiter, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

// A real worker process (src/worker.ts, or dist/src/worker.js as the image runs it) with a config
// file, its own task queue and the prebuilt workflow bundle: what a deployment runs, what a fault
// test can SIGKILL, and what the benchmark measures. Used by the tests and the benchmark.

const REPO = resolve(__dirname, '..');
/** Output kept per worker (the tests read log lines from it; a failure report shows its tail). */
const OUTPUT_LIMIT = 8 * 1024 * 1024;
/** Worker processes still running, killed if this process exits first. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

export interface WorkerProcessOptions {
  /** The client that asks Temporal whether the worker polls (ready()). */
  client: Client;
  temporalAddress: string;
  databaseUrl: string;
  configPath: string;
  taskQueue: string;
  /** The prebuilt workflow bundle (workflowBundleFile() in dev/workflowBundle.ts). */
  workflowBundlePath: string;
  /** Secret values and any other variables (ML_CONNECTOR_FAILPOINT, LOG_LEVEL, ...). */
  env?: Record<string, string>;
  /**
   * tsx (default): node --import tsx src/worker.ts; compiled: bin/ml-connector-worker (node
   * dist/src/worker.js with the config's heap limit) after npm run build, as the image runs it.
   */
  mode?: 'tsx' | 'compiled';
  /** Extra node flags (e.g. --max-old-space-size=256, --cpu-prof). */
  nodeArgs?: string[];
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Everything the worker wrote so far (stdout and stderr). */
  output(): string;
  /** The last `lines` lines of output (for a failure report). */
  tail(lines?: number): string;
  /** Resolves once the worker polls both the workflow and the activity task queue. */
  ready(timeoutMs?: number): Promise<void>;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (the worker drains and exits), SIGKILL if it has not exited within 30 s. */
  stop(): Promise<void>;
}

export function startWorkerProcess(options: WorkerProcessOptions): WorkerProcess {
  const mode = options.mode ?? 'tsx';
  // compiled: the image's command, bin/ml-connector-worker, which adds the config's heap limit
  // (worker.heapLimitMB) and then execs node (the PID stays the worker's). tsx runs without it.
  const [command, args] =
    mode === 'tsx'
      ? [process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', join(REPO, 'src/worker.ts')]]
      : [join(REPO, 'bin/ml-connector-worker'), [...(options.nodeArgs ?? [])]];
  const child = spawn(command, args, {
    cwd: REPO,
    env: {
      ...process.env,
      // The launcher's `node` is this one.
      PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
      DATABASE_URL: options.databaseUrl,
      TEMPORAL_ADDRESS: options.temporalAddress,
      ML_CONNECTOR_CONFIG: options.configPath,
      ML_CONNECTOR_TASK_QUEUE: options.taskQueue,
      ML_CONNECTOR_METRICS_PORT: '0',
      ML_CONNECTOR_WORKFLOW_BUNDLE: options.workflowBundlePath,
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const keep = (d: Buffer) => {
    output += d.toString();
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const exited = () =>
    gone()
      ? Promise.resolve({ code: child.exitCode, signal: child.signalCode })
      : new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
          child.once('exit', (code, signal) => done({ code, signal })),
        );
  const tail = (lines = 40) => output.split('\n').filter(Boolean).slice(-lines).join('\n');
  // Its own pollers only (the SDK's identity is <pid>@<host>): a worker killed a moment ago is
  // still listed for a while.
  const identity = `${child.pid}@`;
  const types = [
    temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  ];
  const polls = async () => {
    const polled = await Promise.all(
      types.map((taskQueueType) =>
        options.client.workflowService
          .describeTaskQueue({ namespace: 'default', taskQueue: { name: options.taskQueue }, taskQueueType })
          .then((r) => (r.pollers ?? []).some((p) => p.identity?.startsWith(identity))),
      ),
    );
    return polled.every(Boolean);
  };
  return {
    child,
    pid: child.pid!,
    output: () => output,
    tail,
    ready: async (timeoutMs = 120_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (gone()) throw new Error(`The worker exited (${child.signalCode ?? child.exitCode}):\n${tail()}`);
        if (await polls()) return;
        if (Date.now() > deadline) {
          throw new Error(
            `The worker did not poll ${options.taskQueue} within ${timeoutMs / 1000} s:\n${tail()}`,
          );
        }
        await sleep(250);
      }
    },
    exited,
    stop: async () => {
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited();
      clearTimeout(timer);
    },
  };
}
