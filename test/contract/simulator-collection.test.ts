import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FusionSimulator } from '../../simulator/server';
import { asText, items, type Json, SimClient } from '../../simulator/test-client';

// Contract: collection GETs answer as the reference says (§2.3 parameters, §2.4 envelope,
// §4.1 page size). One test per rule.

const BASIC = { username: 'fusion.reader', password: 'reader-pw' };
const NOW = Date.parse('2026-11-26T09:00:00Z');

describe('simulator contract: collections, paging and the envelope', () => {
  const sim = new FusionSimulator({ clientId: 'c', clientSecret: 's', basicAuth: BASIC, now: () => NOW });
  // A second pod with enough rows to reach the page caps, one of them in the 499 mode.
  const big = new FusionSimulator({
    clientId: 'c',
    clientSecret: 's',
    basicAuth: BASIC,
    generated: { journalLines: 12_000, linesPerHeader: 2, headersPerBatch: 2 }, // 3,000 batches
  });
  const clamp499 = new FusionSimulator({
    clientId: 'c',
    clientSecret: 's',
    basicAuth: BASIC,
    paging: { maxLimit: 499 },
    generated: { journalLines: 6_000, linesPerHeader: 2, headersPerBatch: 2 }, // 1,500 batches
  });
  let v4: SimClient;
  let v1: SimClient;
  let v2: SimClient;
  let bigV4: SimClient;
  let clampV4: SimClient;

  before(async () => {
    const url = await sim.listen();
    v4 = new SimClient(url, { basic: BASIC, frameworkVersion: 4 });
    v1 = new SimClient(url, { basic: BASIC, frameworkVersion: 1 });
    v2 = new SimClient(url, { basic: BASIC, frameworkVersion: 2 });
    bigV4 = new SimClient(await big.listen(), { basic: BASIC, frameworkVersion: 4 });
    clampV4 = new SimClient(await clamp499.listen(), { basic: BASIC, frameworkVersion: 4 });
  });
  after(async () => {
    await sim.close();
    await big.close();
    await clamp499.close();
  });

  it('envelope: count == items.length, hasMore ⇔ rows follow, limit and offset echo what was applied', async () => {
    const all = items(await v4.get('/invoices', { limit: 500 }));
    const seen: unknown[] = [];
    for (let offset = 0; ; ) {
      const page = (await v4.get('/invoices', { limit: 4, offset })).json!;
      const pageItems = page.items as Json[];
      assert.equal(page.count, pageItems.length);
      assert.equal(page.limit, 4);
      assert.equal(page.offset, offset);
      assert.equal(page.hasMore, offset + pageItems.length < all.length);
      assert.equal('totalResults' in page, false, 'totalResults only when asked for');
      seen.push(...pageItems.map((i) => asText(i.InvoiceId)));
      if (!page.hasMore) break;
      offset += pageItems.length;
    }
    assert.deepEqual(
      seen,
      all.map((i) => asText(i.InvoiceId)),
    );
  });

  it('default limit is 25 when the request gives none (a 30-line invoice: 25 lines, hasMore)', async () => {
    const invoice = items(await v4.get('/invoices', { q: "InvoiceNumber = 'LITWARE-10448'" }))[0]!;
    const lines = await v4.get(
      (invoice.links as { name: string; href: string }[]).find((l) => l.name === 'invoiceLines')!.href,
    );
    assert.equal(lines.json!.limit, 25);
    assert.equal(lines.json!.count, 25);
    assert.equal(lines.json!.hasMore, true);
  });

  it('max page is 500: a larger limit is clamped silently and the applied limit is echoed', async () => {
    const page = (await bigV4.get('/journalBatches', { limit: 1000, onlyData: 'true' })).json!;
    assert.equal((page.items as Json[]).length, 500);
    assert.equal(page.limit, 500);
    assert.equal(page.hasMore, true);
  });

  it('499 mode: a requested 500 returns 499 rows with limit 499, and offset += items.length loses nothing', async () => {
    const ids = new Set<string>();
    let requests = 0;
    for (let offset = 0; ; requests++) {
      const page = (await clampV4.get('/journalBatches', { limit: 500, offset, onlyData: 'true' })).json!;
      const pageItems = page.items as Json[];
      if (offset === 0) {
        assert.equal(pageItems.length, 499);
        assert.equal(page.limit, 499);
      }
      for (const i of pageItems) ids.add(asText(i.JeBatchId)!);
      if (!page.hasMore) break;
      offset += pageItems.length;
    }
    assert.equal(ids.size, 1500);
    assert.equal(requests + 1, 4, '1,500 rows at 499 a page');
  });

  it('offset past the end gives an empty page with count 0 and hasMore false', async () => {
    const page = (await v4.get('/invoices', { offset: 1000 })).json!;
    assert.deepEqual(page.items, []);
    assert.equal(page.count, 0);
    assert.equal(page.hasMore, false);
    assert.equal(page.offset, 1000);
  });

  it('totalResults=true adds the number of matching rows', async () => {
    const page = (await v4.get('/invoices', { limit: 2, totalResults: 'true', q: "InvoiceCurrency = 'USD'" }))
      .json!;
    const all = items(await v4.get('/invoices', { limit: 500, q: "InvoiceCurrency = 'USD'" }));
    assert.equal(page.totalResults, all.length);
    assert.equal(page.count, 2);
  });

  it('limit and offset must be non-negative integers (400)', async () => {
    assert.equal((await v4.get('/invoices', { limit: 'ten' })).status, 400);
    assert.equal((await v4.get('/invoices', { offset: -1 })).status, 400);
  });

  it('q in v1 is query-by-example, in v2+ an expression', async () => {
    const qbe = 'InvoiceAmount>=1000 and <=2000;InvoiceCurrency=USD';
    const v1Rows = items(await v1.get('/invoices', { q: qbe }));
    assert.ok(v1Rows.length > 0);
    for (const r of v1Rows) {
      assert.equal(r.InvoiceCurrency, 'USD');
      assert.ok(Number(asText(r.InvoiceAmount)) >= 1000 && Number(asText(r.InvoiceAmount)) <= 2000);
    }
    assert.equal((await v2.get('/invoices', { q: qbe })).status, 400, 'QBE is not an expression');
    const expression = "InvoiceCurrency = 'JPY' or InvoiceCurrency = 'KWD'";
    assert.deepEqual(
      items(await v2.get('/invoices', { q: expression }))
        .map((r) => r.InvoiceCurrency)
        .sort(),
      ['JPY', 'KWD'],
    );
    assert.deepEqual(
      items(await v1.get('/invoices', { q: expression })).map((r) => r.InvoiceCurrency),
      ['JPY'],
      'v1 reads the same text as QBE: only the first condition means what it says',
    );
  });

  it('q supports like, in, between, is null and upper() in v2+', async () => {
    const count = async (q: string) => items(await v4.get('/invoices', { q, limit: 500 })).length;
    assert.equal(await count("Supplier like 'Acme%'"), 1);
    assert.equal(await count("InvoiceCurrency in ('JPY', 'KWD', 'EUR')"), 3);
    const between = items(await v4.get('/invoices', { q: 'InvoiceAmount between 1250 and 1585.50' }));
    assert.deepEqual(
      between.map((r) => asText(r.InvoiceAmount)).filter((a) => a === '1250.00' || a === '1585.50'),
      ['1250.00', '1585.50'],
      'both bounds are inclusive',
    );
    assert.equal(await count('Description is null'), 1);
    assert.equal(await count("upper(Supplier) = 'TAILSPIN TOYS'"), 1);
  });

  it('date-time literals: Z, an explicit offset and date-only name the same instants', async () => {
    const ids = async (q: string) =>
      items(await v4.get('/invoices', { q, limit: 500 })).map((r) => asText(r.InvoiceId));
    const utc = await ids("LastUpdateDate > '2026-10-01T10:30:00Z'");
    assert.deepEqual(await ids("LastUpdateDate > '2026-10-01T12:30:00+02:00'"), utc);
    assert.deepEqual(await ids("LastUpdateDate > '2026-10-01T10:30:00.000+00:00'"), utc);
    assert.deepEqual(
      await ids("LastUpdateDate >= '2026-10-01'"),
      await ids("LastUpdateDate >= '2026-10-01T00:00:00Z'"),
    );
    assert.ok(utc.length > 0);
  });

  it('a literal + must be percent-encoded: sent raw it arrives as a space and the literal is invalid', async () => {
    const raw = `${v4.api}/invoices?q=${encodeURIComponent("LastUpdateDate > '2026-10-01T12:30:00")}+02:00'`;
    const res = await v4.get(raw);
    assert.equal(res.status, 400);
  });

  it('q attribute names are case-sensitive and must be queryable (400 otherwise)', async () => {
    assert.equal((await v4.get('/invoices', { q: "lastUpdateDate > '2026-10-01'" })).status, 400);
    const nonQueryable = await v4.get('/invoices', { q: "ValidationStatus = 'Validated'" });
    assert.equal(nonQueryable.status, 400);
    assert.match(JSON.stringify(nonQueryable.json), /not queryable/);
  });

  it('orderBy sorts by several keys in turn, each asc or desc (ties broken by the next key)', async () => {
    const rows = items(
      await v4.get('/invoices', { orderBy: 'LastUpdateDate:desc,InvoiceId:asc', limit: 500 }),
    );
    const keys = rows.map((r) => [String(r.LastUpdateDate), Number(asText(r.InvoiceId))] as const);
    for (let i = 1; i < keys.length; i++) {
      const [prevDate, prevId] = keys[i - 1]!;
      const [date, id] = keys[i]!;
      assert.ok(
        Date.parse(prevDate) > Date.parse(date) || (prevDate === date && prevId < id),
        `row ${i} out of order`,
      );
    }
    assert.ok(
      keys.some(([d], i) => i > 0 && keys[i - 1]![0] === d),
      'the seed has a LastUpdateDate tie',
    );
    assert.equal((await v4.get('/invoices', { orderBy: 'Nope:asc' })).status, 400);
  });

  it('fields=A,B returns only those attributes', async () => {
    const row = items(await v4.get('/invoices', { fields: 'InvoiceId,InvoiceAmount', onlyData: 'true' }))[0]!;
    assert.deepEqual(Object.keys(row), ['InvoiceId', 'InvoiceAmount']);
    assert.equal((await v4.get('/invoices', { fields: 'InvoiceId,Nope' })).status, 400);
  });

  it('fields child syntax A,B;child:X,Y returns the child with only those attributes', async () => {
    const row = items(
      await v4.get('/invoices', {
        fields:
          'InvoiceId;invoiceLines:LineNumber,LineAmount;invoiceLines.invoiceDistributions:DistributionAmount',
        onlyData: 'true',
        limit: 1,
      }),
    )[0]!;
    assert.deepEqual(Object.keys(row), ['InvoiceId', 'invoiceLines']);
    const line = ((row.invoiceLines as Json).items as Json[])[0]!;
    assert.deepEqual(Object.keys(line), ['LineNumber', 'LineAmount', 'invoiceDistributions']);
    const distribution = ((line.invoiceDistributions as Json).items as Json[])[0]!;
    assert.deepEqual(Object.keys(distribution), ['DistributionAmount']);
  });

  it('fields wins over expand: children not named in fields are not expanded', async () => {
    const row = items(
      await v4.get('/invoices', { fields: 'InvoiceId', expand: 'invoiceLines', onlyData: 'true', limit: 1 }),
    )[0]!;
    assert.deepEqual(Object.keys(row), ['InvoiceId']);
  });

  it('onlyData=true strips links from items', async () => {
    const withLinks = items(await v4.get('/suppliers', { limit: 1 }))[0]!;
    assert.ok(Array.isArray(withLinks.links));
    const bare = items(await v4.get('/suppliers', { limit: 1, onlyData: 'true', expand: 'sites' }))[0]!;
    assert.equal('links' in bare, false);
    assert.equal('links' in ((bare.sites as Json).items as Json[])[0]!, false);
  });

  it('/describe lists attributes with type and queryable, and the children', async () => {
    const body = (await v4.get('/invoices/describe')).json!;
    const invoices = (body.Resources as Json).invoices as Json;
    const attributes = invoices.attributes as { name: string; type: string; queryable: boolean }[];
    assert.deepEqual(
      attributes.find((a) => a.name === 'LastUpdateDate'),
      { name: 'LastUpdateDate', type: 'datetime', queryable: true },
    );
    assert.equal(attributes.find((a) => a.name === 'InvoiceDate')?.type, 'date');
    assert.equal(attributes.find((a) => a.name === 'ValidationStatus')?.queryable, false);
    const children = invoices.children as Json;
    assert.deepEqual(Object.keys(children), ['invoiceLines', 'invoiceInstallments']);
    assert.ok('invoiceDistributions' in ((children.invoiceLines as Json).children as Json));
    for (const name of ['purchaseOrders', 'suppliers', 'journalBatches']) {
      const res = await v4.get(`/${name}/describe`);
      assert.equal(res.status, 200);
      assert.ok(name in (res.json!.Resources as Json));
    }
  });

  it('finder=PrimaryKey;<key>=<value> finds one row', async () => {
    const first = items(await v4.get('/suppliers', { limit: 1 }))[0]!;
    const found = items(
      await v4.get('/suppliers', { finder: `PrimaryKey;SupplierId=${asText(first.SupplierId)}` }),
    );
    assert.deepEqual(
      found.map((r) => asText(r.SupplierId)),
      [asText(first.SupplierId)],
    );
  });
});
