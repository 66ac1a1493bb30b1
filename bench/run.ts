import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode } from '@temporalio/worker';
import { simulatorIntegration } from '../dev/integration';
import { createScratchDatabase, ensurePostgres } from '../dev/postgres';
import { type SshdInstance, startSshd } from '../dev/sshd';
import { ensureTemporal } from '../dev/temporal';
import { DEFAULT_SCOPE, FusionSimulator } from '../simulator/server';
import { parseConfig } from '../src/config';
import { EXPANDED_PAGE_SIZE } from '../src/fusion/documents';
import type { SyncResult } from '../src/shared';
import { syncIntegration } from '../src/workflows';
import { analyseHistory, type HistoryFigures, phaseOf } from './history';
import { latestProfile, type ProfileSlice, summariseProfile } from './profile';
import type { RawPagingInput, RawPagingResult } from './raw-paging';
import { type CpuGroup, peakRss, Sampler } from './sampler';

// `npm run bench`: one full sync of N generated journal lines through the real workflow and a
// real worker process (Temporal, Postgres, OpenSSH sshd, the Fusion simulator, all on loopback),
// measured against the physical limit taken in the same run (raw paging of the same window,
// OpenSSH's own sftp upload of the same bytes), then parallel paging under Fusion latency.
// It prints figures and compares them with the targets; it asserts nothing.

const execFileAsync = promisify(execFile);
const REPO = resolve(__dirname, '..');
const CLIENT_ID = 'ml-connector-bench';
const CLIENT_SECRET = `bench-${randomUUID()}`;
const MB = 1e6;
/** Worker processes still running, killed if this process exits early. */
const children = new Set<ChildProcess>();

interface Options {
  sizes: number[];
  pageSize: number;
  latencyMs: number;
  latencyLines: number;
  latencyPageSize: number;
  parallel: number[];
  uploadRuns: number;
  profile: boolean;
  /** Extra node flags for the worker process (e.g. --max-old-space-size=256). */
  workerNodeArgs: string[];
  /** compiled: `node dist/src/worker.js` after `npm run build`, as the image runs it; tsx: `npm run worker`. */
  worker: 'compiled' | 'tsx';
  out: string;
}

const USAGE = `npm run bench -- [options]
  --sizes 100000,1000000   journal lines per full sync (default both; "none" skips)
  --page-size 500          fusion.pageSize of the full syncs (journal batches of 20 lines)
  --latency 300            ms the simulator waits before every REST answer in the latency runs (0 skips them)
  --latency-lines 20000    lines of the latency runs' window
  --latency-page-size 25   fusion.pageSize of the latency runs (25 batches = 500 lines a request)
  --parallel 1,2,4,8       fusion.parallelPages values of the latency runs
  --upload-runs 3          raw OpenSSH uploads per size (the median is reported)
  --profile                run the worker with --cpu-prof and say where its CPU went per phase
  --worker-node-args "..." extra node flags for the worker process, e.g. "--max-old-space-size=256"
  --worker compiled|tsx    compiled (default): node dist/src/worker.js, built first, as the image runs it;
                           tsx: node --import tsx src/worker.ts (npm run worker)
  --out bench/results/latest.json`;

function parseArgs(argv: string[]): Options {
  const o: Options = {
    sizes: [100_000, 1_000_000],
    pageSize: 500,
    latencyMs: 300,
    latencyLines: 20_000,
    latencyPageSize: 25,
    parallel: [1, 2, 4, 8],
    uploadRuns: 3,
    profile: false,
    workerNodeArgs: [],
    worker: 'compiled',
    out: join(REPO, 'bench/results/latest.json'),
  };
  const list = (v: string) => (v === 'none' ? [] : v.split(',').map((x) => Number(x.replace(/_/g, ''))));
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === '--sizes') o.sizes = list(value());
    else if (flag === '--page-size') o.pageSize = Number(value());
    else if (flag === '--latency') o.latencyMs = Number(value());
    else if (flag === '--latency-lines') o.latencyLines = Number(value());
    else if (flag === '--latency-page-size') o.latencyPageSize = Number(value());
    else if (flag === '--parallel') o.parallel = list(value());
    else if (flag === '--upload-runs') o.uploadRuns = Number(value());
    else if (flag === '--profile') o.profile = true;
    else if (flag === '--worker-node-args') o.workerNodeArgs = value().split(/\s+/).filter(Boolean);
    else if (flag === '--worker') {
      const mode = value();
      if (mode !== 'compiled' && mode !== 'tsx') throw new Error(`--worker is compiled or tsx\n${USAGE}`);
      o.worker = mode;
    } else if (flag === '--out') o.out = resolve(value());
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`Unknown option ${flag}\n${USAGE}`);
  }
  const bad = [...o.sizes, ...o.parallel, o.pageSize, o.latencyLines, o.latencyPageSize, o.uploadRuns].some(
    (n) => !Number.isInteger(n) || n < 1,
  );
  if (bad || !(o.latencyMs >= 0))
    throw new Error(`Sizes, page sizes and counts are positive integers\n${USAGE}`);
  return o;
}

const log = (message: string) => console.error(`» ${message}`);

// --- the services ------------------------------------------------------------------------------

interface Stack {
  temporalAddress: string;
  client: Client;
  pgServerUrl: string;
  sshd: SshdInstance;
  close(): Promise<void>;
}

async function startStack(): Promise<Stack> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const t = await ensureTemporal();
    cleanups.push(() => t.stop());
    const pg = await ensurePostgres({
      embeddedDir: mkdtempSync(join(tmpdir(), 'mlc-bench-pg-')),
      allowLocal: true,
    });
    cleanups.push(() => pg.stop());
    const sshd = await startSshd();
    cleanups.push(() => sshd.dispose());
    const connection = await Connection.connect({ address: t.address });
    cleanups.push(() => connection.close());
    log(
      `Temporal ${t.address}${t.started ? ' (dev server started here)' : ''}, Postgres ${pg.started ? 'embedded' : 'existing server'}, sshd 127.0.0.1:${sshd.port}`,
    );
    return {
      temporalAddress: t.address,
      client: new Client({ connection }),
      pgServerUrl: pg.url,
      sshd,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

function integration(id: string, simUrl: string, sshd: SshdInstance, fusion: Record<string, unknown>) {
  return simulatorIntegration({
    id,
    simUrl,
    clientId: CLIENT_ID,
    sshd,
    fusion: { requestTimeoutSeconds: 300, ...fusion },
  });
}

interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Settles when the process exits (with its exit code, or the signal that ended it). */
  exited: Promise<string>;
  stop(): Promise<void>;
  /** The last lines the worker wrote (for a failure report). */
  tail(): string;
}

let workerMode: Options['worker'] = 'compiled';
let bundlePath: Promise<string> | null = null;
/** The workflows bundled once for the run, as the image bundles them at build time. */
function workflowBundlePath(): Promise<string> {
  bundlePath ??= (async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: join(REPO, 'src/workflows'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    const path = join(mkdtempSync(join(tmpdir(), 'mlc-bench-bundle-')), 'workflow-bundle.js');
    writeFileSync(path, code);
    return path;
  })();
  return bundlePath;
}

/**
 * The worker with a config file and a prebuilt workflow bundle: `node dist/src/worker.js` as the
 * image runs it, or `node --import tsx src/worker.ts` (--worker tsx).
 */
async function startWorkerProcess(
  stack: Stack,
  scenario: string,
  config: Record<string, unknown>,
  databaseUrl: string,
  taskQueue: string,
  profileDir: string | null,
  extraNodeArgs: string[],
): Promise<WorkerProcess> {
  parseConfig(config, 'benchmark configuration'); // fail here, not in the child, on a bad config
  const dir = mkdtempSync(join(tmpdir(), `mlc-bench-${scenario}-`));
  const configPath = join(dir, 'ml-connector.config.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const nodeArgs = workerMode === 'tsx' ? [...extraNodeArgs, '--import', 'tsx'] : [...extraNodeArgs];
  if (profileDir) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  }
  const entry = workerMode === 'tsx' ? 'src/worker.ts' : 'dist/src/worker.js';
  const child = spawn(process.execPath, [...nodeArgs, join(REPO, entry)], {
    cwd: REPO,
    env: {
      ...process.env,
      FUSION_CLIENT_SECRET: CLIENT_SECRET,
      SFTP_PRIVATE_KEY: stack.sshd.privateKey,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      ML_CONNECTOR_CONFIG: configPath,
      ML_CONNECTOR_TASK_QUEUE: taskQueue,
      ML_CONNECTOR_METRICS_PORT: '0',
      ML_CONNECTOR_WORKFLOW_BUNDLE: await workflowBundlePath(),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    lines.push(...d.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<string>((done) =>
    child.once('exit', (code, signal) => done(signal ?? String(code))),
  );
  const worker: WorkerProcess = {
    child,
    pid: child.pid!,
    exited,
    tail: () => lines.join('\n'),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM'); // the worker drains and exits; SIGKILL if it has not within 30 s
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // Ready when it polls both the workflow and the activity task queue.
  const deadline = Date.now() + 120_000;
  const types = [
    temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  ];
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The worker exited (${child.exitCode}):\n${worker.tail()}`);
    const polled = await Promise.all(
      types.map((taskQueueType) =>
        stack.client.workflowService
          .describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType })
          .then((r) => (r.pollers ?? []).length > 0),
      ),
    );
    if (polled.every(Boolean)) return worker;
    if (Date.now() > deadline) {
      await worker.stop();
      throw new Error(`The worker did not poll ${taskQueue} within 120 s:\n${worker.tail()}`);
    }
    await sleep(250);
  }
}

// --- one measured sync -------------------------------------------------------------------------

interface PhaseFigure {
  phase: string;
  activity: string;
  seconds: number;
  /** Time between scheduled and started (task queue wait). */
  queueSeconds: number;
  attempt: number;
  /** Highest sampled worker RSS in the phase. */
  peakRssMB: number;
  /** Scheduled and closed, epoch ms. */
  from: number;
  to: number;
  /** CPU used in the phase, % of one core, per process group. */
  cpuPercent: Record<CpuGroup, number>;
}

interface MeasuredSync {
  workflowId: string;
  result: SyncResult;
  wallSeconds: number;
  history: Omit<HistoryFigures, 'activities'>;
  phases: PhaseFigure[];
  /** Whole-sync CPU, % of one core, per process group. */
  cpuPercent: Record<CpuGroup, number>;
  peakRssDuringSyncBytes: number;
  rssBeforeSyncBytes: number;
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));

function percentOf(cpu: Record<CpuGroup, number>, ms: number): Record<CpuGroup, number> {
  const out = {} as Record<CpuGroup, number>;
  for (const [k, v] of Object.entries(cpu)) out[k as CpuGroup] = ms > 0 ? Math.round((100 * v) / ms) : 0;
  return out;
}

async function measuredSync(
  stack: Stack,
  worker: WorkerProcess,
  taskQueue: string,
  integrationId: string,
): Promise<MeasuredSync> {
  const sampler = new Sampler(worker.pid);
  sampler.start(100);
  await sleep(300);
  const rssBeforeSyncBytes = sampler.samples.at(-1)?.rssBytes ?? 0;
  const workflowId = `bench-${integrationId}-${Date.now()}`;
  const started = Date.now();
  let result: SyncResult;
  const handle = await stack.client.workflow.start(syncIntegration, {
    taskQueue,
    workflowId,
    args: [{ integrationId }],
  });
  try {
    // A worker that dies (out of memory, say) would leave the workflow waiting for another one.
    const died = worker.exited.then((how) => {
      throw new Error(`the worker process exited (${how}) during the sync`);
    });
    died.catch(() => undefined); // it rejects later, when the worker is stopped
    result = await Promise.race([handle.result(), died]);
  } catch (err) {
    sampler.stop();
    await handle.terminate('benchmark failed').catch(() => undefined);
    throw new Error(`The sync failed: ${(err as Error).message}\nworker said:\n${worker.tail()}`);
  }
  const finished = Date.now();
  await sleep(200);
  sampler.stop();
  const history = analyseHistory(await stack.client.workflow.getHandle(workflowId).fetchHistory());
  const phases = history.activities.map((a): PhaseFigure => {
    const closed = a.closedAt ?? finished;
    const ms = closed - a.scheduledAt;
    return {
      phase: phaseOf(a.name),
      activity: a.name,
      seconds: round(ms / 1000, 3),
      queueSeconds: round(((a.startedAt ?? a.scheduledAt) - a.scheduledAt) / 1000, 3),
      attempt: a.attempt,
      peakRssMB: round(sampler.maxRss(a.scheduledAt, closed) / MB, 1),
      from: a.scheduledAt,
      to: closed,
      cpuPercent: percentOf(sampler.cpuBetween(a.scheduledAt, closed), ms),
    };
  });
  const { activities: _, ...historyFigures } = history;
  return {
    workflowId,
    result,
    wallSeconds: round((finished - started) / 1000, 3),
    history: historyFigures,
    phases,
    cpuPercent: percentOf(sampler.cpuBetween(started, finished), finished - started),
    peakRssDuringSyncBytes: sampler.maxRss(started, finished + 200),
    rssBeforeSyncBytes,
  };
}

/** Seconds in stage, render, upload, commit, the short calls ("other") and the workflow between them. */
function phaseTotals(sync: MeasuredSync): Record<string, number> {
  const out: Record<string, number> = { stage: 0, render: 0, upload: 0, commit: 0, other: 0 };
  for (const p of sync.phases) out[p.phase] = round((out[p.phase] ?? 0) + p.seconds, 3);
  const inActivities = Object.values(out).reduce((a, b) => a + b, 0);
  out.workflow = round(Math.max(0, sync.wallSeconds - inActivities), 3);
  return out;
}

// --- the physical limit ------------------------------------------------------------------------

async function runRawPaging(input: RawPagingInput): Promise<RawPagingResult> {
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--import', 'tsx', join(REPO, 'bench/raw-paging.ts'), JSON.stringify(input)],
    { cwd: REPO, maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as RawPagingResult;
}

/** OpenSSH's own client uploading the same file to the same sshd (batch mode, key auth); seconds per run. */
async function rawUploads(sshd: SshdInstance, localPath: string, runs: number): Promise<number[]> {
  const remote = `${sshd.folder}/.bench-raw-upload`;
  const batch = join(sshd.dir, 'bench-upload.batch');
  writeFileSync(batch, `put ${localPath} ${remote}\n`);
  // The host key pinned, as the connector pins it.
  const knownHosts = join(sshd.dir, 'bench_known_hosts');
  const [type, key] = readFileSync(join(sshd.dir, 'host_ed25519.pub'), 'utf8').trim().split(/\s+/);
  writeFileSync(knownHosts, `[${sshd.host}]:${sshd.port} ${type} ${key}\n`);
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await execFileAsync('sftp', [
      '-q',
      '-b',
      batch,
      '-i',
      sshd.privateKeyPath,
      '-P',
      String(sshd.port),
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'LogLevel=ERROR',
      `${sshd.username}@${sshd.host}`,
    ]);
    seconds.push((performance.now() - t0) / 1000);
    if (statSync(remote).size !== statSync(localPath).size) throw new Error('raw upload: size differs');
    rmSync(remote, { force: true });
  }
  return seconds;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

// --- scenario 1: full sync of N lines ----------------------------------------------------------

interface SizeResult {
  lines: number;
  pageSize: number;
  sync: {
    wallSeconds: number;
    extracted: number;
    sent: number;
    quarantined: number;
    fileBytes: number;
    recordsPerSecond: number;
    mbPerSecond: number;
    window: { from: string; to: string };
  };
  phases: Record<string, number>;
  phaseDetail: PhaseFigure[];
  cpuPercent: Record<CpuGroup, number>;
  memory: { rssBeforeSyncMB: number; peakRssDuringSyncMB: number; vmHwmMB: number; method: string };
  temporal: {
    historyEvents: number;
    historyBytes: number;
    payloads: number;
    largestPayloadBytes: number;
    largestPayloadIn: string;
  };
  limit: {
    rawPaging: RawPagingResult & { recordsPerSecond: number; jsonMB: number };
    rawUpload: { seconds: number; runs: number[]; mbPerSecond: number };
    limitSeconds: number;
    ratio: number;
  };
  profile?: ProfileSlice[];
}

async function runSize(stack: Stack, lines: number, o: Options): Promise<SizeResult> {
  log(
    `Full sync of ${lines.toLocaleString('en-US')} journal lines (pageSize ${o.pageSize}, expand on: ` +
      `${Math.min(o.pageSize, EXPANDED_PAGE_SIZE)} batches a request)`,
  );
  const db = await createScratchDatabase(stack.pgServerUrl, 'mlc_bench');
  const sim = new FusionSimulator({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    // Well in the past, so every line is inside the first sync's window.
    generated: { journalLines: lines, from: Math.floor(Date.now() / 86_400_000 - 30) * 86_400_000 },
  });
  const simUrl = await sim.listen();
  const integrationId = 'bench-journal-lines';
  const taskQueue = `bench-${randomUUID()}`;
  const profileDir = o.profile ? join(REPO, `bench/results/profiles/size-${lines}`) : null;
  const config = {
    integrations: [
      integration(integrationId, simUrl, stack.sshd, { pageSize: o.pageSize, parallelPages: 1 }),
    ],
  };
  let worker: WorkerProcess | null = null;
  try {
    worker = await startWorkerProcess(
      stack,
      `size-${lines}`,
      config,
      db.url,
      taskQueue,
      profileDir,
      o.workerNodeArgs,
    );
    const sync = await measuredSync(stack, worker, taskQueue, integrationId);
    const vmHwm = peakRss(worker.pid);
    await worker.stop();
    const { result } = sync;
    if (!result.file) throw new Error(`The sync delivered no file: ${JSON.stringify(result)}`);
    const fileBytes = result.file.byteCount;
    log(
      `  synced in ${sync.wallSeconds.toFixed(1)} s: ${result.sent} lines, ${(fileBytes / MB).toFixed(1)} MB`,
    );

    let profile: ProfileSlice[] | undefined;
    const profilePath = profileDir ? latestProfile(profileDir) : null;
    if (profilePath) {
      profile = summariseProfile(
        profilePath,
        sync.phases
          .filter((p) => p.phase !== 'other')
          .map((p) => ({ name: p.phase, from: p.from, to: p.to })),
      );
    }

    log('  limit: raw paging of the same window (undici + JSON.parse, own process)');
    const raw = await runRawPaging({
      simUrl,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scope: DEFAULT_SCOPE,
      window: { from: result.windowFrom, to: result.windowTo },
      pageSize: o.pageSize,
      frameworkVersion: 4,
    });
    log(`  limit: OpenSSH sftp upload of the same ${(fileBytes / MB).toFixed(1)} MB × ${o.uploadRuns}`);
    const localPath = join(stack.sshd.folder, result.file.fileName);
    const uploads = await rawUploads(stack.sshd, localPath, o.uploadRuns);
    const uploadSeconds = median(uploads);
    rmSync(localPath, { force: true });
    const limitSeconds = raw.seconds + uploadSeconds;
    return {
      lines,
      pageSize: o.pageSize,
      sync: {
        wallSeconds: sync.wallSeconds,
        extracted: result.extracted,
        sent: result.sent,
        quarantined: result.quarantined,
        fileBytes,
        recordsPerSecond: Math.round(result.sent / sync.wallSeconds),
        mbPerSecond: round(fileBytes / MB / sync.wallSeconds),
        window: { from: result.windowFrom, to: result.windowTo },
      },
      phases: phaseTotals(sync),
      phaseDetail: sync.phases,
      cpuPercent: sync.cpuPercent,
      memory: {
        rssBeforeSyncMB: round(sync.rssBeforeSyncBytes / MB, 1),
        peakRssDuringSyncMB: round(sync.peakRssDuringSyncBytes / MB, 1),
        vmHwmMB: round(vmHwm / MB, 1),
        method: `worker as a child process (${workerMode === 'tsx' ? 'node --import tsx src/worker.ts' : 'node dist/src/worker.js'}); /proc/<pid>/status VmRSS every 100 ms, VmHWM at the end`,
      },
      temporal: {
        historyEvents: sync.history.events,
        historyBytes: sync.history.historyBytes,
        payloads: sync.history.payloads,
        largestPayloadBytes: sync.history.largestPayload.bytes,
        largestPayloadIn: sync.history.largestPayload.where,
      },
      limit: {
        rawPaging: {
          ...raw,
          seconds: round(raw.seconds, 3),
          recordsPerSecond: Math.round(raw.lines / raw.seconds),
          jsonMB: round(raw.bytes / MB, 1),
        },
        rawUpload: {
          seconds: round(uploadSeconds, 3),
          runs: uploads.map((s) => round(s, 3)),
          mbPerSecond: round(fileBytes / MB / uploadSeconds),
        },
        limitSeconds: round(limitSeconds, 3),
        ratio: round(sync.wallSeconds / limitSeconds),
      },
      ...(profile ? { profile } : {}),
    };
  } catch (err) {
    await worker?.stop();
    throw err;
  } finally {
    await sim.close();
    await db.dispose().catch(() => undefined);
  }
}

// --- scenario 2: parallel paging under latency --------------------------------------------------

interface LatencyRun {
  parallelPages: number;
  requests: number;
  stageSeconds: number;
  wallSeconds: number;
  sent: number;
  speedUp: number;
  efficiency: number;
  wallSpeedUp: number;
  cpuPercent: Record<CpuGroup, number>;
}

interface LatencyResult {
  latencyMs: number;
  lines: number;
  pageSize: number;
  runs: LatencyRun[];
}

async function runLatency(stack: Stack, o: Options): Promise<LatencyResult> {
  log(
    `Latency: ${o.latencyMs} ms per REST answer, ${o.latencyLines.toLocaleString('en-US')} lines, ` +
      `pageSize ${o.latencyPageSize}, parallelPages ${o.parallel.join(', ')}`,
  );
  const db = await createScratchDatabase(stack.pgServerUrl, 'mlc_bench');
  // The window is split into equal time slices, so the lines are spread evenly over one day that
  // ends just before now: each slice then holds the same share (the window's end moves with each
  // run, by minutes, a small fraction of the day).
  const layout = { linesPerHeader: 10, headersPerBatch: 2, batchesPerTimestamp: 2 };
  const batches = Math.ceil(Math.ceil(o.latencyLines / layout.linesPerHeader) / layout.headersPerBatch);
  const stamps = Math.ceil(batches / layout.batchesPerTimestamp);
  const stepMs = Math.max(1, Math.floor(86_400 / stamps)) * 1000;
  const from = Math.floor(Date.now() / 1000) * 1000 - stamps * stepMs - 60_000;
  const sim = new FusionSimulator({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    generated: { journalLines: o.latencyLines, from, stepMs, ...layout },
  });
  const simUrl = await sim.listen();
  const taskQueue = `bench-${randomUUID()}`;
  const id = (p: number) => `bench-latency-p${p}`;
  const config = {
    integrations: o.parallel.map((p) =>
      integration(id(p), simUrl, stack.sshd, {
        pageSize: o.latencyPageSize,
        parallelPages: p,
        initialWatermark: new Date(from).toISOString(),
        overlapSeconds: 1,
      }),
    ),
  };
  let worker: WorkerProcess | null = null;
  try {
    worker = await startWorkerProcess(stack, 'latency', config, db.url, taskQueue, null, o.workerNodeArgs);
    sim.faults.set({ latency: { ms: o.latencyMs, target: 'rest' } });
    const runs: LatencyRun[] = [];
    for (const p of o.parallel) {
      const before = sim.stats.requests.journalBatches ?? 0;
      const sync = await measuredSync(stack, worker, taskQueue, id(p));
      const stageSeconds = phaseTotals(sync).stage ?? 0;
      if (sync.result.file) rmSync(join(stack.sshd.folder, sync.result.file.fileName), { force: true });
      const base = runs[0];
      const speedUp = base ? base.stageSeconds / stageSeconds : 1;
      const relative = base ? p / base.parallelPages : 1;
      runs.push({
        parallelPages: p,
        requests: (sim.stats.requests.journalBatches ?? 0) - before,
        stageSeconds: round(stageSeconds, 3),
        wallSeconds: sync.wallSeconds,
        sent: sync.result.sent,
        speedUp: round(speedUp),
        efficiency: round(speedUp / relative),
        wallSpeedUp: round(base ? base.wallSeconds / sync.wallSeconds : 1),
        cpuPercent: sync.cpuPercent,
      });
      log(`  parallelPages ${p}: stage ${stageSeconds.toFixed(2)} s, wall ${sync.wallSeconds.toFixed(2)} s`);
    }
    await worker.stop();
    return { latencyMs: o.latencyMs, lines: o.latencyLines, pageSize: o.latencyPageSize, runs };
  } catch (err) {
    await worker?.stop();
    throw err;
  } finally {
    await sim.close();
    await db.dispose().catch(() => undefined);
  }
}

// --- targets and the report ---------------------------------------------------------------------

interface Target {
  target: string;
  measured: string;
  met: boolean | null;
}

function targets(sizes: SizeResult[], latency: LatencyResult | null): Target[] {
  const out: Target[] = [];
  const fmt = (n: number) => n.toLocaleString('en-US');
  for (const s of sizes) {
    out.push({
      target: `end to end ≤ 1.5× the limit (${fmt(s.lines)} lines)`,
      measured: `${s.limit.ratio}× (${s.sync.wallSeconds} s vs ${s.limit.limitSeconds} s)`,
      met: s.limit.ratio <= 1.5,
    });
    out.push({
      target: `peak worker RSS ≤ 300 MB (${fmt(s.lines)} lines)`,
      measured: `${s.memory.peakRssDuringSyncMB} MB during the sync (VmHWM ${s.memory.vmHwmMB} MB)`,
      met: s.memory.peakRssDuringSyncMB <= 300,
    });
    out.push({
      target: `no history payload over 256 KB (${fmt(s.lines)} lines)`,
      measured: `largest ${fmt(s.temporal.largestPayloadBytes)} B (${s.temporal.largestPayloadIn})`,
      met: s.temporal.largestPayloadBytes <= 256 * 1024,
    });
  }
  const sorted = [...sizes].sort((a, b) => a.lines - b.lines);
  const small = sorted[0];
  const large = sorted.at(-1);
  if (small && large && small !== large) {
    const ratio = large.memory.peakRssDuringSyncMB / small.memory.peakRssDuringSyncMB;
    out.push({
      target: `peak RSS within 1.2× from ${fmt(small.lines)} to ${fmt(large.lines)} lines`,
      measured: `${round(ratio)}× (${small.memory.peakRssDuringSyncMB} → ${large.memory.peakRssDuringSyncMB} MB)`,
      met: ratio <= 1.2,
    });
    const eventsGrowth = large.temporal.historyEvents / small.temporal.historyEvents;
    out.push({
      target: 'history grows with pages, not records',
      measured:
        `${small.temporal.historyEvents} → ${large.temporal.historyEvents} events, ` +
        `${fmt(small.temporal.historyBytes)} → ${fmt(large.temporal.historyBytes)} B for ${round(large.lines / small.lines, 1)}× the records`,
      met: eventsGrowth < 1.5,
    });
  }
  const at4 = latency?.runs.find((r) => r.parallelPages === 4);
  if (latency && at4) {
    out.push({
      target: 'parallel efficiency ≥ 0.8 at parallelPages 4 (extraction under latency)',
      measured: `${at4.efficiency} (speed-up ${at4.speedUp}× on the stage phase)`,
      met: at4.efficiency >= 0.8,
    });
  }
  return out;
}

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toLocaleString('en-US') : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => String(r[i] ?? '').length)));
  // Figures right-aligned, words left-aligned.
  const numeric = headers.map((_, i) => cells.every((r) => /^[-\d.,×%]*$/.test(String(r[i] ?? ''))));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 || !numeric[i] ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [
    line(headers),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map((r) => line(r.map(String))),
  ].join('\n');
}

function report(sizes: SizeResult[], latency: LatencyResult | null, checks: Target[]): string {
  const out: string[] = [];
  if (sizes.length) {
    out.push('Full sync: journal lines → CSV on OpenSSH sftp (real workflow, worker in its own process)');
    out.push(
      table(
        [
          'lines',
          'wall s',
          'records/s',
          'MB/s',
          'file MB',
          'stage s',
          'render s',
          'upload s',
          'commit s',
          'other s',
          'peak RSS MB',
          'VmHWM MB',
          'events',
          'history B',
          'max payload B',
        ],
        sizes.map((s) => [
          s.lines,
          s.sync.wallSeconds.toFixed(1),
          s.sync.recordsPerSecond,
          s.sync.mbPerSecond.toFixed(2),
          (s.sync.fileBytes / MB).toFixed(1),
          s.phases.stage!.toFixed(1),
          s.phases.render!.toFixed(1),
          s.phases.upload!.toFixed(1),
          s.phases.commit!.toFixed(1),
          (s.phases.other! + s.phases.workflow!).toFixed(1),
          s.memory.peakRssDuringSyncMB.toFixed(0),
          s.memory.vmHwmMB.toFixed(0),
          s.temporal.historyEvents,
          s.temporal.historyBytes,
          s.temporal.largestPayloadBytes,
        ]),
      ),
    );
    out.push('', 'The limit, measured in the same run (same window, same bytes, same sshd)');
    out.push(
      table(
        [
          'lines',
          'raw paging s',
          'raw records/s',
          'JSON MB',
          'requests',
          'batches each',
          'sftp put s',
          'sftp MB/s',
          'limit s',
          'end to end / limit',
        ],
        sizes.map((s) => [
          s.lines,
          s.limit.rawPaging.seconds.toFixed(1),
          s.limit.rawPaging.recordsPerSecond,
          s.limit.rawPaging.jsonMB.toFixed(0),
          s.limit.rawPaging.pages,
          s.limit.rawPaging.limit,
          s.limit.rawUpload.seconds.toFixed(2),
          s.limit.rawUpload.mbPerSecond.toFixed(0),
          s.limit.limitSeconds.toFixed(1),
          `${s.limit.ratio.toFixed(2)}×`,
        ]),
      ),
    );
    out.push('', 'CPU during each phase, % of one core (2 cores = 200 %)');
    out.push(
      table(
        ['lines', 'phase', 's', 'worker', 'postgres', 'simulator', 'sshd', 'temporal', 'worker peak RSS MB'],
        sizes.flatMap((s) =>
          s.phaseDetail
            .filter((p) => p.phase !== 'other')
            .map((p) => [
              s.lines,
              p.phase + (p.attempt > 1 ? ` (attempt ${p.attempt})` : ''),
              p.seconds.toFixed(1),
              p.cpuPercent.worker,
              p.cpuPercent.postgres,
              p.cpuPercent.simulator,
              p.cpuPercent.sshd,
              p.cpuPercent.temporal,
              p.peakRssMB.toFixed(0),
            ]),
        ),
      ),
    );
    for (const s of sizes) {
      if (!s.profile) continue;
      out.push(
        '',
        `Worker CPU profile, ${s.lines.toLocaleString('en-US')} lines: self time by owner per phase`,
      );
      for (const slice of s.profile) {
        out.push(
          `  ${slice.name.padEnd(7)} ${(slice.totalMs / 1000).toFixed(1)} s: ` +
            slice.byOwner.map((b) => `${b.owner} ${(b.ms / 1000).toFixed(1)}`).join(', '),
        );
      }
    }
  }
  if (latency) {
    out.push(
      '',
      `Parallel paging under latency: ${latency.latencyMs} ms per REST answer, ${latency.lines.toLocaleString('en-US')} lines, pageSize ${latency.pageSize}`,
    );
    out.push(
      table(
        ['parallelPages', 'requests', 'stage s', 'speed-up', 'efficiency', 'wall s', 'wall speed-up'],
        latency.runs.map((r) => [
          r.parallelPages,
          r.requests,
          r.stageSeconds.toFixed(2),
          `${r.speedUp.toFixed(2)}×`,
          r.efficiency.toFixed(2),
          r.wallSeconds.toFixed(2),
          `${r.wallSpeedUp.toFixed(2)}×`,
        ]),
      ),
    );
  }
  out.push('', 'Targets (reported, not asserted)');
  out.push(
    table(
      ['target', 'measured', 'met'],
      checks.map((c) => [c.target, c.measured, c.met === null ? '–' : c.met ? 'yes' : 'NO']),
    ),
  );
  return out.join('\n');
}

async function machine(stack: Stack) {
  const os = await import('node:os');
  const pg = await import('pg');
  const client = new pg.Client({ connectionString: stack.pgServerUrl });
  await client.connect();
  const pgVersion = (await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`))
    .rows[0]!.v;
  await client.end();
  const ssh = await execFileAsync('ssh', ['-V']).then(
    (r) => (r.stderr || r.stdout).trim(),
    () => 'unknown',
  );
  return {
    cpus: os.cpus().length,
    /** 1-minute load average when the benchmark started: above ~0.5 something else was running. */
    loadAverage1m: round(os.loadavg()[0] ?? 0),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGB: round(os.totalmem() / 1e9, 1),
    node: process.version,
    postgres: pgVersion,
    openssh: ssh,
    temporal: stack.temporalAddress,
  };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  workerMode = o.worker;
  if (workerMode === 'compiled') {
    log('Compiling the worker (npm run build)');
    await promisify(execFile)('npm', ['run', '-s', 'build'], { cwd: REPO });
  }
  const started = new Date().toISOString();
  const stack = await startStack();
  const sizes: SizeResult[] = [];
  let latency: LatencyResult | null = null;
  let host: Awaited<ReturnType<typeof machine>>;
  try {
    host = await machine(stack);
    for (const lines of o.sizes) sizes.push(await runSize(stack, lines, o));
    if (o.latencyMs > 0 && o.parallel.length) latency = await runLatency(stack, o);
  } finally {
    await stack.close();
  }
  const checks = targets(sizes, latency);
  const results = {
    started,
    finished: new Date().toISOString(),
    machine: host,
    options: o,
    sizes,
    latency,
    targets: checks,
  };
  console.log(report(sizes, latency, checks));
  mkdirSync(join(o.out, '..'), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nJSON (also in ${o.out}):`);
  console.log(JSON.stringify(results, null, 2));
}

process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
