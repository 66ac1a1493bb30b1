import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FusionSimulator } from '../../simulator/server';
import { type JournalLinesCsvLayout, journalLineToRow } from '../../src/formats/csv/journalLines';
import {
  type connectFusion,
  type FusionConnection,
  FusionError,
  readChanges,
  TokenProvider,
} from '../../src/fusion';
import { createFusionAgent } from '../../src/fusion/http';
import { connectToSimulator } from '../support/fusion';

// The Fusion client against the simulator over real HTTP: token lifecycle and paging.

const CLIENT_ID = 'client-test';
const SECRET = 'client-test-secret-3f9c';
const SCOPE = 'urn:opc:resource:fa:instanceid=700000001urn:opc:resource:consumer::all';

describe('Fusion client against the simulator', () => {
  let clock = Date.parse('2026-11-26T09:00:00Z');
  const sim = new FusionSimulator({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    paging: { defaultLimit: 25, maxLimit: 5 }, // the server clamps every page to 5 rows
    now: () => clock,
  });
  let url: string;
  let fusion: FusionConnection;

  const connect = (overrides: Partial<Parameters<typeof connectFusion>[0]> = {}) =>
    connectToSimulator(
      url,
      { clientId: CLIENT_ID, clientSecret: SECRET },
      { pageSize: 7, requestTimeoutSeconds: 10, ...overrides },
    );

  before(async () => {
    url = await sim.listen();
    fusion = connect();
  });
  after(async () => {
    await fusion.close();
    await sim.close();
  });

  it('reads every journal line once when the server clamps pages below the requested limit', async () => {
    const seen: string[] = [];
    const window = { from: '1970-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };
    for await (const page of readChanges(fusion.client, 'journalLines', window, {
      expand: false,
      childChangeFilter: false,
    })) {
      for (const x of page) seen.push(x.ok ? x.record.recordId : `bad ${x.recordId}`);
    }
    const expected = sim.flatJournalLines().map((l) => `${l.JeHeaderId}:${l.JeLineNumber}`);
    assert.equal(seen.length, expected.length, 'no line lost or read twice');
    assert.deepEqual([...seen].sort(), [...expected].sort());
  });

  it("journal lines carry their header's LedgerCurrencyCode: accounted amounts format at its minor units", async () => {
    const ledgerOf = new Map(
      sim.journals.headers.map((h) => [String(h.JeHeaderId), String(h.LedgerCurrencyCode)]),
    );
    const window = { from: '1970-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };
    const layout: JournalLinesCsvLayout = {
      columns: [
        { header: 'Acc DR', field: 'accountedDr' },
        { header: 'Acc CR', field: 'accountedCr' },
        { header: 'Ledger', field: 'ledgerCurrencyCode' },
      ],
      decimalPlaces: 'currency',
      header: false,
      delimiter: ',',
      lineEnding: 'lf',
      chartOfAccounts: { delimiter: '-', segments: ['company', 'costCentre', 'account', 'subAccount'] },
    };
    const currencies = new Set<string>();
    for await (const page of readChanges(fusion.client, 'journalLines', window, {
      expand: true,
      childChangeFilter: false,
    })) {
      for (const x of page) {
        assert.ok(x.ok, x.ok ? '' : x.error.message);
        assert.equal(x.record.ledgerCurrencyCode, ledgerOf.get(x.record.headerId));
        currencies.add(x.record.ledgerCurrencyCode!);
        // Before, every line with accounted amounts was refused here: their currency was unknown.
        assert.equal(journalLineToRow(x.record, layout)[2], x.record.ledgerCurrencyCode);
      }
    }
    assert.ok(currencies.size >= 2, [...currencies].join());
  });

  it('invalid UTF-8 in one supplier quarantines that supplier only, the page goes on', async () => {
    const suppliers = sim.suppliers.top;
    const target = suppliers[1]!;
    sim.faults.set({ rawBytes: { find: `"${String(target.Supplier)}"`, bytesHex: '22ff22' } });
    const results: string[] = [];
    try {
      const window = { from: '1970-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };
      for await (const page of readChanges(fusion.client, 'suppliers', window, {
        expand: true,
        childChangeFilter: false,
      })) {
        for (const x of page) {
          results.push(
            x.ok ? `ok ${x.record.recordId}` : `${x.recordId} ${x.error.field}: ${x.error.reason}`,
          );
        }
      }
    } finally {
      sim.faults.clear();
    }
    assert.equal(results.length, suppliers.length);
    assert.ok(results.includes(`${target.SupplierId} Supplier: invalid UTF-8 (U+FFFD)`), results.join('\n'));
    assert.equal(results.filter((r) => r.startsWith('ok ')).length, suppliers.length - 1);
  });

  it('a document Fusion cannot give whole (endless child pages) is quarantined, not mapped in part', async () => {
    sim.faults.set({ endlessPages: { resource: 'invoiceLines' } });
    const results: string[] = [];
    try {
      const window = { from: '1970-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };
      for await (const page of readChanges(fusion.client, 'invoices', window, {
        expand: false,
        childChangeFilter: false,
      })) {
        for (const x of page)
          results.push(x.ok ? `ok ${x.record.recordId}` : `${x.recordId} ${x.error.field}`);
      }
    } finally {
      sim.faults.clear();
    }
    const invoices = sim.invoices.top.map((i) => String(i.InvoiceId));
    assert.deepEqual(results.sort(), invoices.map((id) => `${id} (children)`).sort());
  });

  it('fetches one token for many concurrent requests and reuses it', async () => {
    const before = sim.stats.tokensIssued;
    const fresh = connect();
    try {
      await Promise.all(
        Array.from({ length: 10 }, () => fresh.client.getJson(fresh.client.resourceUrl('journalBatches'))),
      );
      assert.equal(sim.stats.tokensIssued - before, 1);
    } finally {
      await fresh.close();
    }
  });

  it('on 401 drops the token, fetches a new one and retries the request once', async () => {
    await fusion.client.getJson(fusion.client.resourceUrl('journalBatches'));
    const before = sim.stats.tokensIssued;
    sim.revokeTokens();
    const body = (await fusion.client.getJson(fusion.client.resourceUrl('journalBatches'))) as {
      items: unknown[];
    };
    assert.ok(body.items.length > 0);
    assert.equal(sim.stats.tokensIssued - before, 1);
  });

  it('refreshes the token proactively once it reaches the configured age', async () => {
    const agent = createFusionAgent({ requestTimeoutSeconds: 10 });
    const tokens = new TokenProvider(
      {
        tokenUrl: `${url}/oauth2/v1/token`,
        clientId: CLIENT_ID,
        clientSecret: SECRET,
        scope: SCOPE,
        refreshAfterSeconds: 3300,
      },
      agent,
      () => clock,
    );
    try {
      const first = await tokens.get();
      clock += 54 * 60_000;
      assert.equal((await tokens.get()).accessToken, first.accessToken, 'still fresh at 54 minutes');
      clock += 2 * 60_000;
      assert.notEqual((await tokens.get()).accessToken, first.accessToken, 'refreshed at 56 minutes');
    } finally {
      await agent.close();
    }
  });

  it('fails with an auth error that does not contain the secret when credentials are wrong', async () => {
    const wrong = connect({
      auth: {
        type: 'oauth',
        tokenUrl: `${url}/oauth2/v1/token`,
        clientId: CLIENT_ID,
        clientSecret: 'not-the-secret-77',
        scope: SCOPE,
        tokenRefreshSeconds: 3300,
      },
    });
    try {
      await assert.rejects(
        wrong.client.getJson(wrong.client.resourceUrl('journalBatches')),
        (err: unknown) => {
          assert.ok(err instanceof FusionError);
          assert.equal(err.kind, 'auth');
          assert.match(err.message, /HTTP 401 \(invalid_client\)/);
          assert.ok(!err.message.includes('not-the-secret-77'));
          return true;
        },
      );
    } finally {
      await wrong.close();
    }
  });

  it('reports a bad query as a non-retryable bad-request with the server detail (v4 error JSON)', async () => {
    await assert.rejects(
      fusion.client.getJson(
        `${fusion.client.resourceUrl('journalBatches')}?q=${encodeURIComponent("Nope > '1'")}`,
      ),
      (err: unknown) =>
        err instanceof FusionError &&
        err.kind === 'bad-request' &&
        /unknown attribute 'Nope'/.test(err.message),
    );
  });
});
