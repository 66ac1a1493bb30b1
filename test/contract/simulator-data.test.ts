import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FusionSimulator } from '../../simulator/server';
import { asText, items, type Json, link, SimClient } from '../../simulator/test-client';

// Contract: the seeded invoices, purchase orders and suppliers carry the reference's field names
// (§3.2–3.4) and types (§2.6), with the edge cases a connector must survive; the /__sim/ routes
// create and update rows and their children, moving LastUpdateDate.

const BASIC = { username: 'fusion.reader', password: 'reader-pw' };
const NOW = Date.parse('2026-11-26T12:00:00Z');

describe('simulator contract: seeded data and mutations', () => {
  const sim = new FusionSimulator({ clientId: 'c', clientSecret: 's', basicAuth: BASIC, now: () => NOW });
  let v4: SimClient;
  const invoiceBy = async (number: string) =>
    items(
      await v4.get('/invoices', { q: `InvoiceNumber = '${number}'`, expand: 'all', onlyData: 'true' }),
    )[0]!;

  before(async () => {
    v4 = new SimClient(await sim.listen(), { basic: BASIC, frameworkVersion: 4 });
  });
  after(() => sim.close());

  it('seed data is deterministic: two simulators serve identical rows', async () => {
    const twin = new FusionSimulator({ clientId: 'c', clientSecret: 's', now: () => NOW });
    const twinClient = new SimClient(await twin.listen());
    try {
      for (const name of ['invoices', 'purchaseOrders', 'suppliers']) {
        assert.equal(
          (await twinClient.control('GET', name)).text,
          (await v4.control('GET', name)).text,
          name,
        );
      }
    } finally {
      await twin.close();
    }
  });

  it('each resource has 10–20 seeded rows with timestamps carrying an explicit offset and yyyy-MM-dd dates', async () => {
    for (const name of ['invoices', 'purchaseOrders', 'suppliers']) {
      const rows = items(await v4.get(`/${name}`, { limit: 500 }));
      assert.ok(rows.length >= 10 && rows.length <= 20, `${name}: ${rows.length}`);
      for (const r of rows)
        assert.match(String(r.LastUpdateDate), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
    }
    const invoice = await invoiceBy('NW-10440');
    assert.match(String(invoice.InvoiceDate), /^\d{4}-\d{2}-\d{2}$/);
  });

  it('amounts are exact decimals in the currency precision: JPY none, KWD three, beyond float range exact', async () => {
    assert.equal(asText((await invoiceBy('SAKURA-10444')).InvoiceAmount), '138800');
    assert.equal(asText((await invoiceBy('ALKUWAIT-10445')).InvoiceAmount), '189.375');
    assert.equal(asText((await invoiceBy('FAB-10447')).InvoiceAmount), '98765432109876.54');
    const raw = (await v4.get('/invoices', { q: "InvoiceNumber = 'FAB-10447'", fields: 'InvoiceAmount' }))
      .text;
    assert.match(raw, /"InvoiceAmount":98765432109876\.54\b/, 'a JSON number, exactly as stored');
  });

  it('a credit memo carries negative amounts on the invoice, its lines and installments', async () => {
    const memo = items(await v4.get('/invoices', { q: "InvoiceType = 'Credit Memo'", expand: 'all' }))[0]!;
    assert.equal(asText(memo.InvoiceAmount), '-250.00');
    const lines = (memo.invoiceLines as Json).items as Json[];
    assert.deepEqual(
      lines.map((l) => asText(l.LineAmount)),
      ['-200.00', '-50.00'],
    );
    assert.equal(asText(((memo.invoiceInstallments as Json).items as Json[])[0]!.GrossAmount), '-250.00');
  });

  it('lines without a quantity (freight, amount-based services) have null Quantity, UnitPrice/Price and UOM', async () => {
    const freight = ((await invoiceBy('NW-10440')).invoiceLines as Json).items as Json[];
    assert.deepEqual([freight[1]!.Quantity, freight[1]!.UnitPrice, freight[1]!.UOM], [null, null, null]);
    const services = items(
      await v4.get('/purchaseOrders', { q: "lines.LineType = 'Services'", expand: 'lines', limit: 1 }),
    );
    const line = ((services[0]!.lines as Json).items as Json[]).find((l) => l.LineType === 'Services')!;
    assert.equal(line.Quantity, null);
    assert.equal(line.Price, null);
    assert.ok(asText(line.Ordered));
  });

  it('text with commas, quotes, newlines and non-ASCII comes through JSON intact', async () => {
    const descriptions = items(await v4.get('/invoices', { limit: 500 })).map((r) => r.Description);
    assert.ok(descriptions.includes('Toner, paper, and staples'));
    assert.ok(descriptions.includes('Parts "rush" order'));
    assert.ok(descriptions.includes('Wartung Q3\nZweite Zeile: Prüfung & Übergabe'));
    assert.ok(descriptions.includes('精密部品 10月分'));
    const suppliers = items(await v4.get('/suppliers', { limit: 500 })).map((r) => r.Supplier);
    assert.ok(suppliers.includes('Acme "Quick" Parts, Inc.'));
    assert.ok(suppliers.includes("O'Reilly Freight LLC"));
    assert.equal(
      items(await v4.get('/suppliers', { q: "Supplier = 'O''Reilly Freight LLC'" })).length,
      1,
      'a quote in a q literal is doubled',
    );
  });

  it('field names match the reference for invoices, purchase orders and suppliers and their children', async () => {
    const describe = async (name: string) => (await v4.get(`/${name}/describe`)).json!.Resources as Json;
    const names = (r: Json) => (r.attributes as { name: string }[]).map((a) => a.name);
    const invoices = (await describe('invoices')).invoices as Json;
    assert.ok(
      ['InvoiceId', 'InvoiceNumber', 'SupplierSite', 'PaidStatus', 'LegalEntityName'].every((n) =>
        names(invoices).includes(n),
      ),
    );
    const po = (await describe('purchaseOrders')).purchaseOrders as Json;
    assert.ok(
      ['POHeaderId', 'OrderNumber', 'SoldToLegalEntity', 'BillToBU', 'Ordered', 'StatusCode'].every((n) =>
        names(po).includes(n),
      ),
    );
    const schedules = (((po.children as Json).lines as Json).children as Json).schedules as Json;
    assert.deepEqual(names(schedules), [
      'LineLocationId',
      'ScheduleNumber',
      'Quantity',
      'NeedByDate',
      'ShipToLocation',
      'LastUpdateDate',
    ]);
    const suppliers = (await describe('suppliers')).suppliers as Json;
    const sites = (suppliers.children as Json).sites as Json;
    assert.ok(names(sites).includes('SitePurposePurchasingFlag'));
    assert.deepEqual(Object.keys(suppliers.children as Json), ['sites', 'addresses', 'contacts']);
  });

  it('POST /__sim/invoices creates an invoice with lines, distributions and installments, served by the REST API', async () => {
    const created = await v4.control('POST', 'invoices', {
      InvoiceNumber: 'SIM-1',
      InvoiceType: 'Standard',
      BusinessUnit: 'US1 Business Unit',
      Supplier: 'Contoso Office Supply',
      SupplierNumber: '1301',
      InvoiceAmount: '10.10',
      InvoiceCurrency: 'USD',
      InvoiceDate: '2026-11-25',
      invoiceLines: [
        {
          LineType: 'Item',
          LineAmount: '10.10',
          Quantity: '1',
          UnitPrice: '10.10',
          invoiceDistributions: [
            { DistributionAmount: '10.10', DistributionCombination: '101-10-60010-000' },
          ],
        },
      ],
      invoiceInstallments: [{ GrossAmount: '10.10', UnpaidAmount: '10.10', DueDate: '2026-12-25' }],
    });
    assert.equal(created.status, 201, created.text);
    const body = created.json!;
    assert.equal(body.LastUpdateDate, '2026-11-26T12:00:00.000+00:00');
    const line = (body.invoiceLines as Json[])[0]!;
    assert.equal(line.LineNumber, 1);
    assert.equal((line.invoiceDistributions as Json[])[0]!.DistributionLineNumber, 1);
    const served = await invoiceBy('SIM-1');
    assert.equal(asText(served.InvoiceAmount), '10.10');
    assert.equal(((served.invoiceInstallments as Json).items as Json[]).length, 1);
    assert.equal((await v4.control('POST', 'invoices', { Nope: 1 })).status, 400);
  });

  it('POST /__sim/<resource>/<id>/<child> adds a child row and bumps the parent', async () => {
    const invoice = await invoiceBy('NW-10440');
    const res = await v4.control('POST', `invoices/${invoice.InvoiceId}/invoiceLines`, {
      LineType: 'Miscellaneous',
      LineAmount: '5.00',
      Description: 'Handling, "small"',
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json!.LineNumber, 3);
    const after = await invoiceBy('NW-10440');
    assert.equal(after.LastUpdateDate, '2026-11-26T12:00:00.000+00:00');
    assert.equal(((after.invoiceLines as Json).items as Json[]).length, 3);
  });

  it('PATCH /__sim/... updates a row: its LastUpdateDate and every ancestor’s move to now', async () => {
    const po = items(await v4.get('/purchaseOrders', { q: "CurrencyCode = 'JPY'" }))[0]!;
    const line = items(await v4.get(link(po, 'child', 'lines')))[0]!;
    const schedule = items(await v4.get(link(line, 'child', 'schedules')))[0]!;
    const distribution = items(await v4.get(link(schedule, 'child', 'distributions')))[0]!;
    const path = `purchaseOrders/${po.POHeaderId}/lines/${line.POLineId}/schedules/${schedule.LineLocationId}/distributions/${distribution.DistributionId}`;
    const res = await v4.control('PATCH', path, { ChargeAccount: '101-20-14100-000' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json!.ChargeAccount, '101-20-14100-000');
    const now = '2026-11-26T12:00:00.000+00:00';
    assert.equal((await v4.get(link(po, 'self'))).json!.LastUpdateDate, now);
    assert.equal((await v4.get(link(line, 'self'))).json!.LastUpdateDate, now);
    assert.equal((await v4.get(link(schedule, 'self'))).json!.LastUpdateDate, now);
    assert.equal(
      (await v4.control('PATCH', `purchaseOrders/${po.POHeaderId}`, { POHeaderId: 1 })).status,
      400,
    );
    assert.equal((await v4.control('PATCH', 'purchaseOrders/1', { Description: 'x' })).status, 404);
  });

  it('the stores can be changed from test code as well (sim.suppliers.update / create)', async () => {
    const supplier = sim.suppliers.top[0]!;
    sim.suppliers.update([supplier.SupplierId as number], { Status: 'INACTIVE', InactiveDate: '2026-11-30' });
    const site = sim.suppliers.create(
      { SupplierSite: 'NEW-SITE', SitePurposePayFlag: true },
      [supplier.SupplierId as number],
      'sites',
    );
    assert.ok(typeof site.SupplierSiteId === 'number');
    const served = items(
      await v4.get('/suppliers', {
        q: `SupplierId = ${supplier.SupplierId}`,
        expand: 'sites',
        onlyData: 'true',
      }),
    )[0]!;
    assert.equal(served.Status, 'INACTIVE');
    assert.ok(((served.sites as Json).items as Json[]).some((s) => s.SupplierSite === 'NEW-SITE'));
  });

  it('journals keep their /__sim/ routes: POST journals, PATCH journalLines, GET journalLines', async () => {
    const created = await v4.control('POST', 'journals', {
      batchName: 'Sim batch',
      headers: [
        {
          journalName: 'Sim J1',
          periodName: 'Nov-26',
          accountingDate: '2026-11-26',
          lines: [
            { accountCombination: '101-10-60010-000', enteredDr: '1.23' },
            { accountCombination: '101-00-21500-000', enteredCr: '1.23' },
          ],
        },
      ],
    });
    assert.equal(created.status, 201);
    const headerId = (created.json!.JeHeaderIds as number[])[0]!;
    const patched = await v4.control('PATCH', `journalLines/${headerId}/2`, { Description: 'changed' });
    assert.equal(patched.json!.LastUpdateDate, '2026-11-26T12:00:00.000+00:00');
    const lines = (await v4.control('GET', 'journalLines')).json!.items as Json[];
    assert.equal(
      lines.find((l) => l.JeHeaderId === headerId && l.JeLineNumber === 2)!.Description,
      'changed',
    );
  });
});
