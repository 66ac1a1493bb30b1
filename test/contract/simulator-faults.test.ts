import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { DEFAULT_SCOPE, FusionSimulator } from '../../simulator/server';
import { asText, basicHeader, items, type Json, SimClient } from '../../simulator/test-client';

// Contract: fault injection (§4.8) — latency, revoked token, 429 with and without Retry-After,
// 503, connection reset, rows changing under a paging client (§4.2) and the no-bump mode
// (open point 6) — set through POST /__sim/faults or the constructor, counted in stats.

const CLIENT_ID = 'sim-client';
const SECRET = 'sim-secret-7c1e';
const BASIC = { username: 'fusion.reader', password: 'reader-pw' };

describe('simulator contract: fault injection', () => {
  let clock = Date.parse('2026-11-26T09:00:00Z');
  const sim = new FusionSimulator({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    basicAuth: BASIC,
    now: () => clock,
  });
  let url: string;
  let v4: SimClient;
  const statuses = async (n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await v4.get('/suppliers', { limit: 1 })).status);
    return out;
  };
  const token = async () => {
    const res = await fetch(`${url}/oauth2/v1/token`, {
      method: 'POST',
      headers: {
        authorization: basicHeader(CLIENT_ID, SECRET),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: DEFAULT_SCOPE }).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };
  const setFaults = async (faults: Json) => {
    const res = await v4.control('POST', 'faults', faults);
    assert.equal(res.status, 200, res.text);
  };

  before(async () => {
    url = await sim.listen();
    v4 = new SimClient(url, { basic: BASIC, frameworkVersion: 4 });
  });
  afterEach(async () => {
    await v4.control('DELETE', 'faults');
  });
  after(() => sim.close());

  it('latency: every REST request is answered after the configured delay', async () => {
    await setFaults({ latency: { ms: 150 } });
    const started = Date.now();
    assert.deepEqual(await statuses(2), [200, 200]);
    assert.ok(Date.now() - started >= 290, 'two requests, 150 ms each');
    assert.ok((sim.stats.faults.latency ?? 0) >= 2);
  });

  it('token revoked: the next REST call answers 401 once, and that token stays dead; a new one works', async () => {
    const first = (await token()).body.access_token!;
    const bearer = new SimClient(url, { authorization: `Bearer ${first}`, frameworkVersion: 4 });
    await setFaults({ tokenRevoked: { count: 1 } });
    const revoked = await bearer.get('/suppliers');
    assert.equal(revoked.status, 401);
    assert.equal(revoked.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await bearer.get('/suppliers')).status, 401, 'the revoked token stays revoked');
    const fresh = (await token()).body.access_token!;
    const renewed = new SimClient(url, { authorization: `Bearer ${fresh}`, frameworkVersion: 4 });
    assert.equal((await renewed.get('/suppliers')).status, 200, 'the fault fired once');
    assert.equal(sim.stats.faults.tokenRevoked, 1);
  });

  it('429 with Retry-After for the next N requests', async () => {
    await setFaults({ tooManyRequests: { count: 2, retryAfter: 3 } });
    const first = await v4.get('/suppliers');
    assert.equal(first.status, 429);
    assert.equal(first.headers.get('retry-after'), '3');
    assert.deepEqual(await statuses(2), [429, 200]);
  });

  it('429 without Retry-After', async () => {
    await setFaults({ tooManyRequests: { count: 1 } });
    const res = await v4.get('/suppliers');
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), null);
  });

  it('429 on every k-th request', async () => {
    await setFaults({ tooManyRequests: { every: 3 } });
    assert.deepEqual(await statuses(6), [200, 200, 429, 200, 200, 429]);
  });

  it('503 for the next N requests', async () => {
    const before = sim.stats.faults.serviceUnavailable ?? 0;
    await setFaults({ serviceUnavailable: { count: 2 } });
    assert.deepEqual(await statuses(3), [503, 503, 200]);
    assert.equal(sim.stats.faults.serviceUnavailable, before + 2);
  });

  it('connection reset: the socket is destroyed without an answer for the next N requests', async () => {
    await setFaults({ connectionReset: { count: 1 } });
    await assert.rejects(v4.get('/suppliers'), /fetch failed/);
    assert.deepEqual(await statuses(1), [200]);
    assert.equal(sim.stats.faults.connectionReset, 1);
  });

  it('faults aimed at the token endpoint leave REST alone, and answer in OAuth JSON', async () => {
    await setFaults({ tooManyRequests: { count: 1, target: 'token', retryAfter: 1 } });
    assert.deepEqual(await statuses(1), [200]);
    const res = await token();
    assert.equal(res.status, 429);
    assert.equal(res.body.error, 'too_many_requests');
    assert.equal((await token()).status, 200);
  });

  it('GET /__sim/faults shows the active faults; DELETE clears them', async () => {
    await setFaults({ serviceUnavailable: { count: 5 }, latency: { ms: 1 } });
    const active = (await v4.control('GET', 'faults')).json!;
    assert.deepEqual(Object.keys(active).sort(), ['latency', 'serviceUnavailable']);
    await v4.control('DELETE', 'faults');
    assert.deepEqual((await v4.control('GET', 'faults')).json, {});
    assert.deepEqual(await statuses(1), [200]);
    assert.equal((await v4.control('POST', 'faults', { serviceUnavailable: { count: -1 } })).status, 400);
  });

  it('faults given to the constructor are active from the first request', async () => {
    const faulty = new FusionSimulator({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      basicAuth: BASIC,
      faults: { serviceUnavailable: { count: 1, retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT' } },
    });
    const client = new SimClient(await faulty.listen(), { basic: BASIC });
    try {
      const res = await client.get('/suppliers');
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), 'Wed, 21 Oct 2026 07:28:00 GMT');
      assert.equal((await client.get('/suppliers')).status, 200);
    } finally {
      await faulty.close();
    }
  });

  it('rows updated while a client pages shift offsets: rows leaving a frozen window are skipped', async () => {
    const window = {
      q: "LastUpdateDate > '2026-01-01T00:00:00Z' and LastUpdateDate <= '2026-10-02T00:00:00Z'",
      orderBy: 'LastUpdateDate:asc,InvoiceId:asc',
    };
    const before = items(await v4.get('/invoices', { ...window, limit: 500 })).map((r) =>
      asText(r.InvoiceId),
    );
    await setFaults({ updateDuringPaging: { resource: 'invoices', afterRequests: 1, count: 2 } });
    const seen: (string | null)[] = [];
    for (let offset = 0; ; ) {
      const page = (await v4.get('/invoices', { ...window, limit: 5, offset })).json!;
      seen.push(...(page.items as Json[]).map((r) => asText(r.InvoiceId)));
      if (!page.hasMore) break;
      offset += (page.items as Json[]).length;
    }
    assert.equal(seen.length, before.length - 2);
    assert.deepEqual(
      before.filter((id) => !seen.includes(id)),
      before.slice(5, 7),
      'the two rows after the first page slid under the offset',
    );
    assert.equal(sim.stats.faults.updateDuringPaging, 2);
    const moved = (await v4.control('GET', 'invoices')).json!.items as Json[];
    const bumped = moved.filter((r) => before.slice(0, 2).includes(asText(r.InvoiceId)));
    for (const r of bumped) assert.ok(Date.parse(String(r.LastUpdateDate)) >= clock - 1000);
  });

  it('rows updated while a client pages an open window are seen twice', async () => {
    const window = {
      q: "LastUpdateDate > '2026-01-01T00:00:00Z'",
      orderBy: 'LastUpdateDate:asc,SupplierId:asc',
    };
    const total = items(await v4.get('/suppliers', { ...window, limit: 500 })).length;
    await setFaults({ updateDuringPaging: { resource: 'suppliers', afterRequests: 1, count: 3 } });
    const seen: unknown[] = [];
    for (let offset = 0; ; ) {
      const page = (await v4.get('/suppliers', { ...window, limit: 4, offset })).json!;
      seen.push(...(page.items as Json[]).map((r) => r.SupplierId));
      if (!page.hasMore) break;
      offset += (page.items as Json[]).length;
    }
    assert.equal(seen.length, total);
    assert.equal(new Set(seen).size, total - 3, 'three rows came back at the end, three were never seen');
  });

  it('a child change bumps the parents by default; the no-bump mode leaves them alone, found only through the child filter', async () => {
    const invoices = items(await v4.get('/invoices', { limit: 2, onlyData: 'true' }));
    const [bumped, untouched] = invoices.map((r) => asText(r.InvoiceId)!);
    clock = Date.parse('2026-11-26T10:00:00Z');
    await v4.control('PATCH', `invoices/${bumped}/invoiceLines/1`, { Description: 'edited' });
    const afterBump = (await v4.control('GET', 'invoices')).json!.items as Json[];
    assert.equal(
      afterBump.find((r) => asText(r.InvoiceId) === bumped)!.LastUpdateDate,
      '2026-11-26T10:00:00.000+00:00',
    );

    await setFaults({ childChangeBumpsParents: false });
    clock = Date.parse('2026-11-26T11:00:00Z');
    const before = afterBump.find((r) => asText(r.InvoiceId) === untouched)!.LastUpdateDate;
    const line = await v4.control('PATCH', `invoices/${untouched}/invoiceLines/1`, {
      Description: 'quiet edit',
    });
    assert.equal(line.json!.LastUpdateDate, '2026-11-26T11:00:00.000+00:00');
    const invoice = (await v4.get('/invoices', { finder: `PrimaryKey;InvoiceId=${untouched}` })).json!;
    assert.equal(((invoice.items as Json[])[0] as Json).LastUpdateDate, before);
    const since = "'2026-11-26T10:30:00Z'";
    assert.deepEqual(items(await v4.get('/invoices', { q: `LastUpdateDate > ${since}` })), []);
    assert.deepEqual(
      items(await v4.get('/invoices', { q: `invoiceLines.LastUpdateDate > ${since}` })).map((r) =>
        asText(r.InvoiceId),
      ),
      [untouched],
    );
  });

  it('the no-bump mode from the constructor applies to journals too', async () => {
    const quiet = new FusionSimulator({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      childChangeBumpsParents: false,
    });
    const line = quiet.flatJournalLines()[0]!;
    const batchBefore = quiet.journals.findBatch(line.JeBatchId as number)!.LastUpdateDate;
    quiet.journals.updateLine(line.JeHeaderId as number, line.JeLineNumber as number, { Description: 'x' });
    assert.equal(quiet.journals.findBatch(line.JeBatchId as number)!.LastUpdateDate, batchBefore);
  });

  it('GET /__sim/stats counts injected faults by kind', async () => {
    const stats = (await v4.control('GET', 'stats')).json!;
    const faults = stats.faults as Record<string, number>;
    for (const kind of [
      'latency',
      'tokenRevoked',
      'tooManyRequests',
      'serviceUnavailable',
      'connectionReset',
    ]) {
      assert.ok((faults[kind] ?? 0) > 0, kind);
    }
    assert.ok(typeof stats.tokensIssued === 'number');
  });
});
