import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { LosslessNumber } from 'lossless-json';
import type { Row } from '../../simulator/attributes';
import type { SyncResult } from '../../src/shared';
import { startTestStack, startWorker, type TestStack } from '../support/stack';
import { sync } from '../support/sync';
import { assertInvariants, faultIntegration } from './invariants';

// A hostile Fusion: every answer a broken or tampered pod can give, each on its own integration.
// For each: the worker stays alive, the sync completes (bad records quarantined with reasons, the
// rest delivered once) or fails with a clear error within a bound, the next sync after the
// source is fixed delivers normally, and the invariant check holds.

const IDS = [
  'huge-document',
  'exponents',
  'dates',
  'nesting',
  'huge-text',
  'utf8',
  'endless-page',
  'endless-child',
  'huge-body',
  'retry-after',
  'foreign-link',
  'bulk',
];

/** What a sync did, with its time. */
interface Outcome {
  result?: SyncResult;
  failure?: ApplicationFailure;
  seconds: number;
}

describe('faults: a hostile Fusion', { timeout: 600_000 }, () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> };
  const figures: string[] = [];

  const syncOutcome = async (integrationId: string): Promise<Outcome> => {
    const started = performance.now();
    try {
      const result = await sync(stack, integrationId);
      return { result, seconds: (performance.now() - started) / 1000 };
    } catch (err) {
      assert.ok(err instanceof WorkflowFailedError, String(err));
      assert.ok(err.cause instanceof ActivityFailure, String(err.cause));
      assert.ok(err.cause.cause instanceof ApplicationFailure, String(err.cause.cause));
      return { failure: err.cause.cause, seconds: (performance.now() - started) / 1000 };
    }
  };

  /** A sync that must complete: its result. */
  const completes = async (integrationId: string): Promise<SyncResult> => {
    const outcome = await syncOutcome(integrationId);
    assert.ok(outcome.result, `sync failed: ${outcome.failure?.message}`);
    return outcome.result;
  };

  /** A sync while `fault` is set (cleared after, whatever happens). */
  const syncUnder = async (
    fault: Parameters<TestStack['sim']['faults']['set']>[0],
    integrationId: string,
  ): Promise<Outcome> => {
    stack.sim.faults.set(fault);
    try {
      return await syncOutcome(integrationId);
    } finally {
      stack.sim.faults.clear();
    }
  };

  /** A journal with more lines than one expanded collection holds: its lines come by link. */
  const longJournal = (name: string, amount: string) =>
    stack.sim.journals.createJournal({
      batchName: name,
      headers: [
        {
          journalName: name,
          periodName: 'Nov-26',
          accountingDate: '2026-11-30',
          lines: Array.from({ length: 30 }, (_, i) => ({
            accountCombination: '101-10-60010-000',
            ...(i % 2 ? { enteredCr: amount } : { enteredDr: amount }),
          })),
        },
      ],
    });

  // A journal's lines and the record IDs they carry.
  const lines = () => stack.sim.journals.lines;
  const headerIds = () => [...new Set(lines().map((l) => l._JeHeaderId as number))];
  const idsOf = (headerId: number) =>
    lines()
      .filter((l) => l._JeHeaderId === headerId)
      .map((l) => `${headerId}:${l.JeLineNumber}`);
  const batchHeaders = (headerId: number) => {
    const batch = stack.sim.journals.headers.find((h) => h.JeHeaderId === headerId)!._JeBatchId;
    return stack.sim.journals.headers
      .filter((h) => h._JeBatchId === batch)
      .map((h) => h.JeHeaderId as number);
  };
  const lineOf = (headerId: number) =>
    lines().find((l) => l._JeHeaderId === headerId && l.EnteredDr !== null)!;
  /** Moves a line's LastUpdateDate so the next sync reads its journal again. */
  const touch = (line: Row) =>
    stack.sim.journals.updateLine(line._JeHeaderId as number, line.JeLineNumber as number, {});

  const quarantineOf = async (integrationId: string) =>
    (
      await stack.pool.query<{ record_id: string; field: string; reason: string }>(
        `SELECT q.record_id, q.field, q.reason FROM quarantined_record q JOIN sync_run r USING (run_key)
         WHERE r.integration_id = $1 ORDER BY q.record_id`,
        [integrationId],
      )
    ).rows;

  /** A poisoned value: set on one line of a journal (or its header), and taken back. */
  interface Poison {
    headerId: number;
    /** What the quarantine entry of that line must say (`field: reason`). */
    reason: RegExp;
    /** A document-level fault holds the whole batch, not only the journal (header). */
    wholeBatch?: boolean;
    apply(line: Row): void;
    undo(line: Row): void;
  }

  /** A line field set to a hostile value. */
  const lineField = (headerId: number, field: string, value: unknown, reason: RegExp): Poison => {
    let saved: unknown;
    return {
      headerId,
      reason,
      apply: (line) => {
        saved = line[field];
        line[field] = value;
      },
      undo: (line) => {
        line[field] = saved;
      },
    };
  };

  /** Poisons one line per journal given, syncs, checks, repairs, syncs again. */
  async function poisonAndRepair(integrationId: string, poisons: Poison[]): Promise<void> {
    const targets = poisons.map((p) => lineOf(p.headerId));
    poisons.forEach((p, i) => {
      p.apply(targets[i]!);
      touch(targets[i]!);
    });
    const held = new Set(
      poisons.flatMap(({ headerId, wholeBatch }) =>
        wholeBatch ? batchHeaders(headerId).flatMap(idsOf) : idsOf(headerId),
      ),
    );
    try {
      await sleep(1100 - (Date.now() % 1000));
      const outcome = await syncOutcome(integrationId);
      assert.ok(outcome.result, `sync failed: ${outcome.failure?.message}`);
      assert.equal(outcome.result.quarantined, held.size, 'the poisoned journals held whole');
      const quarantine = await quarantineOf(integrationId);
      for (const [i, p] of poisons.entries()) {
        const id = `${p.headerId}:${targets[i]!.JeLineNumber}`;
        const entry = quarantine.find((q) => q.record_id === id && q.field !== 'journal balance');
        assert.ok(entry, `${id} quarantined for its own field`);
        assert.match(`${entry.field}: ${entry.reason}`, p.reason);
        assert.ok(entry.reason.length <= 1000, 'the reason is bounded');
      }
      await assertInvariants(stack, integrationId, { quarantined: held });
      figures.push(
        `${integrationId}: ${outcome.seconds.toFixed(1)} s, sent ${outcome.result.sent}, quarantined ${outcome.result.quarantined}; ` +
          quarantine
            .filter((q) => q.field !== 'journal balance')
            .map((q) => `${q.field}: ${q.reason.slice(0, 80)}`)
            .join(' | '),
      );
    } finally {
      // The source is fixed (also after a failed check: the scenarios after this one read it too).
      poisons.forEach((p, i) => {
        p.undo(targets[i]!);
        touch(targets[i]!);
      });
    }
    // The next sync delivers them, once.
    await sleep(1100 - (Date.now() % 1000));
    const again = await completes(integrationId);
    assert.equal(again.sent, held.size);
    await assertInvariants(stack, integrationId);
  }

  /** A sync that must fail fast with a clear, non-retryable error; then one that delivers. */
  async function failsClearlyThenRecovers(
    integrationId: string,
    fault: Parameters<TestStack['sim']['faults']['set']>[0],
    message: RegExp,
    boundSeconds: number,
  ): Promise<void> {
    const requestsBefore = stack.sim.stats.requests.journalBatches ?? 0;
    const outcome = await syncUnder(fault, integrationId);
    const requests = (stack.sim.stats.requests.journalBatches ?? 0) - requestsBefore;
    assert.ok(outcome.failure, 'the sync failed');
    assert.match(outcome.failure.message, message);
    assert.equal(outcome.failure.nonRetryable, true, 'a retry cannot help: not retried');
    assert.ok(outcome.seconds < boundSeconds, `failed in ${outcome.seconds.toFixed(1)} s`);
    figures.push(
      `${integrationId}: failed in ${outcome.seconds.toFixed(1)} s after ${requests} collection GETs: ${outcome.failure.message.slice(0, 160)}`,
    );
    await completes(integrationId);
    await assertInvariants(stack, integrationId);
  }

  before(async () => {
    stack = await startTestStack({
      stampPrecision: 'millisecond',
      integrations: (u, s) =>
        IDS.map((id) =>
          faultIntegration(u, s, id, {
            fusion: {
              ...faultIntegration(u, s, id).fusion,
              limits: {
                maxResponseBytes: 8 * 1024 * 1024,
                maxRetryAfterSeconds: 2,
                maxPagesPerCollection: 50,
              },
            },
          }),
        ),
    });
    worker = await startWorker(stack);
  });
  after(async () => {
    console.log(figures.join('\n'));
    await worker?.stop();
    await stack?.close();
  });

  it('amounts in exponent notation (1e9000000000000000, 1e400): quarantined, no decimal built', async () => {
    const [a, b] = headerIds().slice(1, 3) as [number, number];
    await poisonAndRepair('exponents', [
      lineField(a, 'EnteredDr', new LosslessNumber('1e9000000000000000'), /^EnteredDr: /),
      lineField(b, 'EnteredDr', new LosslessNumber('1e400'), /^EnteredDr: /),
    ]);
  });

  it('impossible dates that match the pattern: quarantined', async () => {
    const [a, b] = headerIds().slice(3, 5) as [number, number];
    const header = (id: number) => stack.sim.journals.headers.find((h) => h.JeHeaderId === id)!;
    // The header carries the accounting date; a line of the journal moves so it is read again.
    const headerDate = (id: number, value: string): Poison => {
      let saved: unknown;
      return {
        headerId: id,
        reason: /^DefaultEffectiveDate: /,
        apply: () => {
          saved = header(id).DefaultEffectiveDate;
          header(id).DefaultEffectiveDate = value;
        },
        undo: () => {
          header(id).DefaultEffectiveDate = saved;
        },
      };
    };
    await poisonAndRepair('dates', [headerDate(a, '2026-13-45'), headerDate(b, '2026-02-30')]);
  });

  it('data nested 3,000 levels deep: quarantined, nothing recursed into a crash', async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 3000; i++) deep = [deep];
    const [a] = headerIds().slice(5, 6) as [number];
    await poisonAndRepair('nesting', [
      { ...lineField(a, 'Description', deep, /Description/), wholeBatch: true },
    ]);
  });

  it('a 5 MB description: quarantined by the text bound', async () => {
    const [a] = headerIds().slice(6, 7) as [number];
    await poisonAndRepair('huge-text', [
      lineField(a, 'Description', 'x'.repeat(5_000_000), /^Description: /),
    ]);
  });

  it('one document larger than the response bound: read by key, that batch quarantined, the rest delivered', async () => {
    const [a] = headerIds().slice(8, 9) as [number];
    const line = lineOf(a);
    const saved = line.Description;
    line.Description = 'y'.repeat(9 * 1024 * 1024); // over the 8 MiB maxResponseBytes on its own
    touch(line);
    const batchLines = new Set(batchHeaders(a).flatMap(idsOf));
    await sleep(1100 - (Date.now() % 1000));
    let outcome: Outcome;
    try {
      outcome = await syncOutcome('huge-document');
    } finally {
      line.Description = saved;
      touch(line);
    }
    assert.ok(outcome.result, `sync failed: ${outcome.failure?.message}`);
    assert.equal(outcome.result.sent, lines().length - batchLines.size, 'the rest delivered');
    const quarantine = await quarantineOf('huge-document');
    assert.equal(quarantine.length, 1);
    assert.match(quarantine[0]!.record_id, /^batch:\d+$/);
    assert.match(quarantine[0]!.reason, /larger than the limit of 8388608 bytes/);
    await assertInvariants(stack, 'huge-document', { quarantined: batchLines });
    figures.push(
      `huge-document: ${outcome.seconds.toFixed(1)} s, sent ${outcome.result.sent}, quarantined ${quarantine[0]!.record_id}: ${quarantine[0]!.reason.slice(0, 100)}`,
    );
    await sleep(1100 - (Date.now() % 1000));
    assert.equal((await completes('huge-document')).sent, batchLines.size);
    await assertInvariants(stack, 'huge-document');
  });

  it('invalid UTF-8 in a text: quarantined, not a silent U+FFFD', async () => {
    const [a] = headerIds().slice(7, 8) as [number];
    stack.sim.faults.set({ rawBytes: { find: 'BAD-UTF8-HERE', bytesHex: 'c328' } });
    try {
      await poisonAndRepair('utf8', [lineField(a, 'Description', 'BAD-UTF8-HERE', /^Description: .*UTF-8/)]);
    } finally {
      stack.sim.faults.clear();
    }
  });

  it('a top-level page that repeats forever with hasMore: a clear error, not a loop', async () => {
    await failsClearlyThenRecovers(
      'endless-page',
      { endlessPages: { resource: 'journalBatches' } },
      /paging stopped|does not advance|repeat/,
      60,
    );
  });

  it('a child collection that never ends: that journal quarantined, the rest delivered', async () => {
    const created = longJournal('Long journal', '1.00');
    const headerId = created.JeHeaderIds[0]!;
    await sleep(1100 - (Date.now() % 1000));
    const outcome = await syncUnder({ endlessPages: { resource: 'journalLines' } }, 'endless-child');
    assert.ok(outcome.result, `sync failed: ${outcome.failure?.message}`);
    const held = new Set(idsOf(headerId));
    const quarantine = await quarantineOf('endless-child');
    assert.ok(
      quarantine.some((q) => held.has(q.record_id) || q.record_id.includes(String(created.JeBatchId))),
    );
    figures.push(
      `endless-child: ${outcome.seconds.toFixed(1)} s, sent ${outcome.result.sent}, quarantined ${outcome.result.quarantined}: ${quarantine[0]?.reason.slice(0, 120)}`,
    );
    await assertInvariants(stack, 'endless-child', { quarantined: held });
    touch(lineOf(headerId));
    await sleep(1100 - (Date.now() % 1000));
    await completes('endless-child');
    await assertInvariants(stack, 'endless-child');
  });

  it('a huge body: stopped at the size bound, a clear error', async () => {
    await failsClearlyThenRecovers(
      'huge-body',
      { padBody: { bytes: 16 * 1024 * 1024 } },
      /bytes|too large|maxResponseBytes/,
      60,
    );
  });

  it('Retry-After: 99999999 is clamped: the sync completes within the bound', async () => {
    const outcome = await syncUnder({ tooManyRequests: { count: 5, retryAfter: 99_999_999 } }, 'retry-after');
    assert.ok(outcome.result, `sync failed: ${outcome.failure?.message}`);
    assert.ok(outcome.seconds < 120, `${outcome.seconds} s`);
    figures.push(
      `retry-after: completed in ${outcome.seconds.toFixed(1)} s despite Retry-After 99999999 (x5)`,
    );
    await assertInvariants(stack, 'retry-after');
  });

  it('a link to another host: refused before any request, credentials never sent', async () => {
    const seen: string[] = [];
    const foreign: Server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} auth=${req.headers.authorization ? 'yes' : 'no'}`);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
    // Long journals need their child links; the links point elsewhere.
    longJournal('Linked journal', '2.00');
    await sleep(1100 - (Date.now() % 1000));
    try {
      await failsClearlyThenRecovers('foreign-link', { foreignLinks: { origin } }, /127\.0\.0\.1:\d+/, 60);
    } finally {
      await new Promise((resolve) => foreign.close(resolve));
    }
    assert.deepEqual(seen, [], 'the foreign host received nothing');
  });

  it('a bulk import of 300 batches sharing one millisecond: each once, in about as many requests as pages', async () => {
    const before = stack.sim.stats.requests.journalBatches ?? 0;
    await completes('bulk');
    const baseline = (stack.sim.stats.requests.journalBatches ?? 0) - before;
    stack.sim.journals.importJournals(
      {
        batchName: 'FBDI',
        headers: [
          {
            journalName: 'FBDI',
            periodName: 'Nov-26',
            accountingDate: '2026-11-30',
            lines: [
              { accountCombination: '101-10-60010-000', enteredDr: '3.00' },
              { accountCombination: '101-10-21000-000', enteredCr: '3.00' },
            ],
          },
        ],
      },
      300,
    );
    await sleep(1100 - (Date.now() % 1000));
    const start = stack.sim.stats.requests.journalBatches ?? 0;
    const result = await completes('bulk');
    const requests = (stack.sim.stats.requests.journalBatches ?? 0) - start;
    assert.equal(result.sent, 600);
    // Page size 4: 75 pages of the import, plus the overlap's pages and the interval switch.
    assert.ok(requests <= 75 + baseline + 3, `${requests} requests (baseline ${baseline})`);
    figures.push(`bulk: 300 batches sharing one stamp at page size 4 in ${requests} collection GETs`);
    await assertInvariants(stack, 'bulk');
  });
});
