import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

// Node 24's V8 (13.x) keeps the heap pages a garbage collection frees in a pool of the isolate,
// committed and resident, for its next allocations; only a memory-reducing collection gives them
// back to the system, and nothing in a Node server ever asks for one (Node 20's V8 unmapped them
// at once). So the worker's RSS stayed at the heap's high-water mark: a staging's pages were
// still held while the render and the upload added their own buffers on top, and after the sync.
// The worker asks for one after each long activity instead.

/** An activity that ran this long has grown the heap; its pages are released when it ends. */
const LONG_ACTIVITY_MS = 1000;

/** Releases closer together than this are one (several syncs ending their stages together). */
const MIN_INTERVAL_MS = 1000;

/** V8 12 and later pool freed pages (Node 22, 24); Node 20's V8 11 unmaps them. */
const POOLING_V8 = Number(process.versions.v8.split('.')[0]) >= 12;

type GcFunction = (options?: { type?: string; execution?: string; flavor?: string }) => void;

/**
 * V8's gc(), without exposing it to the rest of the process: the flag is set only while one new
 * context is made (contexts made later, the workflows' among them, get no `gc`). Null if this
 * V8 gives none.
 */
function exposedGc(): GcFunction | null {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as GcFunction; // node --expose-gc: the operator's
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
    return typeof gc === 'function' ? (gc as GcFunction) : null;
  } catch {
    return null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

export interface HeapReleaser {
  /** A memory-reducing collection now: what is garbage is collected and the freed pages given back. */
  release(): void;
  /** After an activity of `ms`: a release when it was a long one (and none ran just before). */
  afterActivity(ms: number): void;
  /** Releases done so far. */
  readonly releases: number;
}

export function heapReleaser(now: () => number = () => performance.now()): HeapReleaser {
  const gc = exposedGc();
  let releases = 0;
  let last = Number.NEGATIVE_INFINITY;
  const release = () => {
    if (!gc) return;
    // 'last-resort': the collection V8 runs before it gives up on memory, which empties the pool.
    // Node 20's V8 (11) has no pool, and with options it collected nothing: a plain gc() there.
    if (POOLING_V8) gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    else gc();
    last = now();
    releases++;
  };
  return {
    release,
    afterActivity(ms) {
      if (ms >= LONG_ACTIVITY_MS && now() - last >= MIN_INTERVAL_MS) release();
    },
    get releases() {
      return releases;
    },
  };
}

/** Temporal activity interceptors: each activity timed, the releaser told when it ends. */
export function heapReleaseInterceptor(releaser: HeapReleaser): ActivityInterceptorsFactory {
  return () => ({
    inbound: {
      async execute(input, next) {
        const started = performance.now();
        try {
          return await next(input);
        } finally {
          try {
            releaser.afterActivity(performance.now() - started);
          } catch {
            // Memory housekeeping never decides an activity's outcome.
          }
        }
      },
    },
  });
}
