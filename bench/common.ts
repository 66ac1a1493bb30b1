import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { simulatorIntegration } from '../dev/integration';
import type { SshdInstance } from '../dev/sshd';
import { type Stack, startStack } from '../dev/stack';
import { startWorkerProcess, type WorkerProcess } from '../dev/workerProcess';
import { workflowBundleFile } from '../dev/workflowBundle';
import { FusionSimulator } from '../simulator/server';
import { parseConfig } from '../src/config';

// What every benchmark scenario shares: its options, the services (the dev harness, dev/stack.ts)
// and the worker process (dev/workerProcess.ts) started as the image runs it.

export const REPO = resolve(__dirname, '..');
export const CLIENT_ID = 'ml-connector-bench';
export const CLIENT_SECRET = `bench-${randomUUID()}`;
export const MB = 1e6;

export interface Options {
  sizes: number[];
  pageSize: number;
  /** fusion.parallelPages of the full and concurrent syncs; null leaves it unset (the adaptive read). */
  parallelPages: number | null;
  latencyMs: number;
  latencyLines: number;
  latencyPageSize: number;
  parallel: number[];
  uploadRuns: number;
  /** Lines of the adaptive-paging run (0 skips it), and the pod's request-rate limit in it. */
  adaptiveLines: number;
  rateLimit: number;
  /** Incremental syncs of the small-sync run (0 skips it). */
  smallSyncRuns: number;
  /** Full syncs run at once by one worker (0 skips that run), and the lines each reads. */
  concurrent: number;
  concurrentLines: number;
  /** Integration counts of the many-integrations rounds (empty skips them). */
  manyIntegrations: number[];
  /** Seconds of each round's idle period, and of its baseline (the worker before any workflow starts). */
  manyIdleSeconds: number;
  manyBaselineSeconds: number;
  /** Planning cycles on a 20 s schedule to count one cycle's actions (0 skips them). */
  manyCycles: number;
  profile: boolean;
  /** Extra node flags for the worker process (e.g. --max-old-space-size=256). */
  workerNodeArgs: string[];
  /** compiled: `node dist/src/worker.js` after `npm run build`, as the image runs it; tsx: `npm run worker`. */
  worker: 'compiled' | 'tsx';
  out: string;
}

export const log = (message: string) => console.error(`» ${message}`);
export const round = (x: number, digits = 2) => Number(x.toFixed(digits));

/** Temporal, a Postgres server for the scenarios' scratch databases, and sshd. */
export async function startBenchStack(): Promise<Stack> {
  const stack = await startStack({
    postgres: { embeddedDir: mkdtempSync(join(tmpdir(), 'mlc-bench-pg-')) },
  });
  const { temporal: t, postgres: pg, sshd } = stack;
  log(
    `Temporal ${t.address}${t.started ? ' (dev server started here)' : ''}, Postgres ${pg.started ? 'embedded' : 'existing server'}, sshd 127.0.0.1:${sshd.port}`,
  );
  return stack;
}

export function integration(id: string, simUrl: string, sshd: SshdInstance, fusion: Record<string, unknown>) {
  return simulatorIntegration({
    id,
    simUrl,
    clientId: CLIENT_ID,
    sshd,
    fusion: { requestTimeoutSeconds: 300, ...fusion },
  });
}

/** A simulator of `lines` generated journal lines, well in the past: all inside a first sync's window. */
export function generatedJournalLines(lines: number): FusionSimulator {
  return new FusionSimulator({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    generated: { journalLines: lines, from: Math.floor(Date.now() / 86_400_000 - 30) * 86_400_000 },
  });
}

/** The `fusion` settings of the full and concurrent syncs (`--page-size`, `--parallel-pages`). */
export function fullSyncFusion(o: Options): Record<string, unknown> {
  return { pageSize: o.pageSize, ...(o.parallelPages === null ? {} : { parallelPages: o.parallelPages }) };
}

/**
 * The worker with a config file and a prebuilt workflow bundle: `node dist/src/worker.js` as the
 * image runs it, or `node --import tsx src/worker.ts` (--worker tsx). Resolves once it polls.
 */
export async function startBenchWorker(
  stack: Stack,
  o: Options,
  input: {
    scenario: string;
    config: Record<string, unknown>;
    databaseUrl: string;
    taskQueue: string;
    profileDir?: string | null;
  },
): Promise<WorkerProcess> {
  parseConfig(input.config, 'benchmark configuration'); // fail here, not in the child, on a bad config
  const dir = mkdtempSync(join(tmpdir(), `mlc-bench-${input.scenario}-`));
  const configPath = join(dir, 'ml-connector.config.json');
  writeFileSync(configPath, JSON.stringify(input.config, null, 2));
  const nodeArgs = [...o.workerNodeArgs];
  if (input.profileDir) {
    rmSync(input.profileDir, { recursive: true, force: true });
    mkdirSync(input.profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${input.profileDir}`);
  }
  const worker = startWorkerProcess({
    client: stack.client,
    temporalAddress: stack.temporal.address,
    databaseUrl: input.databaseUrl,
    configPath,
    taskQueue: input.taskQueue,
    workflowBundlePath: await workflowBundleFile(),
    mode: o.worker,
    nodeArgs,
    env: {
      FUSION_CLIENT_SECRET: CLIENT_SECRET,
      SFTP_PRIVATE_KEY: stack.sshd.privateKey,
      LOG_LEVEL: 'warn',
    },
  });
  const stop = worker.stop;
  worker.stop = async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await worker.ready();
  } catch (err) {
    await worker.stop();
    throw err;
  }
  return worker;
}
