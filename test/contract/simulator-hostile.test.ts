import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { FusionSimulator } from '../../simulator/server';
import { items, type Json, SimClient } from '../../simulator/test-client';

// Contract: the awkward pod — millisecond stamps (and pods that serve them coarser than they
// store them), bulk imports sharing one stamp, header-only changes, child collections a role
// does not expose — and the hostile answers of the fault suite.

const CLIENT_ID = 'sim-client';
const SECRET = 'sim-secret-hostile';
const BASIC = { username: 'fusion.reader', password: 'reader-pw' };
const AT = Date.parse('2026-11-30T10:00:00.123Z');

const journal = (name: string) => ({
  batchName: name,
  headers: [
    {
      journalName: name,
      periodName: 'Nov-26',
      accountingDate: '2026-11-30',
      lines: [
        { accountCombination: '101-10-60010-000', enteredDr: '1.00' },
        { accountCombination: '101-10-21000-000', enteredCr: '1.00' },
      ],
    },
  ],
});

async function withSim<T>(
  options: Partial<ConstructorParameters<typeof FusionSimulator>[0]>,
  work: (client: SimClient, sim: FusionSimulator, url: string) => Promise<T>,
): Promise<T> {
  const sim = new FusionSimulator({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    basicAuth: BASIC,
    now: () => AT,
    seed: { seed: 3, batches: 0, baseTime: Date.parse('2026-11-01T00:00:00Z') },
    ...options,
  });
  const url = await sim.listen();
  try {
    return await work(new SimClient(url, { basic: BASIC, frameworkVersion: 4 }), sim, url);
  } finally {
    await sim.close();
  }
}

describe('simulator contract: stamps, bulk imports, header changes, unexposed children', () => {
  it('stamps with milliseconds by default; `second` stores and serves whole seconds', async () => {
    await withSim({}, async (client, sim) => {
      sim.journals.createJournal(journal('ms'));
      const [batch] = items(await client.get('/journalBatches'));
      assert.equal(batch!.LastUpdateDate, '2026-11-30T10:00:00.123+00:00');
      const q = (op: string) =>
        client.get('/journalBatches', { q: `LastUpdateDate ${op} '2026-11-30T10:00:00.123+00:00'` });
      assert.equal(items(await q('=')).length, 1, 'the served value is the stored one');
    });
    await withSim({ stampPrecision: 'second' }, async (client, sim) => {
      sim.journals.createJournal(journal('s'));
      const [batch] = items(await client.get('/journalBatches'));
      assert.equal(batch!.LastUpdateDate, '2026-11-30T10:00:00+00:00');
    });
  });

  it('`coarse` serves whole seconds for stamps it stores with milliseconds: equality on the served value misses', async () => {
    await withSim({ stampPrecision: 'coarse' }, async (client, sim) => {
      sim.journals.createJournal(journal('coarse'));
      const [batch] = items(await client.get('/journalBatches'));
      assert.equal(batch!.LastUpdateDate, '2026-11-30T10:00:00+00:00');
      const q = (expr: string) => client.get('/journalBatches', { q: expr });
      assert.equal(items(await q("LastUpdateDate = '2026-11-30T10:00:00Z'")).length, 0);
      assert.equal(
        items(await q("LastUpdateDate >= '2026-11-30T10:00:00Z' and LastUpdateDate < '2026-11-30T10:00:01Z'"))
          .length,
        1,
      );
    });
  });

  it('a bulk import gives every batch, header and line one stamp', async () => {
    await withSim({}, async (client) => {
      const res = await client.control('POST', 'journals/bulk', { journal: journal('FBDI'), count: 7 });
      assert.equal(res.status, 201, res.text);
      assert.equal((res.json!.JeBatchIds as number[]).length, 7);
      const batches = items(
        await client.get('/journalBatches', { expand: 'journalHeaders.journalLines', limit: 50 }),
      );
      assert.equal(batches.length, 7);
      const stamps = new Set<unknown>();
      for (const b of batches) {
        stamps.add(b.LastUpdateDate);
        for (const h of (b.journalHeaders as { items: Json[] }).items) {
          stamps.add(h.LastUpdateDate);
          for (const l of (h.journalLines as { items: Json[] }).items) stamps.add(l.LastUpdateDate);
        }
      }
      assert.deepEqual([...stamps], ['2026-11-30T10:00:00.123+00:00']);
      assert.equal(
        (await client.control('POST', 'journals/bulk', { journal: journal('x'), count: 0 })).status,
        400,
      );
    });
  });

  it('a header change moves the header (and the batch unless no-bump), never the lines', async () => {
    let now = AT;
    await withSim({ now: () => now }, async (client, sim) => {
      const { JeHeaderIds } = sim.journals.createJournal(journal('h'));
      now += 5000;
      const res = await client.control('PATCH', `journalHeaders/${JeHeaderIds[0]}`, { PeriodName: 'Dec-26' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json!.LastUpdateDate, '2026-11-30T10:00:05.123+00:00');
      const [batch] = items(await client.get('/journalBatches', { expand: 'journalHeaders.journalLines' }));
      const header = (batch!.journalHeaders as { items: Json[] }).items[0]!;
      assert.equal(batch!.LastUpdateDate, '2026-11-30T10:00:05.123+00:00');
      assert.equal(header.PeriodName, 'Dec-26');
      for (const line of (header.journalLines as { items: Json[] }).items) {
        assert.equal(line.LastUpdateDate, '2026-11-30T10:00:00.123+00:00');
      }
    });
  });

  it('unexposed children answer 400 to expand and to q, naming the child', async () => {
    await withSim({ unexposedChildren: ['invoiceDistributions'] }, async (client) => {
      const expand = await client.get('/invoices', { expand: 'invoiceLines.invoiceDistributions' });
      assert.equal(expand.status, 400);
      assert.match(expand.text, /invoiceDistributions/);
      const q = await client.get('/invoices', {
        q: "invoiceLines.invoiceDistributions.LastUpdateDate > '2020-01-01T00:00:00Z'",
      });
      assert.equal(q.status, 400);
      assert.equal((await client.get('/invoices', { expand: 'invoiceLines' })).status, 200);
    });
  });
});

describe('simulator contract: hostile answers', () => {
  const sim = new FusionSimulator({ clientId: CLIENT_ID, clientSecret: SECRET, basicAuth: BASIC });
  let client: SimClient;
  let url: string;
  before(async () => {
    url = await sim.listen();
    client = new SimClient(url, { basic: BASIC, frameworkVersion: 4 });
  });
  afterEach(async () => {
    await client.control('DELETE', 'faults');
  });
  after(() => sim.close());

  it('endlessPages: the first page again whatever q and offset say, always hasMore', async () => {
    const first = await client.get('/suppliers', { limit: 2 });
    await client.control('POST', 'faults', { endlessPages: { resource: 'suppliers' } });
    const later = await client.get('/suppliers', { limit: 2, offset: 6, q: "Supplier = 'nobody'" });
    assert.deepEqual(items(later), items(first));
    assert.equal(later.json!.hasMore, true);
    assert.ok((sim.stats.faults.endlessPages ?? 0) >= 1);
  });

  it('rawBytes: the marker goes out as the given bytes (invalid UTF-8)', async () => {
    const [supplier] = items(await client.get('/suppliers', { limit: 1 }));
    await client.control('POST', 'faults', {
      rawBytes: { find: String(supplier!.Supplier), bytesHex: 'ff' },
    });
    const res = await fetch(`${url}/fscmRestApi/resources/11.13.18.05/suppliers?limit=1`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${BASIC.username}:${BASIC.password}`).toString('base64')}`,
      },
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.ok(bytes.includes(Buffer.from([0x22, 0xff, 0x22])), 'the name is now one 0xFF byte');
    assert.equal(Number(res.headers.get('content-length')), bytes.length);
  });

  it('padBody: a collection answer grows by the given bytes and stays valid JSON', async () => {
    await client.control('POST', 'faults', { padBody: { bytes: 3_000_000 } });
    const res = await client.get('/suppliers', { limit: 1 });
    assert.equal(res.status, 200);
    assert.ok(res.text.length > 3_000_000);
    assert.equal(items(res).length, 1);
  });

  it('foreignLinks: every link points at the other origin', async () => {
    await client.control('POST', 'faults', { foreignLinks: { origin: 'http://127.0.0.1:9' } });
    const [supplier] = items(await client.get('/suppliers', { limit: 1 }));
    const links = supplier!.links as { href: string }[];
    assert.ok(links.length > 0);
    for (const link of links) assert.match(link.href, /^http:\/\/127\.0\.0\.1:9\/fscmRestApi\//);
  });
});
