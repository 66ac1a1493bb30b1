import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { heapGrowingNotApplied, heapLimitNotApplied, workerNodeFlags, workerSchema } from '../../src/config';

// The worker's heap limit, young generation and heap growing factor come from its configuration
// (worker.heapLimitMB, semiSpaceMB, heapGrowingPercent): bin/ml-connector-worker passes them to
// node, unless the operator already gave them, and the worker says when one is not in effect.

const MiB = 2 ** 20;
const REPO = join(__dirname, '../..');

describe('worker node flags from the configuration', () => {
  it('adds --max-old-space-size and --max-semi-space-size from the worker settings, the defaults when absent', () => {
    const defaults = workerSchema.parse({});
    assert.deepEqual(workerNodeFlags(defaults, []), [
      `--max-old-space-size=${defaults.heapLimitMB}`,
      `--max-semi-space-size=${defaults.semiSpaceMB}`,
    ]);
    assert.deepEqual(
      workerNodeFlags(workerSchema.parse({ heapLimitMB: 256, semiSpaceMB: 16 }), ['--enable-source-maps']),
      ['--max-old-space-size=256', '--max-semi-space-size=16'],
    );
  });

  it("adds --heap-growing-percent only when heapGrowingPercent is set, and not over the operator's", () => {
    const growing = workerSchema.parse({ heapGrowingPercent: 100 });
    assert.deepEqual(workerNodeFlags(growing, []), [
      `--max-old-space-size=${growing.heapLimitMB}`,
      `--max-semi-space-size=${growing.semiSpaceMB}`,
      '--heap-growing-percent=100',
    ]);
    for (const own of ['--heap-growing-percent=50', '--heap_growing_percent=50'])
      assert.deepEqual(workerNodeFlags(growing, [own]), [
        `--max-old-space-size=${growing.heapLimitMB}`,
        `--max-semi-space-size=${growing.semiSpaceMB}`,
      ]);
    assert.deepEqual(workerNodeFlags(growing, ['--max_old_space_size=512', '--max_semi_space_size=8']), [
      '--heap-growing-percent=100',
    ]);
    assert.ok(
      !workerNodeFlags(workerSchema.parse({}), []).some((f) => f.startsWith('--heap-growing-percent')),
    );
    for (const bad of [0, 9, 401, 50.5, '100'])
      assert.throws(() => workerSchema.parse({ heapGrowingPercent: bad }));
  });

  it('adds neither one the operator set (NODE_OPTIONS or the launcher arguments)', () => {
    const worker = workerSchema.parse({ heapLimitMB: 256 });
    assert.deepEqual(workerNodeFlags(worker, ['--max-old-space-size=512']), ['--max-semi-space-size=4']);
    assert.deepEqual(workerNodeFlags(worker, ['--max-old-space-size', '512', '--max-semi-space-size=2']), []);
    assert.deepEqual(workerNodeFlags(worker, ['--max-semi-space-size', '4']), ['--max-old-space-size=256']);
  });

  it('says when the configured limit is not in effect, and not when it is', () => {
    const worker = workerSchema.parse({ heapLimitMB: 160 });
    const message = heapLimitNotApplied(worker, 4144 * MiB, []);
    assert.match(message ?? '', /worker\.heapLimitMB is 160 but this process runs with a 4144 MB heap limit/);
    assert.match(message ?? '', /bin\/ml-connector-worker/);
    assert.equal(heapLimitNotApplied(worker, 208 * MiB, []), null); // 160 + the young generation
    // A larger young generation is part of V8's limit too, and no sign that the limit is missing.
    const young = workerSchema.parse({ heapLimitMB: 160, semiSpaceMB: 64 });
    assert.equal(heapLimitNotApplied(young, (160 + 3 * 64) * MiB, []), null);
    assert.equal(heapLimitNotApplied(worker, 4144 * MiB, ['--max-old-space-size=4096']), null);
    // A semi-space of the operator's is not a heap limit: the configured one is still missing.
    assert.ok(heapLimitNotApplied(worker, 4144 * MiB, ['--max-semi-space-size=4']));
  });

  it('says when the configured heap growing factor is not in effect, and not when it is or none is set', () => {
    const growing = workerSchema.parse({ heapGrowingPercent: 100 });
    assert.match(
      heapGrowingNotApplied(growing, ['--max-old-space-size=160']) ?? '',
      /worker\.heapGrowingPercent is 100 but this process was started without --heap-growing-percent/,
    );
    assert.equal(heapGrowingNotApplied(growing, ['--heap-growing-percent=100']), null);
    assert.equal(heapGrowingNotApplied(growing, ['--heap_growing_percent=50']), null); // the operator's own
    assert.equal(heapGrowingNotApplied(workerSchema.parse({}), []), null);
  });

  it('refuses a heap limit too small to start the worker, and unknown keys', () => {
    assert.throws(() => workerSchema.parse({ heapLimitMB: 64 }));
    assert.throws(() => workerSchema.parse({ heapLimitMb: 256 }));
    assert.throws(() => workerSchema.parse({ semiSpaceMB: 0 }));
  });
});

describe('bin/ml-connector-worker', () => {
  // A stand-in `node` first on PATH: it prints its flags for the first call (workerFlags.js) and
  // the environment and arguments it was exec'd with for the second (the worker).
  const launch = (env: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'mlc-launcher-'));
    try {
      const fake = join(dir, 'node');
      writeFileSync(
        fake,
        '#!/bin/sh\ncase "$1" in *workerFlags.js) echo --max-old-space-size=160;; ' +
          '*) echo "arena=$MALLOC_ARENA_MAX mmap=$MALLOC_MMAP_THRESHOLD_ args=$*";; esac\n',
      );
      chmodSync(fake, 0o755);
      const { MALLOC_ARENA_MAX: _a, MALLOC_MMAP_THRESHOLD_: _m, ...rest } = process.env;
      return execFileSync(join(REPO, 'bin/ml-connector-worker'), ['--enable-source-maps'], {
        env: { ...rest, PATH: `${dir}:${process.env.PATH ?? ''}`, ...env },
        encoding: 'utf8',
      }).trim();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('execs node with the configured flags and glibc malloc settings that return freed memory', () => {
    assert.equal(
      launch({}),
      `arena=2 mmap=131072 args=--max-old-space-size=160 --enable-source-maps ${join(REPO, 'dist/src/worker.js')}`,
    );
  });

  it("keeps the operator's own malloc settings", () => {
    assert.match(
      launch({ MALLOC_ARENA_MAX: '8', MALLOC_MMAP_THRESHOLD_: '1048576' }),
      /^arena=8 mmap=1048576 /,
    );
  });
});
