import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bar, describeProgress, liveLine, size, syncFraction } from '../../src/client/progress';
import { runningRuns } from '../../src/client/status';

// The CLI's progress line: the bar, the words for each stage, the stage weights (100 % only at the
// end), in place on a terminal and a plain periodic line elsewhere; and who started a running run.

/** A stderr stand-in: what was written, and whether it claims to be a terminal. */
function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, out: { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
}

describe('progress line', () => {
  it('draws a bar for a fraction, clamped, 100 % only when whole', () => {
    assert.equal(bar(0, 10), '[----------]   0 %');
    assert.equal(bar(0.456, 10), '[#####-----]  45 %');
    assert.equal(bar(0.999, 10), '[##########]  99 %');
    assert.equal(bar(1, 10), '[##########] 100 %');
    assert.equal(bar(7, 10), '[##########] 100 %');
    assert.equal(bar(Number.NaN, 10), '[----------]   0 %');
  });

  it('words each stage', () => {
    assert.equal(
      describeProgress('extract', { pages: 12, extracted: 6000, staged: 5990, alreadySent: 10 }),
      'extract: 12 pages, 6,000 read, 5,990 staged, 10 already sent',
    );
    assert.equal(describeProgress('render', { rendered: 500, staged: 2000 }), 'render: 500/2,000 records');
    assert.equal(
      describeProgress('upload', { bytesUploaded: 1_500_000, bytesTotal: 24_000_000 }),
      'upload: 1.5 MB of 24.0 MB',
    );
    assert.equal(describeProgress('upload', {}), 'upload: starting');
    assert.deepEqual([size(999), size(40_200), size(12_345_678)], ['999 B', '40.2 kB', '12.3 MB']);
  });

  it('weights the stages: extraction grows but stays under 60 %, nothing reaches 100 % before the commit', () => {
    const extract = [0, 1, 10, 100, 10_000].map((pages) => syncFraction('extract', { pages }));
    assert.deepEqual(
      extract.map((f, i) => i === 0 || f > extract[i - 1]!),
      [true, true, true, true, true],
    );
    assert.ok(extract.every((f) => f < 0.6));
    assert.equal(syncFraction('render', { rendered: 50, staged: 100 }), 0.725);
    assert.equal(syncFraction('upload', { bytesUploaded: 10, bytesTotal: 10 }), 0.99);
    assert.equal(syncFraction('commit', {}), 0.99);
  });

  it('redraws one line in place on a terminal', () => {
    const { writes, out } = stream(true);
    const line = liveLine(out);
    line.update('a', 'extract');
    line.update('b', 'extract');
    line.done('c');
    assert.deepEqual(writes, ['\r\x1b[2Ka', '\r\x1b[2Kb', '\r\x1b[2Kc\n']);
  });

  it('prints plain lines elsewhere: on a stage change or every interval, and the last one', () => {
    const { writes, out } = stream(false);
    let now = 0;
    const line = liveLine(out, 10_000, () => now);
    line.update('p1', 'extract');
    now = 5_000;
    line.update('p2', 'extract'); // too soon, same stage
    now = 6_000;
    line.update('r1', 'render'); // a new stage
    now = 16_000;
    line.update('r2', 'render'); // the interval passed
    line.done('end');
    assert.deepEqual(writes, ['p1\n', 'r1\n', 'r2\n', 'end\n']);
  });
});

describe('running runs', () => {
  const at = '2026-12-02T10:00:00.000Z';
  const row = (runKey: string, status: 'staging' | 'staged' | 'rendered' | 'uploaded', retrying = false) => ({
    runKey,
    kind: 'sync' as const,
    status,
    startedAt: at,
    progress: {},
    progressAt: at,
    retrying,
  });
  const uuid = '01a23759-13c3-7365-a5b0-e687a699d218';

  it('names who started each run and the stage it is in', () => {
    const runs = runningRuns(
      [
        row(`sync-gl-20261202T100000.000Z/${uuid}`, 'staging'),
        row(`sync-gl-20261202T090000.000Z/${uuid}`, 'staged'),
        row(`resync-gl-20261202T100000.000Z/${uuid}/w0`, 'rendered'),
        row(`sync-gl-20261201T100000.000Z/${uuid}`, 'uploaded', true),
        row('no-run-key', 'staging'),
      ],
      'sync-gl-20261202T090000.000Z',
    );
    assert.deepEqual(
      runs.map((r) => [r.startedBy, r.stage, r.workflowId]),
      [
        ['sync', 'extract', 'sync-gl-20261202T100000.000Z'],
        ['schedule', 'render', 'sync-gl-20261202T090000.000Z'],
        ['resync', 'upload', 'resync-gl-20261202T100000.000Z'],
        ['retry', 'commit', 'sync-gl-20261201T100000.000Z'],
        ['other', 'extract', null],
      ],
    );
  });
});
