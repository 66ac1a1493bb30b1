import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { heapReleaser } from '../../src/temporal/heapRelease';

// After a long activity the worker asks V8 for a memory-reducing collection, so that the heap
// pages the activity freed go back to the system (Node 24's V8 pools them, resident, otherwise).

const MODULE = join(__dirname, '../../src/temporal/heapRelease.ts');

/** A fresh process: ~120 MB of objects made and dropped, its anonymous RSS (MB) then and after. */
function rssAroundRelease(release: boolean): { dropped: number; after: number } {
  const code = `
    const { heapReleaser } = require(${JSON.stringify(MODULE)});
    const anon = () => Number(/RssAnon:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
    const releaser = heapReleaser();
    let keep = [];
    for (let i = 0; i < 700000; i++) keep.push({ a: 'x' + i, b: i, c: [i, i + 1] });
    keep = null;
    const dropped = anon();
    if (${release}) releaser.release();
    // Node 20's V8 unmaps freed pages on a thread of its own, shortly after the collection.
    setTimeout(() => console.log(JSON.stringify({ dropped, after: anon() })), 300);`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

describe('heap release after long activities', () => {
  it('gives the pages of dropped objects back to the system', () => {
    const kept = rssAroundRelease(false);
    const released = rssAroundRelease(true);
    // Without a release the dropped objects' pages stay resident; with one, most are gone.
    assert.ok(kept.after > 100, `without a release ${kept.after.toFixed(0)} MB stay resident`);
    assert.ok(
      released.after < released.dropped - 60,
      `after the release ${released.after.toFixed(0)} MB of ${released.dropped.toFixed(0)} MB`,
    );
  });

  it('leaves gc() out of the process: neither this context nor a new one has it', () => {
    heapReleaser();
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
    assert.equal(runInNewContext('typeof gc'), 'undefined');
  });

  it('releases after a long activity only, and once for several ending together', () => {
    let clock = 0;
    const releaser = heapReleaser(() => clock);
    releaser.afterActivity(40); // a small sync's step
    assert.equal(releaser.stats.releases, 0);
    releaser.afterActivity(5_000);
    assert.equal(releaser.stats.releases, 1);
    clock += 200;
    releaser.afterActivity(6_000); // another sync's stage, ending 0.2 s later
    assert.equal(releaser.stats.releases, 1);
    clock += 1_000;
    releaser.afterActivity(2_000);
    assert.equal(releaser.stats.releases, 2);
  });
});
