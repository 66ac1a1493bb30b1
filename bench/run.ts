import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { log, type Options, REPO, startBenchStack } from './common';
import { machine, printAndSave, targets } from './report';
import { type AdaptiveResult, runAdaptive } from './scenarios/adaptive';
import { type ConcurrentResult, runConcurrent } from './scenarios/concurrent';
import { runSize, type SizeResult } from './scenarios/fullSync';
import { type LatencyResult, runLatency } from './scenarios/latency';
import { type ManyIntegrationsResult, runManyIntegrations } from './scenarios/manyIntegrations';
import { runSmallSync, type SmallSyncResult } from './scenarios/smallSync';

// `npm run bench`: one full sync of N generated journal lines through the real workflow and a
// real worker process (Temporal, Postgres, OpenSSH sshd, the Fusion simulator, all on loopback),
// measured against the physical limit taken in the same run (raw paging of the same window,
// OpenSSH's own sftp upload of the same bytes), then parallel paging under Fusion latency.
// It prints figures and compares them with the targets; it asserts nothing.
// This file parses the options and runs the scenarios they choose (bench/scenarios/), on the
// services of the dev harness (bench/common.ts); bench/report.ts prints the tables and the JSON.

const USAGE = `npm run bench -- [options]
  --sizes 100000,1000000   journal lines per full sync (default both; "none" skips)
  --page-size 500          fusion.pageSize of the full syncs (journal batches of 20 lines)
  --parallel-pages adaptive  fusion.parallelPages of the full and concurrent syncs (adaptive: unset, the shipped default; or a number)
  --latency 300            ms the simulator waits before every REST answer in the latency runs (0 skips them)
  --latency-lines 20000    lines of the latency runs' window
  --latency-page-size 25   fusion.pageSize of the latency runs (25 batches = 500 lines a request)
  --parallel 1,2,4,8       fusion.parallelPages values of the latency runs
  --adaptive-lines 100000  lines of the adaptive-paging run (parallelPages unset, pod latency 0.5–2 s a page; 0 skips it)
  --rate-limit 4           the pod's request-rate limit in the adaptive run, requests/s
  --small-syncs 20         incremental syncs of 10 changed lines each, beside their floors (0 skips them)
  --concurrent 4           full syncs one worker runs at once, one integration each (0 skips them)
  --concurrent-lines 100000 journal lines each concurrent sync reads
  --integrations 50,100,200
                           scheduled integrations on one worker, one round each: start time, idle CPU and RSS,
                           a restart's replan (0 or none skips them)
  --idle-seconds 60        the idle period of each many-integrations round
  --cycles 3               planning cycles on a 20 s schedule whose Temporal actions are counted (0 skips them)
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
    parallelPages: null,
    latencyMs: 300,
    latencyLines: 20_000,
    latencyPageSize: 25,
    parallel: [1, 2, 4, 8],
    uploadRuns: 3,
    adaptiveLines: 100_000,
    rateLimit: 4,
    smallSyncRuns: 20,
    concurrent: 4,
    concurrentLines: 100_000,
    manyIntegrations: [50, 100, 200],
    manyIdleSeconds: 60,
    manyBaselineSeconds: 10,
    manyCycles: 3,
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
    else if (flag === '--parallel-pages') {
      const v = value();
      o.parallelPages = v === 'adaptive' ? null : Number(v);
    } else if (flag === '--latency') o.latencyMs = Number(value());
    else if (flag === '--latency-lines') o.latencyLines = Number(value());
    else if (flag === '--latency-page-size') o.latencyPageSize = Number(value());
    else if (flag === '--parallel') o.parallel = list(value());
    else if (flag === '--upload-runs') o.uploadRuns = Number(value());
    else if (flag === '--adaptive-lines') o.adaptiveLines = Number(value());
    else if (flag === '--rate-limit') o.rateLimit = Number(value());
    else if (flag === '--small-syncs') o.smallSyncRuns = Number(value());
    else if (flag === '--concurrent') o.concurrent = Number(value());
    else if (flag === '--concurrent-lines') o.concurrentLines = Number(value());
    else if (flag === '--integrations') o.manyIntegrations = list(value()).filter((n) => n !== 0);
    else if (flag === '--idle-seconds') o.manyIdleSeconds = Number(value());
    else if (flag === '--cycles') o.manyCycles = Number(value());
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
  const bad = [
    ...o.sizes,
    ...o.parallel,
    ...o.manyIntegrations,
    o.manyIdleSeconds,
    o.pageSize,
    o.latencyLines,
    o.latencyPageSize,
    o.uploadRuns,
    o.concurrentLines,
    o.parallelPages ?? 1,
  ].some((n) => !Number.isInteger(n) || n < 1);
  if (
    bad ||
    !(o.latencyMs >= 0) ||
    !(Number.isInteger(o.adaptiveLines) && o.adaptiveLines >= 0) ||
    !(o.rateLimit > 0) ||
    !(Number.isInteger(o.smallSyncRuns) && o.smallSyncRuns >= 0) ||
    !(Number.isInteger(o.concurrent) && o.concurrent >= 0) ||
    !(Number.isInteger(o.manyCycles) && o.manyCycles >= 0)
  )
    throw new Error(`Sizes, page sizes and counts are positive integers\n${USAGE}`);
  return o;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.worker === 'compiled') {
    log('Compiling the worker (npm run build)');
    await promisify(execFile)('npm', ['run', '-s', 'build'], { cwd: REPO });
  }
  const started = new Date().toISOString();
  const stack = await startBenchStack();
  const sizes: SizeResult[] = [];
  let latency: LatencyResult | null = null;
  let adaptive: AdaptiveResult | null = null;
  let smallSync: SmallSyncResult | null = null;
  let concurrent: ConcurrentResult | null = null;
  let many: ManyIntegrationsResult | null = null;
  let host: Awaited<ReturnType<typeof machine>>;
  try {
    host = await machine(stack);
    for (const lines of o.sizes) sizes.push(await runSize(stack, lines, o));
    if (o.latencyMs > 0 && o.parallel.length) latency = await runLatency(stack, o);
    if (o.adaptiveLines > 0) adaptive = await runAdaptive(o);
    if (o.smallSyncRuns > 0) smallSync = await runSmallSync(stack, o);
    if (o.concurrent > 0) concurrent = await runConcurrent(stack, o);
    if (o.manyIntegrations.length || o.manyCycles > 0) many = await runManyIntegrations(stack, o);
  } finally {
    await stack.close();
  }
  const checks = targets(sizes, latency, adaptive, smallSync, concurrent, many);
  printAndSave(
    {
      started,
      finished: new Date().toISOString(),
      machine: host,
      options: o,
      sizes,
      latency,
      adaptive,
      smallSync,
      concurrent,
      many,
      targets: checks,
    },
    o.out,
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
