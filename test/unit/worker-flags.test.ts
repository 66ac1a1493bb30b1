import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heapLimitNotApplied, workerNodeFlags, workerSchema } from '../../src/config';

// The worker's heap limit comes from its configuration (worker.heapLimitMB): bin/ml-connector-worker
// passes it to node, unless the operator already gave one, and the worker says when it is not in effect.

const MiB = 2 ** 20;

describe('worker node flags from the configuration', () => {
  it('adds --max-old-space-size from worker.heapLimitMB, the default when absent', () => {
    const defaults = workerSchema.parse({});
    assert.deepEqual(workerNodeFlags(defaults, []), [`--max-old-space-size=${defaults.heapLimitMB}`]);
    assert.deepEqual(workerNodeFlags(workerSchema.parse({ heapLimitMB: 256 }), ['--enable-source-maps']), [
      '--max-old-space-size=256',
    ]);
  });

  it('adds none when the operator set a heap limit (NODE_OPTIONS or the launcher arguments)', () => {
    const worker = workerSchema.parse({ heapLimitMB: 256 });
    assert.deepEqual(workerNodeFlags(worker, ['--max-old-space-size=512']), []);
    assert.deepEqual(workerNodeFlags(worker, ['--max-old-space-size', '512']), []);
  });

  it('says when the configured limit is not in effect, and not when it is', () => {
    const worker = workerSchema.parse({ heapLimitMB: 160 });
    const message = heapLimitNotApplied(worker, 4144 * MiB, []);
    assert.match(message ?? '', /worker\.heapLimitMB is 160 but this process runs with a 4144 MB heap limit/);
    assert.match(message ?? '', /bin\/ml-connector-worker/);
    assert.equal(heapLimitNotApplied(worker, 208 * MiB, []), null); // 160 + the young generation
    assert.equal(heapLimitNotApplied(worker, 4144 * MiB, ['--max-old-space-size=4096']), null);
  });

  it('refuses a heap limit too small to start the worker, and unknown keys', () => {
    assert.throws(() => workerSchema.parse({ heapLimitMB: 64 }));
    assert.throws(() => workerSchema.parse({ heapLimitMb: 256 }));
  });
});
