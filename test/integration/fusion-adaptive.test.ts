import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FusionSimulator } from '../../simulator/server';
import { type FusionConnection, readChanges } from '../../src/fusion';
import { pagesReadAhead, readDocuments, readWhere, windowFilter } from '../../src/fusion/documents';
import { journalLinesReader } from '../../src/fusion/entities/journalLines';
import { connectToSimulator } from '../support/fusion';

// The adaptive request limit (fusion.parallelPages unset) against the simulator over HTTP, with a
// pod's latency and request-rate limit: it widens on clean answers, narrows on 429/503, holds
// every request for a Retry-After, never has more requests out than its bound, and every line
// still comes exactly once.

setFlagsFromString('--expose-gc');
/** V8's collector, run now (the test checks what a suspended reader still holds). */
const gc = runInNewContext('gc') as () => void;

const CLIENT_ID = 'adaptive-client';
const SECRET = 'adaptive-client-secret-51c3';
const LINES = 10_000;
const BOUND = 4;

/** The connector's client for a simulator at `url`, parallelPages unset (the adaptive limit). */
function connectTo(url: string): FusionConnection {
  return connectToSimulator(
    url,
    { clientId: CLIENT_ID, clientSecret: SECRET },
    // 25 batches of 20 lines: 500 lines a request
    { pageSize: 25, requestTimeoutSeconds: 30, transientRetries: 6, limits: { maxParallelPages: BOUND } },
  );
}

describe('adaptive parallel paging', { timeout: 180_000 }, () => {
  // Lines spread evenly over the day before now, as the bench lays them out.
  const layout = { linesPerHeader: 10, headersPerBatch: 2, batchesPerTimestamp: 2 };
  const stamps = LINES / layout.linesPerHeader / layout.headersPerBatch / layout.batchesPerTimestamp;
  const stepMs = Math.floor(86_400 / stamps) * 1000;
  const from = Math.floor(Date.now() / 1000) * 1000 - stamps * stepMs - 60_000;
  const window = { from: new Date(from - 1000).toISOString(), to: new Date().toISOString() };
  const sim = new FusionSimulator({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    generated: { journalLines: LINES, from, stepMs, ...layout },
  });
  let fusion: FusionConnection;
  let simUrl: string;

  before(async () => {
    simUrl = await sim.listen();
    fusion = connectTo(simUrl);
  });
  after(async () => {
    await fusion.close();
    await sim.close();
  });

  async function readAll(): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of readChanges(fusion.client, 'journalLines', window, {
      expand: true,
      childChangeFilter: true,
    })) {
      for (const x of page) {
        assert.ok(x.ok, x.ok ? '' : x.error.message);
        if (x.ok) keys.push(`${x.record.headerId}/${x.record.lineNumber}`);
      }
    }
    return keys;
  }

  function assertEachOnce(keys: string[]): void {
    assert.equal(keys.length, LINES, 'lines read');
    assert.equal(new Set(keys).size, LINES, 'no line twice');
  }

  it('widens while answers are clean, up to its bound and never past it', async () => {
    sim.faults.clear();
    sim.faults.set({ podLatency: { minMs: 100, maxMs: 300, seed: 3 } });
    const limit = fusion.client.adaptive!;
    assert.equal(limit.limit, 1, 'starts at one request');
    assertEachOnce(await readAll());
    assert.equal(limit.limit, BOUND, 'widened to the bound');
    assert.ok(limit.history.some((s) => s.event === 'widen'));
    assert.equal(sim.stats.faults.rateLimit ?? 0, 0);
    assert.equal(sim.stats.restInFlight.peak, BOUND, 'the pod saw the bound at once, never more');
  });

  it('reads at once in one process hold at most 8 pages ahead between them, and each goes on', async () => {
    sim.faults.clear();
    sim.faults.set({ podLatency: { minMs: 100, maxMs: 300, seed: 7 } });
    // Three integrations' reads at once, each allowed 4 requests: 12 pages ahead without the cap.
    const others = [connectTo(simUrl), connectTo(simUrl), connectTo(simUrl)];
    let most = 0;
    const sampler = setInterval(() => {
      most = Math.max(most, pagesReadAhead());
    }, 2);
    try {
      const reads = others.map(async (c) => {
        const keys: string[] = [];
        for await (const page of readChanges(c.client, 'journalLines', window, {
          expand: true,
          childChangeFilter: true,
        }))
          for (const x of page) if (x.ok) keys.push(`${x.record.headerId}/${x.record.lineNumber}`);
        return keys;
      });
      for (const keys of await Promise.all(reads)) assertEachOnce(keys);
    } finally {
      clearInterval(sampler);
      await Promise.all(others.map((c) => c.close()));
      sim.stats.restInFlight.peak = 0; // three clients at once: the later tests check one client's bound
    }
    // Eight in the process, or one for each read that has none (so every read goes on): 10 here.
    assert.ok(most <= 8 + others.length - 1, `at most 10 pages ahead in the process, saw ${most}`);
    assert.ok(most > BOUND, `more than one read's worth at once (${most})`);
    assert.equal(pagesReadAhead(), 0, 'none left behind');
  });

  it('a read waiting to be asked for its next page holds none of the pages it handed over', async () => {
    // An adaptive read has up to 16 ranges, each a suspended reader most of the time: if each held
    // its last page, four syncs on a worker would hold 64 pages (and ran out of a 128 MB heap).
    sim.faults.clear();
    const spec = journalLinesReader.spec;
    const reader = readWhere(fusion.client, spec, windowFilter(spec, window, true), true);
    const { held } = await takePagesThenCollect(reader, 3, 'readWhere');
    assert.deepEqual(held, [], 'every page handed over can be collected');
  });

  /**
   * Takes `pages` pages of the read, one at a time, in a function of its own (so that no frame of
   * the test holds one), then collects garbage until every page but those in `mayStayHeld` can be
   * collected (20 times at most). Returns the pages still held, and the most pages seen read ahead
   * in the process right after a page was taken.
   */
  async function takePagesThenCollect(
    read: AsyncGenerator<unknown[], unknown>,
    pages: number,
    what: string,
    mayStayHeld: number[] = [],
  ): Promise<{ held: number[]; mostAhead: number }> {
    const freed = new Set<number>();
    const registry = new FinalizationRegistry<number>((n) => freed.add(n));
    let mostAhead = 0;
    const takePage = async (n: number) => {
      const next = await read.next();
      assert.ok(!next.done && next.value.length > 0, `${what}: page ${n}`);
      registry.register(next.value, n);
      mostAhead = Math.max(mostAhead, pagesReadAhead());
    };
    const held = () => Array.from({ length: pages }, (_, n) => n).filter((n) => !freed.has(n));
    try {
      for (let n = 0; n < pages; n++) await takePage(n);
      for (let i = 0; i < 20 && held().some((n) => !mayStayHeld.includes(n)); i++) {
        gc();
        await sleep(10);
      }
      return { held: held(), mostAhead };
    } finally {
      await read.return(undefined);
    }
  }

  /**
   * Reads `pages` pages and checks that they came from several readers at once (one reader alone
   * has none waiting its turn) and that every page but the last one taken can be collected: the
   * read may still hold that one until it is asked for the next.
   */
  async function assertPagesHandedOverFreed(
    read: AsyncGenerator<unknown[], unknown>,
    pages: number,
    what: string,
  ): Promise<void> {
    const { held, mostAhead } = await takePagesThenCollect(read, pages, what, [pages - 1]);
    assert.ok(mostAhead > 1, `${what}: several readers read ahead at once (${mostAhead})`);
    assert.deepEqual(
      held.filter((n) => n !== pages - 1),
      [],
      `${what}: every page handed over before the last can be collected`,
    );
  }

  it('ranges of an adaptive read waiting their turn hold none of the pages they handed over', async () => {
    // The adaptive read cuts the window into up to 16 ranges and lets only as many read ahead as
    // the limit allows: the others wait, suspended. A range that held its last page while waiting
    // kept most of a sync's pages in memory (a heap snapshot of four syncs: 112,000 lines' raw
    // documents, held by the wrappers of waiting ranges).
    sim.faults.clear();
    const spec = journalLinesReader.spec;
    await assertPagesHandedOverFreed(
      readDocuments(fusion.client, spec, window, { expand: true, childChangeFilter: true }),
      8,
      'adaptive',
    );
  });

  it('time slices of a fixed parallelPages waiting their turn hold none of their pages, keyset or offset paged', async () => {
    // 12 slices, and 8 pages ahead in the process at most: 4 slices always wait their turn.
    const spec = journalLinesReader.spec;
    for (const frameworkVersion of [4, 1]) {
      // Answers slow enough that reads are still in flight while the test collects, as on a loaded
      // machine: a page taken must not be held by them (a Promise.race over the reads in flight
      // kept each winner until the slowest of them answered). Offset pages fetch each document's
      // children one request at a time, so a little delay each is enough there.
      sim.faults.clear();
      sim.faults.set({ latency: { ms: frameworkVersion >= 2 ? 600 : 30 } });
      const fixed = connectToSimulator(
        simUrl,
        { clientId: CLIENT_ID, clientSecret: SECRET },
        { pageSize: 25, requestTimeoutSeconds: 30, parallelPages: 12, frameworkVersion },
      );
      try {
        assert.equal(fixed.client.adaptive, null, 'parallelPages fixed');
        await assertPagesHandedOverFreed(
          readDocuments(fixed.client, spec, window, {
            expand: frameworkVersion >= 2,
            childChangeFilter: frameworkVersion >= 2,
          }),
          12,
          `framework version ${frameworkVersion}`,
        );
      } finally {
        await fixed.close();
        // 12 slices, 8 at once: the later tests check the bound of 4 (even when this one fails).
        sim.stats.restInFlight.peak = 0;
      }
    }
  });

  it('paces on 429 under a request-rate limit, honours its Retry-After, reads each line once', async () => {
    sim.faults.clear();
    sim.faults.set({
      podLatency: { minMs: 100, maxMs: 300, seed: 4 },
      rateLimit: { perSecond: 6, burst: 2 },
    });
    const limit = fusion.client.adaptive!;
    const from = limit.history.length;
    assertEachOnce(await readAll());
    const events = limit.history.slice(from);
    assert.ok((sim.stats.faults.rateLimit ?? 0) > 0, 'the rate limit answered 429');
    const paces = events.filter((s) => s.event === 'pace').map((s) => s.pace!);
    assert.ok(paces.length > 0, 'a 429 set a pace');
    // The pod lets 6 a second through (8 in a second at most, with its burst of 2): the last pace
    // is near that, not what the bound of 4 at once sends at 0.1–0.3 s an answer (13–40 a second).
    assert.ok(paces.at(-1)! < 8.5, `paced at ${paces.join(', ')} requests a second`);
    assert.ok(
      events.some((s) => s.event === 'pause'),
      'paused for Retry-After',
    );
    assert.ok(sim.stats.restInFlight.peak <= BOUND);
  });

  it('sends nothing while a 503 Retry-After runs, and cuts the limit', async () => {
    sim.faults.clear();
    sim.faults.set({ podLatency: { minMs: 50, maxMs: 100, seed: 5 } });
    const limit = fusion.client.adaptive!;
    // Widened again on clean answers first: past the last cut it probes slowly (a quarter step a
    // round), so it may take more than one read of the window to get back to the bound.
    for (let read = 0; read < 6 && limit.limit < BOUND; read++) assertEachOnce(await readAll());
    const widened = limit.limit;
    assert.equal(widened, BOUND, 'widened back to the bound on clean answers');
    sim.faults.set({ serviceUnavailable: { count: 1, retryAfter: 2 } });
    const requests = () => sim.stats.requests.journalBatches ?? 0;
    const reading = readAll();
    while (!sim.stats.faults.serviceUnavailable) await sleep(5);
    // Answers to requests already out may still come; a new request may not for 2 s.
    await sleep(600);
    const during = requests();
    await sleep(1000);
    assert.equal(requests(), during, 'no request during the Retry-After');
    assertEachOnce(await reading);
    const cut = limit.history.find((s, i) => s.event === 'narrow' && limit.history[i + 1]?.event === 'pause');
    assert.ok(cut && cut.limit <= Math.floor(widened * 0.7), `cut from ${widened}: ${JSON.stringify(cut)}`);
    assert.ok(sim.stats.restInFlight.peak <= BOUND);
  });
});

describe('adaptive parallel paging of a window much longer than its documents', { timeout: 120_000 }, () => {
  // A backfill from 2019 of documents that all changed in a few minutes a month ago: cut by the
  // window alone, the first range would hold every one of them, read one page after another.
  const from = Math.floor(Date.now() / 86_400_000 - 30) * 86_400_000;
  const sim = new FusionSimulator({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    generated: { journalLines: LINES, from },
    faults: { podLatency: { minMs: 100, maxMs: 300, seed: 6 } },
  });
  let fusion: FusionConnection;
  let simUrl: string;
  before(async () => {
    simUrl = await sim.listen();
    fusion = connectTo(simUrl);
  });
  after(async () => {
    await fusion.close();
    await sim.close();
  });

  /** Every line of a backfill window from 2019 to now, as `header/line`. */
  async function readBackfill(client: FusionConnection['client']): Promise<string[]> {
    const keys: string[] = [];
    const window = { from: '2019-01-01T00:00:00Z', to: new Date().toISOString() };
    for await (const page of readChanges(client, 'journalLines', window, {
      expand: true,
      childChangeFilter: true,
    })) {
      for (const x of page) if (x.ok) keys.push(`${x.record.headerId}/${x.record.lineNumber}`);
    }
    return keys;
  }

  it('cuts its ranges up to the latest document the pod names, and reads them at once', async () => {
    const keys = await readBackfill(fusion.client);
    assert.equal(keys.length, LINES, 'lines read');
    assert.equal(new Set(keys).size, LINES, 'no line twice');
    assert.equal(sim.stats.restInFlight.peak, BOUND, 'the pod saw the bound at once');
  });

  it('a hostile answer to the latest-document question costs balance, never a record', async () => {
    // In front of the pod, a proxy that answers only that question (newest first, one row) its way.
    sim.faults.clear(); // no pod latency: a poor cut reads one range after another
    let answer: { status: number; body: string } = { status: 200, body: '' };
    let asked = 0;
    const proxy = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.searchParams.get('orderBy')?.startsWith('LastUpdateDate:desc')) {
        asked++;
        req.resume();
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
        return;
      }
      const upstream = request(`${simUrl}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const through = connectTo(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    const page = (stamp: unknown) =>
      JSON.stringify({ items: [{ LastUpdateDate: stamp }], hasMore: true, count: 1 });
    const answers = {
      'a refusal (400)': { status: 400, body: '{"title":"Bad Request"}' },
      'a body that is no page': { status: 200, body: '[1, 2, 3]' },
      'no rows': { status: 200, body: JSON.stringify({ items: [], hasMore: false, count: 0 }) },
      'a stamp that is no instant': { status: 200, body: page('yesterday at noon') },
      'a number for a stamp': { status: 200, body: page(1.5e300) },
      'a stamp before the first page': { status: 200, body: page('1970-01-01T00:00:00Z') },
      'a stamp years ahead': { status: 200, body: page('2999-12-31T23:59:59.999999999Z') },
      'a stamp a second after the first page': {
        status: 200,
        body: page(new Date(from + 1000).toISOString()),
      },
    };
    try {
      for (const [name, hostile] of Object.entries(answers)) {
        answer = hostile;
        const before = asked;
        const keys = await readBackfill(through.client);
        assert.equal(asked, before + 1, `${name}: asked once`);
        assert.equal(keys.length, LINES, `${name}: lines read`);
        assert.equal(new Set(keys).size, LINES, `${name}: no line twice`);
      }
    } finally {
      await through.close();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
