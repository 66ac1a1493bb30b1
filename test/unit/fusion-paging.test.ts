import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FusionError } from '../../src/fusion/errors';
import {
  keysetRequest,
  nextPosition,
  parseServedStamp,
  queryInstant,
  START_OF_WINDOW,
  stampLiteral,
} from '../../src/fusion/paging';

const row = (key: number, stamp: unknown) => ({ JeBatchId: String(key), LastUpdateDate: stamp });

describe('served LastUpdateDate stamps', () => {
  it('keep every digit the pod served, in any zone', () => {
    const ms = parseServedStamp('2026-11-30T10:00:00.123+00:00')!;
    assert.equal(ms.fractionDigits, 3);
    assert.equal(stampLiteral(ms.epochNs, 3), '2026-11-30T10:00:00.123+00:00');
    const shifted = parseServedStamp('2026-11-30T11:30:00.123+01:30')!;
    assert.equal(shifted.epochNs, ms.epochNs);
    const seconds = parseServedStamp('2026-11-30T10:00:00Z')!;
    assert.equal(seconds.fractionDigits, 0);
    assert.equal(stampLiteral(seconds.epochNs, 0), '2026-11-30T10:00:00Z');
    assert.equal(parseServedStamp('2026-11-30T10:00:00.123456+00:00')!.fractionDigits, 6);
  });

  it('are real calendar instants with a zone, or nothing', () => {
    for (const bad of [
      '2026-13-45T99:99:99Z',
      '2026-02-30T10:00:00Z',
      '2026-11-30T24:00:00Z',
      '2026-11-30T10:00:00',
      '2026-11-30T10:00:00+25:00',
      '2026-11-30',
      ' 2026-11-30T10:00:00Z',
      '2026-11-30T10:00:00Z ',
      12345,
      null,
    ]) {
      assert.equal(parseServedStamp(bad), null, String(bad));
    }
    assert.ok(parseServedStamp('2024-02-29T00:00:00Z'));
  });

  it('window bounds are literals with milliseconds only when they have them', () => {
    assert.equal(queryInstant('2026-11-30T10:00:00.000Z'), '2026-11-30T10:00:00Z');
    assert.equal(queryInstant('2026-11-30T10:00:00.250Z'), '2026-11-30T10:00:00.250+00:00');
    assert.throws(() => queryInstant('yesterday'), RangeError);
  });
});

describe('keyset steps', () => {
  it('a page of distinct stamps: rows before the last stamp are final, its interval is read again', () => {
    const page = [
      row(1, '2026-11-30T10:00:00.001+00:00'),
      row(2, '2026-11-30T10:00:00.002+00:00'),
      row(3, '2026-11-30T10:00:00.003+00:00'),
    ];
    const step = nextPosition('JeBatchId', START_OF_WINDOW, page, true, 'GET x');
    assert.equal(step.final, 2);
    assert.deepEqual(keysetRequest('F', 'JeBatchId', step.next!), {
      q: "(F) and LastUpdateDate >= '2026-11-30T10:00:00.003+00:00'",
      orderBy: 'LastUpdateDate:asc,JeBatchId:asc',
    });
  });

  it('never compares by equality: an interval is [t, t + one unit of the served precision)', () => {
    const page = [row(1, '2026-11-30T09:59:59Z'), row(2, '2026-11-30T10:00:00Z')];
    const first = nextPosition('JeBatchId', START_OF_WINDOW, page, true, 'GET x');
    const tie = nextPosition('JeBatchId', first.next!, [row(2, '2026-11-30T10:00:00Z')], true, 'GET x');
    assert.equal(tie.next?.phase, 'tie');
    assert.deepEqual(keysetRequest('F', 'JeBatchId', tie.next!), {
      q: "(F) and LastUpdateDate >= '2026-11-30T10:00:00Z' and LastUpdateDate < '2026-11-30T10:00:01Z'",
      orderBy: 'JeBatchId:asc',
    });
    const inside = nextPosition('JeBatchId', tie.next!, [row(2, '2026-11-30T10:00:00Z')], true, 'GET x');
    assert.equal(inside.final, 1);
    assert.match(keysetRequest('F', 'JeBatchId', inside.next!).q, / and JeBatchId > 2$/);
    const done = nextPosition('JeBatchId', inside.next!, [row(7, '2026-11-30T10:00:00Z')], false, 'GET x');
    assert.deepEqual(
      keysetRequest('F', 'JeBatchId', done.next!).q,
      "(F) and LastUpdateDate >= '2026-11-30T10:00:01Z'",
    );
  });

  it('a page that does not move forward is an error naming the request, not a loop', () => {
    const page = [row(1, '2026-11-30T10:00:00.001+00:00'), row(2, '2026-11-30T10:00:00.005+00:00')];
    const step = nextPosition('JeBatchId', START_OF_WINDOW, page, true, 'GET /journalBatches (page 1)');
    // The server ignores q and serves the first page again.
    assert.throws(
      () => nextPosition('JeBatchId', step.next!, page, true, 'GET /journalBatches (page 2)'),
      (err: unknown) =>
        err instanceof FusionError &&
        err.kind === 'bad-response' &&
        /page 2\).*not in LastUpdateDate order/.test(err.message),
    );
    const tie = { phase: 'tie' as const, interval: { startNs: 0n, fractionDigits: 3 }, afterKey: 5n };
    assert.throws(
      () => nextPosition('JeBatchId', tie, [row(5, '1970-01-01T00:00:00.000Z')], true, 'GET t'),
      /does not follow 5/,
    );
    assert.throws(
      () => nextPosition('JeBatchId', START_OF_WINDOW, [row(1, 'garbage'), row(2, null)], true, 'GET u'),
      /GET u: no row of the page \(2\) has a usable LastUpdateDate/,
    );
  });

  it('a row with a bad stamp does not stop paging: it is handed on, the cursor comes from good rows', () => {
    const page = [
      row(1, '2026-11-30T10:00:00.001+00:00'),
      row(2, 'not a date'),
      row(3, '2026-11-30T10:00:00.004+00:00'),
    ];
    const step = nextPosition('JeBatchId', START_OF_WINDOW, page, true, 'GET x');
    assert.equal(step.final, 2);
  });
});
