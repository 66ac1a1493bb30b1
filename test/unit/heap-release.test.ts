import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { type HeapReleaser, heapReleaseInterceptor, heapReleaser } from '../../src/temporal/heapRelease';

// After a long activity the worker asks V8 for a memory-reducing collection, so that the heap
// pages the activity freed go back to the system (Node 24's V8 pools them, resident, otherwise).

const MODULE = join(__dirname, '../../src/temporal/heapRelease.ts');

/**
 * A fresh process makes ~120 MB of objects and drops them; its anonymous RSS (MB) then, 300 ms
 * later with nothing done, and 300 ms after a release.
 */
function rssAroundRelease(): { dropped: number; idle: number; after: number } {
  const code = `
    const { heapReleaser } = require(${JSON.stringify(MODULE)});
    const anon = () => Number(/RssAnon:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
    const releaser = heapReleaser();
    let keep = [];
    for (let i = 0; i < 700000; i++) keep.push({ a: 'x' + i, b: i, c: [i, i + 1] });
    keep = null;
    const dropped = anon();
    setTimeout(() => {
      const idle = anon();
      releaser.release();
      // Node 20's V8 unmaps freed pages on a thread of its own, shortly after a collection.
      setTimeout(() => console.log(JSON.stringify({ dropped, idle, after: anon() })), 300);
    }, 300);`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

describe('heap release after long activities', () => {
  it('gives the pages of dropped objects back to the system', () => {
    const { dropped, idle, after } = rssAroundRelease();
    const mb = (n: number) => `${n.toFixed(0)} MB`;
    if (idle > dropped - 30) {
      // Node 24's V8: the pages stay resident, pooled, until a memory-reducing collection.
      assert.ok(after < idle - 60, `after the release ${mb(after)}, before it ${mb(idle)}`);
    } else {
      // Node 20's V8 gave them back on its own: the release has nothing to do, and costs nothing.
      assert.ok(after <= idle + 15, `after the release ${mb(after)}, before it ${mb(idle)}`);
    }
  });

  it('leaves gc() out of the process: neither this context nor a new one has it', () => {
    heapReleaser();
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
    assert.equal(runInNewContext('typeof gc'), 'undefined');
  });

  it("never changes an activity's outcome: its result or its error comes through a failing release", async () => {
    const failing: HeapReleaser = {
      release() {},
      afterActivity() {
        throw new Error('release failed');
      },
      releases: 0,
    };
    const { inbound } = heapReleaseInterceptor(failing)({} as never);
    const input = { args: [], headers: {} } as never;
    assert.equal(await inbound!.execute!(input, async () => 'uploaded'), 'uploaded');
    await assert.rejects(
      inbound!.execute!(input, async () => {
        throw new Error('the activity failed');
      }),
      /the activity failed/,
    );
  });

  it('releases after a long activity only, and once for several ending together', () => {
    let clock = 0;
    const releaser = heapReleaser(() => clock);
    releaser.afterActivity(40); // a small sync's step
    assert.equal(releaser.releases, 0);
    releaser.afterActivity(5_000);
    assert.equal(releaser.releases, 1);
    clock += 200;
    releaser.afterActivity(6_000); // another sync's stage, ending 0.2 s later
    assert.equal(releaser.releases, 1);
    clock += 1_000;
    releaser.afterActivity(2_000);
    assert.equal(releaser.releases, 2);
  });
});
