import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FusionSimulator } from '../../simulator/server';
import { type FusionConnectionSettings, FusionError, readChanges } from '../../src/fusion';
import { connectToSimulator } from '../support/fusion';

// The Fusion client against the simulator's faults, each over real HTTP: throttling with and
// without Retry-After, 503, a reset connection, latency beyond the timeout, a token revoked
// mid-paging, a rate-limited token endpoint, Basic auth, framework versions and parallel paging.

const CLIENT_ID = 'fault-client';
const SECRET = 'fault-client-secret-8d1e';
const WINDOW = { from: '1970-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };

describe('Fusion client under faults', { timeout: 120_000 }, () => {
  const sim = new FusionSimulator({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    basicAuth: { username: 'integration.user', password: 'basic-pass-42' },
  });
  let url: string;
  const open: { close(): Promise<void> }[] = [];

  const connect = (overrides: Partial<FusionConnectionSettings> = {}) => {
    const c = connectToSimulator(
      url,
      { clientId: CLIENT_ID, clientSecret: SECRET },
      { pageSize: 4, requestTimeoutSeconds: 5, ...overrides },
    );
    open.push(c);
    return c;
  };

  /** Every invoice record ID the client reads in the whole window. */
  const readInvoices = async (c = connect(), options = { expand: true, childChangeFilter: true }) => {
    const ids: string[] = [];
    for await (const page of readChanges(c.client, 'invoices', WINDOW, options)) {
      for (const x of page) ids.push(x.ok ? x.record.recordId : x.recordId);
    }
    return ids;
  };

  let expected: string[];
  before(async () => {
    url = await sim.listen();
    expected = (await readInvoices()).sort();
    assert.ok(expected.length >= 8, 'the seed has enough invoices to page');
  });
  beforeEach(() => sim.faults.clear());
  after(async () => {
    for (const c of open) await c.close();
    await sim.close();
  });

  const faultCount = (kind: string) => (sim.stats.faults as Record<string, number>)[kind] ?? 0;

  it('429 with Retry-After: waits as told, then reads everything', async () => {
    const before = faultCount('tooManyRequests');
    sim.faults.set({ tooManyRequests: { count: 2, retryAfter: 1 } });
    const started = Date.now();
    assert.deepEqual((await readInvoices()).sort(), expected);
    assert.equal(faultCount('tooManyRequests') - before, 2);
    assert.ok(Date.now() - started >= 2000, 'waited the two Retry-After seconds');
  });

  it('429 without Retry-After: backs off, then reads everything', async () => {
    sim.faults.set({ tooManyRequests: { count: 1 } });
    assert.deepEqual((await readInvoices()).sort(), expected);
  });

  it('503: retried, then reads everything', async () => {
    const before = faultCount('serviceUnavailable');
    sim.faults.set({ serviceUnavailable: { count: 2 } });
    assert.deepEqual((await readInvoices()).sort(), expected);
    assert.equal(faultCount('serviceUnavailable') - before, 2);
  });

  it('a connection reset mid-paging: the GET is retried, nothing lost', async () => {
    const before = faultCount('connectionReset');
    sim.faults.set({ connectionReset: { count: 1 } });
    assert.deepEqual((await readInvoices()).sort(), expected);
    assert.equal(faultCount('connectionReset') - before, 1);
  });

  it('a 503 that does not pass surfaces as a retryable error for Temporal', async () => {
    sim.faults.set({ serviceUnavailable: { count: 50 } });
    await assert.rejects(
      readInvoices(connect({ transientRetries: 1 })),
      (err: unknown) => err instanceof FusionError && err.kind === 'unavailable' && err.retryable,
    );
  });

  it('latency beyond the request timeout is a retryable timeout; within it, just slower', async () => {
    sim.faults.set({ latency: { ms: 1500 } });
    const slow = connect({ requestTimeoutSeconds: 1, transientRetries: 0 });
    await assert.rejects(
      slow.client.getJson(slow.client.resourceUrl('invoices')),
      (err: unknown) =>
        err instanceof FusionError && err.kind === 'unavailable' && /timed out/.test(err.message),
    );
    sim.faults.set({ latency: { ms: 100 } });
    assert.deepEqual((await readInvoices()).sort(), expected);
  });

  it('a token revoked mid-paging: one refresh, paging goes on', async () => {
    const c = connect();
    await c.client.getJson(c.client.resourceUrl('invoices'));
    const tokens = sim.stats.tokensIssued;
    sim.faults.set({ tokenRevoked: { count: 1 } });
    assert.deepEqual((await readInvoices(c)).sort(), expected);
    assert.equal(sim.stats.tokensIssued - tokens, 1);
  });

  it('a rate-limited token endpoint (429): the token request is retried', async () => {
    sim.faults.set({ tooManyRequests: { count: 1, retryAfter: 1, target: 'token' } });
    assert.deepEqual((await readInvoices(connect())).sort(), expected);
  });

  it('a scope the identity domain does not know is a non-retryable error naming invalid_scope', async () => {
    const c = connect({
      auth: {
        type: 'oauth',
        tokenUrl: `${url}/oauth2/v1/token`,
        clientId: CLIENT_ID,
        clientSecret: SECRET,
        scope: 'urn:opc:idm:__myscopes__',
        tokenRefreshSeconds: 3300,
      },
    });
    await assert.rejects(
      c.client.getJson(c.client.resourceUrl('invoices')),
      (err: unknown) =>
        err instanceof FusionError && err.kind === 'bad-request' && /invalid_scope/.test(err.message),
    );
  });

  it('Basic auth for a Fusion user; a wrong password is a non-retryable auth error', async () => {
    const basic = connect({
      auth: { type: 'basic', username: 'integration.user', password: 'basic-pass-42' },
    });
    assert.deepEqual((await readInvoices(basic)).sort(), expected);
    const wrong = connect({ auth: { type: 'basic', username: 'integration.user', password: 'nope' } });
    await assert.rejects(
      readInvoices(wrong),
      (err: unknown) => err instanceof FusionError && err.kind === 'auth' && !err.retryable,
    );
  });

  it('framework versions 1 to 4 and with or without expand read the same records', async () => {
    for (const frameworkVersion of [1, 2, 3, 4]) {
      for (const expand of [true, false]) {
        const c = connect({ frameworkVersion });
        // v1 has no child-attribute filter; the connector then relies on parent stamps (documented).
        const ids = await readInvoices(c, { expand, childChangeFilter: frameworkVersion >= 2 });
        assert.deepEqual(ids.sort(), expected, `v${frameworkVersion} expand=${expand}`);
      }
    }
  });

  it('expanded pages come without links (onlyData); a document with more children than one nested page is read again with its links and completed', async () => {
    // Invoices whose lines, or some line's distributions, do not fit one nested page (25 at v3+).
    const crowded = (row: Record<string, unknown>): boolean =>
      sim.invoices.node.children.some((child) => {
        const rows = sim.invoices.children(row, child.name);
        return (
          rows.length > 25 || rows.some((r) => sim.invoices.children(r, 'invoiceDistributions').length > 25)
        );
      });
    const expectedRereads = sim.invoices.top.filter(crowded).map((row) => String(row.InvoiceId));
    assert.ok(expectedRereads.length >= 1, 'the seed has an invoice with 30 lines');

    sim.stats.recentCollectionGets.length = 0;
    const records = new Map<string, { lines: unknown[] }>();
    for await (const page of readChanges(connect().client, 'invoices', WINDOW, {
      expand: true,
      childChangeFilter: true,
    })) {
      for (const x of page)
        if (x.ok) records.set(x.record.recordId, x.record as unknown as { lines: unknown[] });
    }
    const gets = sim.stats.recentCollectionGets.filter((g) => g.resource === 'invoices');
    const reread = (g: { params: Record<string, string> }) => /^InvoiceId = \d+$/.test(g.params.q ?? '');
    const pages = gets.filter((g) => !reread(g));
    assert.ok(pages.length >= 2);
    for (const g of pages)
      assert.equal(g.params.onlyData, 'true', `page without onlyData: ${JSON.stringify(g.params)}`);
    assert.deepEqual(
      gets
        .filter(reread)
        .map((g) => g.params.q!.replace('InvoiceId = ', ''))
        .sort(),
      expectedRereads.sort(),
      'exactly the crowded invoices are read again',
    );
    for (const g of gets.filter(reread)) assert.equal(g.params.onlyData, undefined, 'read again with links');
    for (const id of expectedRereads) {
      const row = sim.invoices.top.find((r) => String(r.InvoiceId) === id)!;
      assert.equal(
        records.get(id)?.lines.length,
        sim.invoices.children(row, 'invoiceLines').length,
        `invoice ${id} complete`,
      );
    }
  });

  it('parallel paging over time slices reads the same records, once each', async () => {
    const ids = await readInvoices(connect({ parallelPages: 4 }));
    assert.equal(ids.length, expected.length);
    assert.deepEqual(ids.sort(), expected);
  });
});
