import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { StampPrecision } from '../../simulator/attributes';
import type { NewJournal } from '../../simulator/journals';
import { FusionSimulator } from '../../simulator/server';
import { readChanges } from '../../src/fusion';
import { connectToSimulator } from '../support/fusion';

// Keyset paging against the simulator over HTTP, with the stamps real pods serve: milliseconds,
// bulk imports that give hundreds of parents one stamp, and pods that serve whole seconds for
// rows they store with milliseconds. Every document must come exactly once, in about as many
// requests as pages.

const CLIENT_ID = 'paging-test';
const SECRET = 'paging-test-secret';
const WINDOW = { from: '1970-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };

const journal = (name: string): NewJournal => ({
  batchName: name,
  headers: [
    {
      journalName: name,
      periodName: 'Nov-26',
      accountingDate: '2026-11-30',
      lines: [
        { accountCombination: '101-10-60010-000', enteredDr: '10.00' },
        { accountCombination: '101-10-21000-000', enteredCr: '10.00' },
      ],
    },
  ],
});

interface Run {
  batches: string[];
  requests: number;
}

const connect = (url: string, pageSize: number) =>
  connectToSimulator(
    url,
    { clientId: CLIENT_ID, clientSecret: SECRET },
    { pageSize, requestTimeoutSeconds: 30 },
  );

async function readAll(sim: FusionSimulator, pageSize: number): Promise<Run> {
  const url = await sim.listen();
  const fusion = connect(url, pageSize);
  const before = sim.stats.requests.journalBatches ?? 0;
  const batches: string[] = [];
  try {
    for await (const page of readChanges(fusion.client, 'journalLines', WINDOW, {
      expand: true,
      childChangeFilter: true,
    })) {
      for (const x of page) {
        assert.ok(x.ok, x.ok ? '' : x.error.message);
        if (x.ok && x.record.lineNumber === 1) batches.push(x.record.batchId);
      }
    }
  } finally {
    await fusion.close();
    await sim.close();
  }
  return { batches, requests: (sim.stats.requests.journalBatches ?? 0) - before };
}

function simulator(stampPrecision: StampPrecision, clock: () => number): FusionSimulator {
  return new FusionSimulator({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    stampPrecision,
    now: clock,
    seed: { seed: 7, batches: 0, baseTime: Date.parse('2026-11-01T00:00:00Z') },
  });
}

function assertEachOnce(batches: string[], expected: number): void {
  assert.equal(new Set(batches).size, expected, 'distinct batches');
  assert.equal(batches.length, expected, 'no batch twice');
}

describe('keyset paging at the precision the pod serves', () => {
  const figures: string[] = [];
  after(() => console.log(figures.join('\n')));

  for (const pageSize of [5, 500]) {
    it(`reads a bulk import of 1,200 batches sharing one millisecond, each once (page size ${pageSize})`, async () => {
      const clock = Date.parse('2026-11-30T10:00:00.123Z');
      const sim = simulator('millisecond', () => clock);
      sim.journals.importJournals(journal('FBDI import'), 1200);
      const run = await readAll(sim, pageSize);
      assertEachOnce(run.batches, 1200);
      // Expanded pages hold at most 100 parents: the pages the import needs, plus the first
      // page (found wholly inside one stamp) and the last (empty) one.
      const parentsPerPage = Math.min(pageSize, 100);
      const pages = Math.ceil(1200 / parentsPerPage);
      figures.push(
        `bulk import 1,200 batches, page size ${pageSize}: ${run.requests} requests (${pages} pages)`,
      );
      assert.ok(run.requests <= pages + 3, `${run.requests} requests for ${pages} pages`);
    });
  }

  it('reads rows around and inside a bulk group at small pages, each once', async () => {
    let at = Date.parse('2026-11-30T10:00:00.000Z');
    const sim = simulator('millisecond', () => at);
    for (let i = 0; i < 13; i++) {
      at += 1;
      sim.journals.createJournal(journal(`before ${i}`));
    }
    at += 1;
    sim.journals.importJournals(journal('bulk'), 23);
    for (let i = 0; i < 9; i++) {
      at += 1;
      sim.journals.createJournal(journal(`after ${i}`));
    }
    const run = await readAll(sim, 4);
    assertEachOnce(run.batches, 13 + 23 + 9);
  });

  it('a page read ahead that fails while the caller is busy is not an unhandled rejection (it would end the worker)', async () => {
    let at = Date.parse('2026-11-30T10:00:00.000Z');
    const sim = simulator('millisecond', () => at);
    for (let i = 0; i < 12; i++) {
      at += 1;
      sim.journals.createJournal(journal(`r${i}`));
    }
    sim.faults.set({ endlessPages: { resource: 'journalBatches' } });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await assert.rejects(
        (async () => {
          const url = await sim.listen();
          const fusion = connect(url, 4);
          try {
            for await (const _page of readChanges(fusion.client, 'journalLines', WINDOW, {
              expand: true,
              childChangeFilter: true,
            })) {
              await new Promise((resolve) => setTimeout(resolve, 200)); // staging the page
            }
          } finally {
            await fusion.close();
            await sim.close();
          }
        })(),
        /paging stopped so it cannot loop/,
      );
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  for (const [precision, pageSize, firstSecond, nextSecond] of [
    ['coarse', 5, 37, 11],
    ['coarse', 500, 170, 60],
    ['second', 5, 37, 11],
    ['second', 500, 170, 60],
  ] as const) {
    it(`a pod serving whole seconds (${precision}, page size ${pageSize}): rows of one second in any stored order, each once`, async () => {
      // Keys ascend while stored stamps descend inside one second (coarse), or all share the
      // second (second): the served value never identifies a row, so equality cannot page it.
      let at = Date.parse('2026-11-30T10:00:00.900Z');
      const sim = simulator(precision, () => at);
      for (let i = 0; i < firstSecond; i++) {
        sim.journals.createJournal(journal(`j${i}`));
        at -= 3;
      }
      at = Date.parse('2026-11-30T10:00:01.500Z');
      for (let i = 0; i < nextSecond; i++) {
        sim.journals.createJournal(journal(`k${i}`));
        at += 3;
      }
      const run = await readAll(sim, pageSize);
      assertEachOnce(run.batches, firstSecond + nextSecond);
      figures.push(
        `${precision} stamps, ${firstSecond + nextSecond} batches around two seconds, page size ${pageSize}: ${run.requests} requests`,
      );
    });
  }
});
