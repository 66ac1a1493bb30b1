import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { Decimal } from 'decimal.js';
import { type X12Interchange, X12Parser } from 'node-x12';
import { parse as parseYaml } from 'yaml';
import type { SshdInstance } from '../../dev/sshd';
import { parseLosslessJson } from '../../src/fusion/http';
import type { SyncResult } from '../../src/shared';
import { syncIntegration } from '../../src/workflows';
import { integrationConfig, startTestStack, startWorker, type TestStack } from '../support/stack';

// Every example in config/examples, synced through the Fusion simulator to a real sshd by a real
// Temporal worker with a Postgres ledger. Only the connection is swapped (Fusion URL and auth,
// SFTP host, user, key, host key, folder): entity, format, children, limits, file names, sidecars
// and compression are the example's own. Each file is read back with an independent parser.

const EXAMPLES = join(__dirname, '../../config/examples');
const exampleFiles = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));

type Raw = Record<string, unknown>;

function fromExamples(simUrl: string, sshd: SshdInstance): Raw[] {
  return exampleFiles.flatMap((file) => {
    const raw = parseYaml(readFileSync(join(EXAMPLES, file), 'utf8')) as { integrations: Raw[] };
    return raw.integrations.map((example) => {
      const connection = integrationConfig(simUrl, sshd, example.id as string);
      const { baseUrl: _u, auth: _a, initialWatermark: _w, ...fusion } = example.fusion as Raw;
      const sftp = example.sftp as Raw;
      return {
        ...example,
        fusion: { ...connection.fusion, ...fusion },
        sftp: {
          ...connection.sftp,
          ...Object.fromEntries(
            ['fileNameTemplate', 'doneFile', 'sha256Sidecar', 'compress'].flatMap((k) =>
              k in sftp ? [[k, sftp[k]]] : [],
            ),
          ),
        },
      };
    });
  });
}

type SimRow = Record<string, unknown>;

describe('config/examples, each synced through the simulator', { timeout: 240_000 }, () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> };
  const results = new Map<string, SyncResult>();

  before(async () => {
    stack = await startTestStack({ integrations: fromExamples });
    worker = await startWorker(stack);
    const ids = stack.config.integrations.map((i) => i.id);
    const done = await Promise.all(
      ids.map((id) =>
        stack.client.workflow.execute(syncIntegration, {
          taskQueue: stack.taskQueue,
          workflowId: `examples-${id}-${Date.now()}`,
          args: [{ integrationId: id }],
        }),
      ),
    );
    for (const [i, id] of ids.entries()) results.set(id, done[i]!);
  });

  after(async () => {
    await worker?.stop();
    await stack?.close();
  });

  const simItems = async (resource: string): Promise<SimRow[]> => {
    const text = await (await fetch(`${stack.simUrl}/__sim/${resource}`)).text();
    return (parseLosslessJson(text) as { items: SimRow[] }).items;
  };
  const delivered = (id: string) => {
    const r = results.get(id)!;
    assert.ok(r.file, `${id} delivered a file`);
    assert.ok(r.sent > 0, `${id} sent records`);
    return { result: r, path: join(stack.sshd.folder, r.file.fileName) };
  };

  it('loads all five examples', () => {
    assert.deepEqual([...results.keys()].sort(), [
      'ap-invoices-810',
      'gl-mainframe',
      'po-850',
      'po-legacy-csv',
      'suppliers-csv',
    ]);
  });

  it('purchase-orders-csv: an H row per order and an L row per line, named PO_<date>_<run>.csv, with a .done marker', async () => {
    const { result, path } = delivered('po-legacy-csv');
    assert.match(result.file!.fileName, /^PO_\d{8}_[0-9a-f]{8}\.csv$/);
    assert.ok(existsSync(`${path}.done`));
    const orders = await simItems('purchaseOrders');
    const rows = parse(readFileSync(path, 'utf8'), {
      delimiter: '|',
      relax_column_count: true,
    }) as string[][];
    assert.equal(rows[0]![0], 'Record');
    const headers = rows.filter((r) => r[0] === 'H');
    assert.equal(headers.length, result.sent);
    assert.equal(result.sent + result.quarantined, orders.length);
    for (const h of headers) {
      const order = orders.find((o) => o.OrderNumber === h[1]);
      assert.ok(order, `order ${h[1]}`);
      assert.equal(
        h[2],
        String(order.OrderDate ?? '')
          .replaceAll('-', '')
          .slice(0, 8) || h[2],
      );
      const lines = rows.filter((r) => r[0] === 'L' && r[1] === h[1]);
      assert.equal(lines.length, ((order.lines as SimRow[]) ?? []).length);
    }
  });

  it('invoices-x12-810 and purchase-orders-x12-850: valid interchanges for one partner, no control number twice', () => {
    const read = (id: string, version: string) => {
      const { result, path } = delivered(id);
      const interchange = new X12Parser(true).parse(readFileSync(path, 'utf8')) as X12Interchange;
      const isa = interchange.header.elements.map((e) => e.value);
      assert.equal(isa[11], version);
      const group = interchange.functionalGroups[0]!;
      assert.equal(group.transactions.length, result.sent);
      return { isa13: isa[12], gs06: group.header.elements[5]!.value, path };
    };
    const invoices = read('ap-invoices-810', '00401');
    const orders = read('po-850', '00501');
    assert.ok(existsSync(`${invoices.path}.sha256`), '810 example writes a .sha256 sidecar');
    assert.notEqual(invoices.isa13, orders.isa13);
    assert.notEqual(invoices.gs06, orders.gs06);
  });

  it('suppliers-csv: gzip, a BOM, one row per site with the address city', async () => {
    const { result, path } = delivered('suppliers-csv');
    assert.match(result.file!.fileName, /\.csv\.gz$/);
    const text = gunzipSync(readFileSync(path)).toString('utf8');
    assert.equal(text.charCodeAt(0), 0xfeff);
    const rows = parse(text.slice(1)) as string[][];
    assert.equal(
      rows[0]!.join(','),
      'Supplier Number,Supplier,Status,Taxpayer ID,Site,Purchasing,Pay,City,Country',
    );
    const suppliers = await simItems('suppliers');
    const numbers = new Set(rows.slice(1).map((r) => r[0]));
    assert.equal(numbers.size, result.sent);
    for (const number of numbers) {
      assert.ok(
        suppliers.some((s) => String(s.SupplierNumber) === number),
        `supplier ${number}`,
      );
    }
    assert.ok(rows.slice(1).every((r) => ['Yes', 'No', ''].includes(r[5]!)));
    assert.ok(
      rows.slice(1).some((r) => r[7] !== ''),
      'addresses were read for site.address.city',
    );
  });

  it('journal-lines-fixed-width: 100-character records, header, and a trailer whose count and totals add up', () => {
    const { result, path } = delivered('gl-mainframe');
    const records = readFileSync(path, 'utf8').split('\r\n').filter(Boolean);
    assert.ok(records.every((r) => r.length === 100));
    assert.equal(records[0]!.slice(0, 7), 'HMLCONN');
    const details = records.filter((r) => r.startsWith('D'));
    assert.equal(details.length, result.sent);
    const trailer = records.at(-1)!;
    assert.equal(trailer[0], 'T');
    assert.equal(Number(trailer.slice(1, 9)), details.length);
    const sum = (from: number) =>
      details.reduce((s, d) => s.plus(new Decimal(d.slice(from, from + 15))), new Decimal(0));
    // DR at 62–76 and CR at 77–91 (1-based), 2 implied decimals; the trailer totals are 18 wide.
    assert.equal(new Decimal(trailer.slice(9, 27)).toString(), sum(61).toString());
    assert.equal(new Decimal(trailer.slice(27, 45)).toString(), sum(76).toString());
  });
});
