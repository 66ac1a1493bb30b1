import { readRuntimeEnv } from './env';
import { loadConfig } from './load';
import type { WorkerConfig } from './schema';

// The node flags the worker runs with, from its configuration (worker.heapLimitMB, semiSpaceMB,
// heapGrowingPercent):
// printed by `node dist/src/config/workerFlags.js` for bin/ml-connector-worker, which then execs
// node with them. A flag given by the operator (NODE_OPTIONS or the launcher's own arguments) wins:
// ours is not added then. A configuration that cannot be read prints nothing; the worker itself then reports
// it, with file positions, as it always does.

// node takes V8's flags with dashes or underscores alike.
const HEAP_FLAG = /--max[-_]old[-_]space[-_]size[=\s]/;
const SEMI_SPACE_FLAG = /--max[-_]semi[-_]space[-_]size[=\s]/;
const GROWING_FLAG = /--heap[-_]growing[-_]percent[=\s]/;

const given = (explicit: readonly string[], flag: RegExp) => explicit.some((f) => flag.test(`${f} `));

/**
 * `--max-old-space-size=<worker.heapLimitMB>` and `--max-semi-space-size=<worker.semiSpaceMB>`,
 * and `--heap-growing-percent=<worker.heapGrowingPercent>` when it is set, each unless `explicit`
 * flags already set it.
 */
export function workerNodeFlags(worker: WorkerConfig, explicit: readonly string[]): string[] {
  return [
    ...(given(explicit, HEAP_FLAG) ? [] : [`--max-old-space-size=${worker.heapLimitMB}`]),
    ...(given(explicit, SEMI_SPACE_FLAG) ? [] : [`--max-semi-space-size=${worker.semiSpaceMB}`]),
    ...(worker.heapGrowingPercent === undefined || given(explicit, GROWING_FLAG)
      ? []
      : [`--heap-growing-percent=${worker.heapGrowingPercent}`]),
  ];
}

/**
 * Why the configured heap limit is not in effect, or null when it is: V8's heap_size_limit is the
 * old space plus the young generation (3 × semiSpaceMB), so a limit set from `heapLimitMB` is a
 * little above it.
 */
export function heapLimitNotApplied(
  worker: WorkerConfig,
  heapSizeLimitBytes: number,
  explicit: readonly string[],
): string | null {
  if (given(explicit, HEAP_FLAG)) return null; // the operator set one
  const inEffect = Math.round(heapSizeLimitBytes / 2 ** 20);
  if (inEffect <= worker.heapLimitMB + 3 * worker.semiSpaceMB + 128) return null;
  return (
    `worker.heapLimitMB is ${worker.heapLimitMB} but this process runs with a ${inEffect} MB heap limit: ` +
    `start the worker with bin/ml-connector-worker (as the image does), or node --max-old-space-size=${worker.heapLimitMB}`
  );
}

/**
 * Why the configured heap growing factor is not in effect, or null when it is (or none is set):
 * unlike the heap limit, V8 does not report it, and NODE_OPTIONS cannot carry it, so it is in
 * effect exactly when the process was started with the flag.
 */
export function heapGrowingNotApplied(worker: WorkerConfig, execArgv: readonly string[]): string | null {
  if (worker.heapGrowingPercent === undefined || given(execArgv, GROWING_FLAG)) return null;
  return (
    `worker.heapGrowingPercent is ${worker.heapGrowingPercent} but this process was started without ` +
    `--heap-growing-percent: start the worker with bin/ml-connector-worker (as the image does), or node --heap-growing-percent=${worker.heapGrowingPercent}`
  );
}

if (require.main === module) {
  try {
    const config = loadConfig(readRuntimeEnv().ML_CONNECTOR_CONFIG);
    const explicit = [...(process.env.NODE_OPTIONS ?? '').split(/\s+/), ...process.argv.slice(2)];
    process.stdout.write(`${workerNodeFlags(config.worker, explicit).join(' ')}\n`);
  } catch {
    process.stdout.write('\n');
  }
}
