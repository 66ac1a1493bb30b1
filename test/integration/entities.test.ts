import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { Decimal } from 'decimal.js';
import { type X12Interchange, X12Parser } from 'node-x12';
import type { SshdInstance } from '../../dev/sshd';
import { parseLosslessJson } from '../../src/fusion/http';
import type { SyncResult } from '../../src/shared';
import { syncIntegration } from '../../src/workflows';
import { integrationConfig, startTestStack, startWorker, type TestStack } from '../support/stack';

// Every entity, end to end, in the formats that fit it: invoices and purchase orders as CSV and
// X12 (two integrations to one trading partner, run at the same time), suppliers as CSV and
// fixed-width. Each file is read back with an independent parser and compared with Fusion's data.

const partner = {
  type: 'x12',
  partnerId: 'acme',
  interchangeSender: { qualifier: 'ZZ', id: 'MLCONNECTOR' },
  interchangeReceiver: { qualifier: '01', id: '123456789' },
  applicationSender: 'MLCONNECTOR',
  applicationReceiver: 'ACMEAP',
  usage: 'T',
  delimiterPolicy: 'clean',
  nonAscii: 'transliterate',
};

const supplierFixedWidth = {
  type: 'fixedWidth',
  lineEnding: 'crlf',
  nonAscii: 'transliterate',
  detail: {
    fields: [
      { name: 'type', type: 'literal', value: 'S', width: 1 },
      { name: 'number', type: 'alpha', source: 'supplierNumber', width: 10 },
      { name: 'name', type: 'alpha', source: 'supplier', width: 40 },
      { name: 'sites', type: 'numeric', source: 'siteCount', width: 3 },
    ],
  },
  trailer: {
    fields: [
      { name: 'type', type: 'literal', value: 'T', width: 1 },
      { name: 'count', type: 'count', count: 'records', width: 8 },
    ],
    length: 54,
  },
};

function integrations(simUrl: string, sshd: SshdInstance) {
  const make = (id: string, entity: string, format?: Record<string, unknown>) => ({
    ...integrationConfig(simUrl, sshd, id),
    entity,
    ...(format ? { format } : {}),
  });
  return [
    make('ap-invoices-csv', 'invoices'),
    make('ap-invoices-810', 'invoices', partner),
    make('po-850', 'purchaseOrders', partner),
    make('po-csv', 'purchaseOrders', {
      type: 'csv',
      rowMode: 'recordTypes',
      delimiter: '|',
      headerColumns: [
        { header: 'Type', literal: 'H' },
        { header: 'Order', field: 'orderNumber' },
        { header: 'Supplier', field: 'supplier' },
        { header: 'Ordered', field: 'ordered' },
      ],
      lineColumns: [
        { header: 'Type', literal: 'L' },
        { header: 'Order', field: 'orderNumber' },
        { header: 'Line', field: 'line.lineNumber' },
        { header: 'Amount', field: 'line.ordered' },
      ],
    }),
    make('suppliers-csv', 'suppliers'),
    make('suppliers-fixed', 'suppliers', supplierFixedWidth),
  ];
}

type SimRow = Record<string, unknown>;

async function simItems(stack: TestStack, resource: string): Promise<SimRow[]> {
  const text = await (await fetch(`${stack.simUrl}/__sim/${resource}`)).text();
  // Numbers as text: amounts must not pass through a binary float in the comparison either.
  return (parseLosslessJson(text) as { items: SimRow[] }).items;
}

describe('every entity in every format that fits it', { timeout: 180_000 }, () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> };
  const results = new Map<string, SyncResult>();

  before(async () => {
    stack = await startTestStack({ integrations });
    worker = await startWorker(stack);
    const ids = stack.config.integrations.map((i) => i.id);
    // All at once: the two X12 integrations draw control numbers for one partner concurrently.
    const done = await Promise.all(
      ids.map((id) =>
        stack.client.workflow.execute(syncIntegration, {
          taskQueue: stack.taskQueue,
          workflowId: `entities-${id}-${Date.now()}`,
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

  const file = (id: string) => {
    const r = results.get(id)!;
    assert.ok(r.file, `${id} delivered a file`);
    return readFileSync(join(stack.sshd.folder, r.file.fileName), 'utf8');
  };

  it('invoices → CSV: one row per invoice line, every amount exact', async () => {
    const invoices = await simItems(stack, 'invoices');
    const r = results.get('ap-invoices-csv')!;
    assert.equal(r.sent + r.quarantined, invoices.length);
    const rows = parse(file('ap-invoices-csv')) as string[][];
    const lines = invoices.flatMap((inv) =>
      ((inv.invoiceLines as SimRow[]) ?? []).map((l) => [
        inv.InvoiceNumber,
        String(l.LineNumber),
        l.LineAmount,
      ]),
    );
    const sentNumbers = new Set(rows.slice(1).map((row) => row[0]));
    const expected = lines.filter(([n]) => sentNumbers.has(n as string));
    assert.equal(rows.length - 1, expected.length);
    for (const [number, lineNumber, amount] of expected) {
      const row = rows.find((x) => x[0] === number && x[7] === lineNumber);
      assert.ok(row, `invoice ${number} line ${lineNumber}`);
      assert.equal(row[9], new Decimal(String(amount)).toFixed(2));
    }
  });

  it('invoices → X12 810 and orders → X12 850 for one partner: valid, and no control number used twice', () => {
    const parsed = ['ap-invoices-810', 'po-850'].map((id) => {
      const interchange = new X12Parser(true).parse(file(id)) as X12Interchange;
      const isa = interchange.header.elements.map((e) => e.value);
      const group = interchange.functionalGroups[0]!;
      const sets = group.transactions.map((t) => t.header.elements[1]!.value);
      return {
        id,
        isa13: isa[12],
        gs06: group.header.elements[5]!.value,
        sets,
        count: group.transactions.length,
      };
    });
    assert.equal(parsed[0]!.count, results.get('ap-invoices-810')!.sent);
    assert.equal(parsed[1]!.count, results.get('po-850')!.sent);
    assert.notEqual(parsed[0]!.isa13, parsed[1]!.isa13, 'ISA13 differs');
    assert.notEqual(parsed[0]!.gs06, parsed[1]!.gs06, 'GS06 differs');
    const allSets = parsed.flatMap((p) => p.sets);
    assert.equal(new Set(allSets).size, allSets.length, 'no ST02 twice');
  });

  it('purchase orders → CSV with H and L record types', async () => {
    const orders = await simItems(stack, 'purchaseOrders');
    const rows = parse(file('po-csv'), { delimiter: '|', relax_column_count: true }) as string[][];
    const headers = rows.filter((r) => r[0] === 'H');
    assert.equal(headers.length, results.get('po-csv')!.sent);
    for (const h of headers) {
      const order = orders.find((o) => o.OrderNumber === h[1]);
      assert.ok(order, `order ${h[1]}`);
      const lines = rows.filter((r) => r[0] === 'L' && r[1] === h[1]);
      assert.equal(lines.length, ((order.lines as SimRow[]) ?? []).length);
    }
  });

  it('suppliers → CSV and fixed-width with a trailer count', async () => {
    const suppliers = await simItems(stack, 'suppliers');
    const csvRows = parse(file('suppliers-csv')) as string[][];
    assert.equal(csvRows.length - 1, results.get('suppliers-csv')!.sent);
    const fixed = file('suppliers-fixed').split('\r\n').filter(Boolean);
    assert.ok(
      fixed.every((l) => l.length === 54),
      'every record is 54 characters',
    );
    const details = fixed.filter((l) => l.startsWith('S'));
    assert.equal(details.length, results.get('suppliers-fixed')!.sent);
    assert.equal(fixed.at(-1), `T${String(details.length).padStart(8, '0')}`.padEnd(54));
    for (const d of details) {
      assert.ok(suppliers.some((s) => String(s.SupplierNumber) === d.slice(1, 11).trim()));
    }
  });

  it('a second pass sends nothing for any of them', async () => {
    const again = await Promise.all(
      stack.config.integrations.map((i) =>
        stack.client.workflow.execute(syncIntegration, {
          taskQueue: stack.taskQueue,
          workflowId: `entities-again-${i.id}-${Date.now()}`,
          args: [{ integrationId: i.id }],
        }),
      ),
    );
    for (const r of again) assert.equal(r.sent, 0, `${r.integrationId} sent nothing`);
    assert.equal(readdirSync(stack.sshd.folder).length, results.size);
  });
});
