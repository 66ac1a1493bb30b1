import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compileQuery } from '../../simulator/collection';
import { GENERATED_BATCH_ID_BASE } from '../../simulator/generator';
import { FusionSimulator } from '../../simulator/server';
import { asText, items, type Json, link, SimClient } from '../../simulator/test-client';

// Contract: the generated data set serves 1,000,000 journal lines (50,000 batches of 2 headers
// of 10 lines) computed from their index, never held in memory; LastUpdateDate windows and
// LastUpdateDate/JeBatchId order are answered by index arithmetic.

const BASIC = { username: 'fusion.reader', password: 'reader-pw' };
const FROM = Date.parse('2026-01-01T00:00:00Z');
const NOW = Date.parse('2026-11-26T09:00:00Z');
const ORDER = 'LastUpdateDate:asc,JeBatchId:asc';
// Two batches share each second: batch b is stamped FROM + floor(b / 2) s.
const WINDOW = "LastUpdateDate > '2026-01-01T01:00:00Z' and LastUpdateDate <= '2026-01-01T05:00:00Z'";
const WINDOW_FIRST_BATCH = 2 * 3601; // first second after 01:00:00
const WINDOW_SIZE = 2 * (18000 - 3600); // seconds 3601 … 18000 inclusive

describe('simulator contract: 1,000,000 generated journal lines', () => {
  const sim = new FusionSimulator({
    clientId: 'c',
    clientSecret: 's',
    basicAuth: BASIC,
    now: () => NOW,
    generated: { journalLines: 1_000_000, linesPerHeader: 10, headersPerBatch: 2, from: FROM },
  });
  let v4: SimClient;
  const batchIds = (rows: Json[]) => rows.map((r) => Number(r.JeBatchId) - GENERATED_BATCH_ID_BASE);
  const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

  before(async () => {
    v4 = new SimClient(await sim.listen(), { basic: BASIC, frameworkVersion: 4 });
  });
  after(() => sim.close());

  it('serves page N of a LastUpdateDate window: the right batches, in order, with the right envelope', async () => {
    const page = (
      await v4.get('/journalBatches', {
        q: WINDOW,
        orderBy: ORDER,
        limit: 500,
        offset: 10_000,
        totalResults: 'true',
      })
    ).json!;
    const rows = page.items as Json[];
    assert.deepEqual(batchIds(rows), range(WINDOW_FIRST_BATCH + 10_000, 500));
    assert.equal(page.totalResults, WINDOW_SIZE);
    assert.equal(page.count, 500);
    assert.equal(page.hasMore, true);
    const first = rows[0]!;
    assert.equal(
      first.LastUpdateDate,
      new Date(FROM + Math.floor((WINDOW_FIRST_BATCH + 10_000) / 2) * 1000)
        .toISOString()
        .replace('Z', '+00:00'),
    );
  });

  it('the last page of the window is partial with hasMore false', async () => {
    const page = (
      await v4.get('/journalBatches', { q: WINDOW, orderBy: ORDER, limit: 500, offset: WINDOW_SIZE - 300 })
    ).json!;
    assert.equal((page.items as Json[]).length, 300);
    assert.equal(page.hasMore, false);
    assert.deepEqual(batchIds(page.items as Json[]).slice(-1), [WINDOW_FIRST_BATCH + WINDOW_SIZE - 1]);
  });

  it('the whole data set is 50,000 batches holding 1,000,000 lines', async () => {
    const page = (await v4.get('/journalBatches', { limit: 1, totalResults: 'true' })).json!;
    assert.equal(page.totalResults, 50_000);
    assert.equal(sim.generator!.lineCount, 1_000_000);
  });

  it("the lines reached through a generated batch's child links are the generator's lines at those indexes", async () => {
    const b = 31_337;
    const batch = (await v4.get(`/journalBatches/${GENERATED_BATCH_ID_BASE + b}`)).json!;
    const headers = items(await v4.get(link(batch, 'child', 'journalHeaders')));
    assert.equal(headers.length, 2);
    for (const [h, header] of headers.entries()) {
      const lines = items(await v4.get(link(header, 'child', 'journalLines')));
      assert.equal(lines.length, 10);
      let dr = 0n;
      let cr = 0n;
      for (const [n, line] of lines.entries()) {
        const expected = sim.generator!.lineAt((b * 2 + h) * 10 + n);
        assert.equal(line.JeLineNumber, expected.JeLineNumber);
        assert.equal(asText(line.EnteredDr), expected.EnteredDr);
        assert.equal(asText(line.EnteredCr), expected.EnteredCr);
        assert.equal(line.LastUpdateDate, expected.LastUpdateDate);
        dr += BigInt((asText(line.EnteredDr) ?? '0').replace('.', ''));
        cr += BigInt((asText(line.EnteredCr) ?? '0').replace('.', ''));
      }
      assert.equal(dr, cr, 'each journal balances');
    }
    const viaControl = (await v4.control('GET', `generated/journalLines/${b * 20}`)).json!;
    assert.equal(viaControl.JeBatchId, GENERATED_BATCH_ID_BASE + b);
  });

  it('expand=journalHeaders.journalLines (v3+) returns a page of 500 batches with their 10,000 lines', async () => {
    const page = (
      await v4.get('/journalBatches', {
        q: WINDOW,
        orderBy: ORDER,
        limit: 500,
        expand: 'journalHeaders.journalLines',
        onlyData: 'true',
      })
    ).json!;
    let lines = 0;
    for (const batch of page.items as Json[]) {
      for (const header of (batch.journalHeaders as Json).items as Json[]) {
        lines += ((header.journalLines as Json).items as Json[]).length;
      }
    }
    assert.equal(lines, 10_000);
  });

  it('descending order is served by the same arithmetic', async () => {
    const rows = items(
      await v4.get('/journalBatches', { orderBy: 'LastUpdateDate:desc,JeBatchId:desc', limit: 3 }),
    );
    assert.deepEqual(batchIds(rows), [49_999, 49_998, 49_997]);
  });

  it('a q outside the plain window form is answered by a scan that agrees with the arithmetic', async () => {
    const arithmetic = items(
      await v4.get('/journalBatches', { q: WINDOW, orderBy: ORDER, limit: 50, offset: 1234 }),
    );
    const scanned = items(
      await v4.get('/journalBatches', { q: `(${WINDOW})`, orderBy: ORDER, limit: 50, offset: 1234 }),
    );
    assert.deepEqual(batchIds(scanned), batchIds(arithmetic));
    const one = items(await v4.get('/journalBatches', { q: `JeBatchId = ${GENERATED_BATCH_ID_BASE + 777}` }));
    assert.deepEqual(batchIds(one), [777]);
  });

  it('orderBy outside LastUpdateDate/JeBatchId in one direction is refused (400, a generator limit)', async () => {
    const res = await v4.get('/journalBatches', { orderBy: 'LastUpdateDate:asc,JeBatchId:desc' });
    assert.equal(res.status, 400);
  });

  it('changing a generated line moves its batch to the end of the LastUpdateDate order with the change visible', async () => {
    const b = 20_000;
    const headerId = Number(sim.generator!.lineAt(b * 20).JeHeaderId);
    const patched = await v4.control('PATCH', `journalLines/${headerId}/3`, {
      Description: 'Changed in Fusion',
    });
    assert.equal(patched.status, 200, patched.text);
    const all = "LastUpdateDate > '2025-12-31T00:00:00Z'";
    const last = (
      await v4.get('/journalBatches', { q: all, orderBy: ORDER, offset: 49_999, totalResults: 'true' })
    ).json!;
    assert.equal(last.totalResults, 50_000, 'moved, not duplicated');
    const moved = (last.items as Json[])[0]!;
    assert.deepEqual(batchIds([moved]), [b]);
    assert.equal(moved.LastUpdateDate, '2026-11-26T09:00:00.000+00:00');
    const atOldPlace = items(
      await v4.get('/journalBatches', { q: all, orderBy: ORDER, offset: b, limit: 1 }),
    );
    assert.deepEqual(batchIds(atOldPlace), [b + 1]);
    const header = items(await v4.get(link(moved, 'child', 'journalHeaders')))[0]!;
    const line = items(await v4.get(link(header, 'child', 'journalLines')))[2]!;
    assert.equal(line.Description, 'Changed in Fusion');
    assert.equal(sim.journals.batches.length, 1, 'only the changed journal is held in memory');
  });

  it('rows updated while paging also apply to generated journals', async () => {
    await v4.control('POST', 'faults', {
      updateDuringPaging: { resource: 'journalBatches', afterRequests: 1, count: 3 },
    });
    const first = items(await v4.get('/journalBatches', { q: WINDOW, orderBy: ORDER, limit: 10 }));
    const second = items(
      await v4.get('/journalBatches', { q: WINDOW, orderBy: ORDER, limit: 10, offset: 10 }),
    );
    assert.deepEqual(batchIds(first), range(WINDOW_FIRST_BATCH, 10));
    assert.deepEqual(
      batchIds(second),
      range(WINDOW_FIRST_BATCH + 13, 10),
      'three rows slid under the offset',
    );
    await v4.control('DELETE', 'faults');
  });
});

describe('simulator generator: index arithmetic agrees with a scan', () => {
  let clock = FROM;
  const small = new FusionSimulator({
    clientId: 'c',
    clientSecret: 's',
    basicAuth: BASIC,
    now: () => clock,
    // 120 lines → 60 headers → 30 batches, three per second.
    generated: {
      journalLines: 120,
      linesPerHeader: 2,
      headersPerBatch: 2,
      from: FROM,
      batchesPerTimestamp: 3,
    },
  });
  let v4: SimClient;
  before(async () => {
    v4 = new SimClient(await small.listen(), { basic: BASIC, frameworkVersion: 4 });
  });
  after(() => small.close());

  it('for random windows, orders and pages, with changed and created journals merged in between', async () => {
    // Changes stamped inside the generated range, so moved batches interleave with generated ones.
    for (const [b, at] of [
      [2, 5_000],
      [17, 3_000],
      [29, 0],
      [11, 9_000],
    ] as const) {
      clock = FROM + at;
      small.journals.updateLine(Number(small.generator!.lineAt(b * 4).JeHeaderId), 1, {
        Description: `m${b}`,
      });
    }
    clock = FROM + 6_000;
    small.journals.createJournal({
      batchName: 'created',
      headers: [
        {
          journalName: 'j',
          periodName: 'Jan-26',
          accountingDate: '2026-01-01',
          lines: [{ accountCombination: 'a', enteredDr: '1' }],
        },
      ],
    });
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const instant = () => new Date(FROM + (random(14) - 2) * 1000).toISOString().replace('.000Z', 'Z');
    const ops = ['>', '>=', '<', '<=', '='];
    for (let round = 0; round < 60; round++) {
      const conditions = Array.from({ length: 1 + random(2) }, () =>
        random(5) === 0
          ? `LastUpdateDate between '${instant()}' and '${instant()}'`
          : `LastUpdateDate ${ops[random(ops.length)]} '${instant()}'`,
      );
      const q = conditions.join(' and ');
      const orderBy = random(2) ? 'LastUpdateDate:desc,JeBatchId:desc' : ORDER;
      const params = { orderBy, limit: 1 + random(12), offset: random(20), totalResults: 'true' };
      const fast = (await v4.get('/journalBatches', { ...params, q })).json!;
      const scan = (await v4.get('/journalBatches', { ...params, q: `(${q})` })).json!;
      const ids = (page: Json) => (page.items as Json[]).map((r) => r.JeBatchId);
      assert.deepEqual(ids(fast), ids(scan), `${q} ${JSON.stringify(params)}`);
      assert.equal(fast.totalResults, scan.totalResults, q);
      assert.equal(fast.hasMore, scan.hasMore, q);
    }
  });

  it("a scan from the q's LastUpdateDate floor, stopped one row past the page, agrees with a full scan", async () => {
    let seed = 11;
    // The high bits: an LCG's low bits repeat with a short period (the lowest one alternates).
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    const instant = () => new Date(FROM + (random(14) - 2) * 1000).toISOString().replace('.000Z', 'Z');
    for (let round = 0; round < 60; round++) {
      // The connector's keyset form: a window, then the cursor (LastUpdateDate, JeBatchId).
      const t = instant();
      const k = GENERATED_BATCH_ID_BASE + random(30);
      const q =
        `(LastUpdateDate > '${instant()}' or journalHeaders.LastUpdateDate > '${instant()}') and ` +
        `(LastUpdateDate > '${t}' or (LastUpdateDate = '${t}' and JeBatchId > ${k}))`;
      const orderBy = random(2) ? 'LastUpdateDate:desc,JeBatchId:desc' : ORDER;
      const counted = random(2) === 0;
      const params = {
        orderBy,
        limit: 1 + random(8),
        offset: random(6),
        ...(counted ? { totalResults: 'true' } : {}),
      };
      const fromFloor = (await v4.get('/journalBatches', { ...params, q })).json!;
      // `or JeBatchId < 0` matches nothing more, and leaves the q without a floor: a full scan.
      // Counted in full, it is the reference for hasMore too.
      const full = (
        await v4.get('/journalBatches', { ...params, q: `(${q}) or JeBatchId < 0`, totalResults: 'true' })
      ).json!;
      const ids = (page: Json) => (page.items as Json[]).map((r) => r.JeBatchId);
      assert.deepEqual(ids(fromFloor), ids(full), `${q} ${JSON.stringify(params)}`);
      assert.equal(fromFloor.hasMore, full.hasMore, q);
      if (counted) assert.equal(fromFloor.totalResults, full.totalResults, q);
    }
  });
});

describe('simulator q parser: the LastUpdateDate floor of a q', () => {
  const batches = new FusionSimulator({ clientId: 'c', clientSecret: 's' }).resource('journalBatches')!;
  const limits = { defaultLimit: 25, maxLimit: 500, childLimit: 25 };
  /** The floor the parsed query carries, as the literal's text (whole seconds, Z). */
  const floor = (q: string) => {
    const ms = compileQuery(batches, new URLSearchParams({ q }), 4, limits).lastUpdateFloor;
    return ms === null ? null : new Date(ms).toISOString().replace('.000Z', 'Z');
  };
  const A = "'2026-01-01T00:00:00Z'";
  const B = "'2026-02-01T00:00:00Z'";

  it("comes from >, >=, = and between on the row's own LastUpdateDate", () => {
    assert.equal(floor(`LastUpdateDate > ${A}`), A.slice(1, -1));
    assert.equal(floor(`LastUpdateDate >= ${A}`), A.slice(1, -1));
    assert.equal(floor(`LastUpdateDate = ${B}`), B.slice(1, -1));
    assert.equal(floor(`LastUpdateDate between ${A} and ${B}`), A.slice(1, -1));
    assert.equal(floor(`LastUpdateDate < ${B}`), null);
    assert.equal(floor(`journalHeaders.LastUpdateDate > ${A}`), null, 'a child condition implies nothing');
  });

  it('takes the highest floor of an and, the lowest of an or, and none when a branch has none', () => {
    assert.equal(floor(`LastUpdateDate > ${A} and LastUpdateDate > ${B}`), B.slice(1, -1));
    assert.equal(floor(`LastUpdateDate > ${A} or LastUpdateDate > ${B}`), A.slice(1, -1));
    assert.equal(floor(`LastUpdateDate > ${B} or JeBatchId > 5`), null);
    assert.equal(
      floor(`(JeBatchId in (1, 2) or Status is not null) and LastUpdateDate > ${A}`),
      A.slice(1, -1),
    );
    assert.equal(floor(`LastUpdateDate not between ${A} and ${B} or LastUpdateDate > ${B}`), null);
    assert.equal(
      floor(
        `upper(BatchName) like 'X%' and (LastUpdateDate > ${B} or (LastUpdateDate = ${B} and JeBatchId > 3))`,
      ),
      B.slice(1, -1),
    );
  });
});
