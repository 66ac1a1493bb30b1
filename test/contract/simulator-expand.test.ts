import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FusionSimulator } from '../../simulator/server';
import { asText, items, type Json, link, SimClient } from '../../simulator/test-client';

// Contract: expand per framework version (§2.2, §4.4), opaque UniqID keys in links (§2.1, §4.7)
// and q on child attributes (§2.3).

const BASIC = { username: 'fusion.reader', password: 'reader-pw' };
const THIRTY_LINES = "InvoiceNumber = 'LITWARE-10448'";

describe('simulator contract: expand, child links and child filters', () => {
  const sim = new FusionSimulator({ clientId: 'c', clientSecret: 's', basicAuth: BASIC });
  let url: string;
  const client = (frameworkVersion: number) => new SimClient(url, { basic: BASIC, frameworkVersion });

  before(async () => {
    url = await sim.listen();
  });
  after(() => sim.close());

  it('v1 and v2 return expanded children as bare arrays, all rows, no paging signal', async () => {
    for (const version of [1, 2]) {
      const q = version === 1 ? 'InvoiceNumber=LITWARE-10448' : THIRTY_LINES;
      const invoice = items(await client(version).get('/invoices', { q, expand: 'invoiceLines' }))[0]!;
      assert.ok(Array.isArray(invoice.invoiceLines), `v${version}`);
      assert.equal((invoice.invoiceLines as Json[]).length, 30);
    }
  });

  it('v3+ returns expanded children as collections of at most 25 with hasMore; the child link pages the rest', async () => {
    for (const version of [3, 4]) {
      const v = client(version);
      const invoice = items(await v.get('/invoices', { q: THIRTY_LINES, expand: 'invoiceLines' }))[0]!;
      const nested = invoice.invoiceLines as Json;
      assert.equal(Array.isArray(nested), false);
      assert.equal((nested.items as Json[]).length, 25);
      assert.equal(nested.count, 25);
      assert.equal(nested.hasMore, true);
      assert.equal(nested.limit, 25);
      assert.equal(nested.offset, 0);
      const rest = (await v.get(link(nested, 'self'), { offset: 25 })).json!;
      assert.deepEqual(
        (rest.items as Json[]).map((l) => l.LineNumber),
        [26, 27, 28, 29, 30],
      );
      assert.equal(rest.hasMore, false);
    }
  });

  it('a parent with few children reports hasMore false on its nested collection', async () => {
    const invoice = items(
      await client(4).get('/invoices', { q: "InvoiceNumber = 'NW-10440'", expand: 'invoiceLines' }),
    )[0]!;
    assert.equal((invoice.invoiceLines as Json).hasMore, false);
    assert.equal((invoice.invoiceLines as Json).count, 2);
  });

  it('expand=all expands the direct children only', async () => {
    const invoice = items(await client(4).get('/invoices', { expand: 'all', limit: 1 }))[0]!;
    assert.ok('invoiceLines' in invoice && 'invoiceInstallments' in invoice);
    const line = ((invoice.invoiceLines as Json).items as Json[])[0]!;
    assert.equal('invoiceDistributions' in line, false);
  });

  it('expand=child.grandchild nests to any depth', async () => {
    const po = items(
      await client(4).get('/purchaseOrders', {
        expand: 'lines.schedules.distributions',
        limit: 1,
        onlyData: 'true',
      }),
    )[0]!;
    const line = ((po.lines as Json).items as Json[])[0]!;
    const schedule = ((line.schedules as Json).items as Json[])[0]!;
    const distribution = ((schedule.distributions as Json).items as Json[])[0]!;
    assert.equal(asText(distribution.Amount), '4800.00');
    assert.equal((await client(4).get('/purchaseOrders', { expand: 'nope' })).status, 400);
  });

  it('UniqID keys are opaque in self and child links, and following the links works', async () => {
    const v = client(4);
    const invoice = items(await v.get('/invoices', { q: "InvoiceNumber = 'NW-10440'" }))[0]!;
    const self = link(invoice, 'self');
    const key = self.split('/').pop()!;
    assert.notEqual(key, String(invoice.InvoiceId), 'not the plain InvoiceId');
    assert.match(key, /^[0-9A-F]{20,}$/);
    assert.equal((await v.get(self)).json!.InvoiceId, invoice.InvoiceId);
    const lines = items(await v.get(link(invoice, 'child', 'invoiceLines')));
    const lineSelf = link(lines[1]!, 'self');
    assert.match(lineSelf, /\/child\/invoiceLines\/[0-9A-F]{20,}$/);
    assert.equal((await v.get(lineSelf)).json!.LineType, 'Freight');
    const distributions = items(await v.get(link(lines[0]!, 'child', 'invoiceDistributions')));
    assert.equal(asText(distributions[0]!.DistributionAmount), '1000.00');
    // Purchase orders: UniqID order, plain POLineId line, UniqID schedule.
    const po = items(await v.get('/purchaseOrders', { limit: 1 }))[0]!;
    const poLines = items(await v.get(link(po, 'child', 'lines')));
    assert.ok(link(poLines[0]!, 'self').endsWith(`/child/lines/${poLines[0]!.POLineId}`));
    const schedules = items(await v.get(link(poLines[0]!, 'child', 'schedules')));
    assert.match(link(schedules[0]!, 'self'), /\/child\/schedules\/[0-9A-F]{20,}$/);
    assert.equal(items(await v.get(link(schedules[0]!, 'child', 'distributions'))).length, 1);
    // Suppliers: plain ids throughout.
    const supplier = items(await v.get('/suppliers', { limit: 1 }))[0]!;
    assert.ok(link(supplier, 'self').endsWith(`/suppliers/${supplier.SupplierId}`));
    assert.equal((await v.get(`${link(supplier, 'self')}x`)).status, 404, 'an unknown key is a 404');
  });

  it('q on a child attribute selects parents with any matching child and does not filter the expanded children', async () => {
    const rows = items(
      await client(4).get('/invoices', { q: "invoiceLines.Description = 'Freight'", expand: 'invoiceLines' }),
    );
    assert.deepEqual(
      rows.map((r) => r.InvoiceNumber),
      ['NW-10440'],
    );
    const lines = (rows[0]!.invoiceLines as Json).items as Json[];
    assert.deepEqual(
      lines.map((l) => l.Description),
      ['Rack rails', 'Freight'],
      'both lines, not only the matching one',
    );
  });

  it('q on a child attribute needs v2+: v1 answers 400', async () => {
    const res = await client(1).get('/invoices', { q: 'invoiceLines.LineType=Freight' });
    assert.equal(res.status, 400);
  });

  it('q reaches grandchildren through dotted paths (inferred from the one-level rule)', async () => {
    const rows = items(
      await client(4).get('/purchaseOrders', { q: "lines.schedules.ShipToLocation = 'München Receiving'" }),
    );
    assert.deepEqual(
      rows.map((r) => r.CurrencyCode),
      ['EUR'],
    );
    const deeper = items(
      await client(4).get('/purchaseOrders', {
        q: "lines.schedules.distributions.ChargeAccount like '%-60500-%'",
        limit: 500,
      }),
    );
    assert.ok(deeper.length >= 2);
    assert.equal((await client(4).get('/purchaseOrders', { q: "lines.nope.X = '1'" })).status, 400);
  });

  it('a single item GET takes expand and fields as well', async () => {
    const invoice = items(await client(4).get('/invoices', { q: "InvoiceNumber = 'NW-10440'" }))[0]!;
    const item = (
      await client(4).get(link(invoice, 'self'), { fields: 'InvoiceId;invoiceInstallments:GrossAmount' })
    ).json!;
    assert.deepEqual(Object.keys(item), ['InvoiceId', 'invoiceInstallments', 'links']);
    assert.equal(asText(((item.invoiceInstallments as Json).items as Json[])[0]!.GrossAmount), '1250.00');
  });
});
