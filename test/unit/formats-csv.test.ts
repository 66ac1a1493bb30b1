import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { csvFormatSchema, csvLayout } from '../../src/config/formats';
import { invoicesCsvHeaderRows, invoicesToCsv, invoiceToCsvRows } from '../../src/formats/csv/invoices';
import {
  type JournalLinesCsvLayout,
  journalLinesCsvStream,
  journalLinesToCsv,
  journalLineToRow,
} from '../../src/formats/csv/journalLines';
import {
  type CsvFileOptions,
  csvRowsWriter,
  csvStream,
  csvStringifyOptions,
} from '../../src/formats/csv/options';
import { purchaseOrdersToCsv } from '../../src/formats/csv/purchaseOrders';
import { suppliersToCsv } from '../../src/formats/csv/suppliers';
import { LayoutError } from '../../src/formats/errors';
import { csvRenderer, renderPage } from '../../src/formats/fileRenderer';
import { RecordFieldError } from '../../src/shared/records';
import {
  assertGolden,
  balancedJournal,
  creditMemo,
  invoice,
  journalLine,
  purchaseOrder,
  supplier,
} from './formats-fixtures';

const coa = { delimiter: '-', segments: ['company', 'costCentre', 'account', 'subAccount'] };

const drcrLayout: JournalLinesCsvLayout = {
  columns: [
    { header: 'Journal', field: 'journalName' },
    { header: 'Line', field: 'lineNumber' },
    { header: 'Effective Date', field: 'effectiveDate' },
    { header: 'Company', field: 'segment:company' },
    { header: 'Account', field: 'segment:account' },
    { header: 'Entered DR', field: 'enteredDr' },
    { header: 'Entered CR', field: 'enteredCr' },
    { header: 'Accounted DR', field: 'accountedDr' },
    { header: 'Accounted CR', field: 'accountedCr' },
    { header: 'Currency', field: 'currencyCode' },
    { header: 'Description', field: 'description' },
  ],
  decimalPlaces: 2,
  header: true,
  delimiter: ',',
  lineEnding: 'crlf',
  chartOfAccounts: coa,
};

const signedLayout: JournalLinesCsvLayout = {
  ...drcrLayout,
  columns: [
    { header: 'Journal', field: 'journalName' },
    { header: 'Date', field: 'effectiveDate' },
    { header: 'Account', field: 'accountCombination' },
    { header: 'Amount', field: 'enteredAmount' },
    { header: 'Accounted', field: 'accountedAmount' },
    { header: 'Description', field: 'description' },
  ],
  amountStyle: 'signed',
  delimiter: ';',
  lineEnding: 'lf',
  bom: true,
  dateFormat: 'MM/dd/yyyy',
};

const parseCsv = (csv: string, delimiter = ',') =>
  parse(csv, { delimiter, bom: true, relax_column_count: true }) as string[][];

describe('formats CSV: journal lines', () => {
  it('DR/CR columns, CRLF, header, segments, effective date (golden)', () => {
    const csv = journalLinesToCsv(balancedJournal(), drcrLayout);
    assertGolden('journal-lines.drcr.csv', csv);
    const rows = parseCsv(csv);
    assert.deepEqual(rows[2], [
      'Payroll accrual',
      '2',
      '2026-10-01',
      '101',
      '60020',
      '0.20',
      '',
      '0.20',
      '',
      'USD',
      'Bonus accrual, "Q3"',
    ]);
  });

  it('signed amounts, BOM, semicolons, LF and MM/dd/yyyy (golden)', () => {
    const csv = journalLinesToCsv(balancedJournal(), signedLayout);
    assertGolden('journal-lines.signed-bom.csv', csv);
    assert.ok(csv.startsWith('\uFEFFJournal;Date;'));
    assert.ok(!csv.includes('\r'));
    const rows = parseCsv(csv, ';');
    assert.deepEqual(
      rows.slice(1).map((r) => r[3]),
      ['0.10', '0.20', '-0.30'],
    );
    assert.equal(rows[1]![1], '10/01/2026');
  });

  it('without a BOM the file starts with the first header byte', () => {
    const bytes = Buffer.from(journalLinesToCsv([journalLine()], { ...signedLayout, bom: false }), 'utf8');
    assert.equal(bytes[0], 'J'.charCodeAt(0));
    const withBom = Buffer.from(journalLinesToCsv([journalLine()], signedLayout), 'utf8');
    assert.deepEqual([...withBom.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  });

  it('refuses a layout that mixes signed and DR/CR columns, listing every problem', () => {
    const layout: JournalLinesCsvLayout = {
      ...signedLayout,
      columns: [
        ...signedLayout.columns,
        { header: 'DR', field: 'enteredDr' },
        { header: 'X', field: 'nope' },
      ],
    };
    assert.throws(
      () => journalLineToRow(journalLine(), layout),
      (err: unknown) =>
        err instanceof LayoutError &&
        err.problems.some((p) => p.includes('enteredDr does not fit amountStyle "signed"')) &&
        err.problems.some((p) => p.includes('unknown journalLines field "nope"')),
    );
    assert.throws(
      () =>
        journalLineToRow(journalLine(), {
          ...drcrLayout,
          columns: [{ header: 'S', field: 'segment:region' }],
        }),
      /segment "region" is not in the chart of accounts/,
    );
    assert.throws(
      () => journalLineToRow(journalLine(), { ...drcrLayout, dateFormat: 'yyyy-MM-ddTHH' }),
      /date format "yyyy-MM-ddTHH"/,
    );
  });

  it('date formats yyyyMMdd, dd.MM.yyyy and per-column overrides', () => {
    const layout: JournalLinesCsvLayout = {
      ...drcrLayout,
      header: false,
      dateFormat: 'yyyyMMdd',
      columns: [
        { header: 'A', field: 'accountingDate' },
        { header: 'B', field: 'accountingDate', dateFormat: 'dd.MM.yyyy' },
        { header: 'C', field: 'accountingDate', dateFormat: 'MM/dd/yy' },
      ],
    };
    assert.deepEqual(journalLineToRow(journalLine(), layout), ['20261001', '01.10.2026', '10/01/26']);
    assert.throws(
      () => journalLineToRow(journalLine({ accountingDate: '2026-02-30' }), layout),
      (err: unknown) => err instanceof RecordFieldError && err.field === 'accountingDate',
    );
  });

  it('currencies with 0 and 3 decimals under decimalPlaces "currency"', () => {
    const layout: JournalLinesCsvLayout = {
      ...drcrLayout,
      header: false,
      decimalPlaces: 'currency',
      ledgerCurrency: 'USD',
      columns: [
        { header: 'DR', field: 'enteredDr' },
        { header: 'Acc DR', field: 'accountedDr' },
      ],
    };
    assert.deepEqual(
      journalLineToRow(journalLine({ currencyCode: 'JPY', enteredDr: '1250', accountedDr: '8.5' }), layout),
      ['1250', '8.50'],
    );
    assert.deepEqual(
      journalLineToRow(journalLine({ currencyCode: 'KWD', enteredDr: '12.345' }), layout)[0],
      '12.345',
    );
    assert.throws(
      () => journalLineToRow(journalLine({ currencyCode: 'JPY', enteredDr: '1250.5' }), layout),
      (err: unknown) =>
        err instanceof RecordFieldError &&
        err.field === 'enteredDr' &&
        /more than 0 decimal/.test(err.reason),
    );
  });

  it('very large amounts keep every digit; an amount that is not a decimal is refused', () => {
    const row = journalLineToRow(journalLine({ enteredDr: '98765432109876.54' }), drcrLayout);
    assert.equal(row[5], '98765432109876.54');
    assert.throws(
      () => journalLineToRow(journalLine({ enteredDr: '1e3' }), drcrLayout),
      (err: unknown) => err instanceof RecordFieldError && err.field === 'enteredDr',
    );
  });

  it('the stream writes the same bytes as the whole-file form', async () => {
    const records = balancedJournal();
    const stream = journalLinesCsvStream(signedLayout);
    const chunks: Buffer[] = [];
    const done = (async () => {
      for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    })();
    for (const r of records) stream.write(journalLineToRow(r, signedLayout));
    stream.end();
    await done;
    assert.equal(Buffer.concat(chunks).toString('utf8'), journalLinesToCsv(records, signedLayout));
  });
});

describe('formats CSV: invoices, purchase orders, suppliers', () => {
  const invoiceLines = {
    header: true,
    delimiter: ',',
    lineEnding: 'crlf' as const,
    decimalPlaces: 2,
    rowMode: 'line' as const,
    columns: [
      { header: 'Invoice', field: 'invoiceNumber' },
      { header: 'Supplier', field: 'supplier' },
      { header: 'Date', field: 'invoiceDate' },
      { header: 'Invoice Amount', field: 'invoiceAmount' },
      { header: 'Line', field: 'line.lineNumber' },
      { header: 'Type', field: 'line.lineType' },
      { header: 'Qty', field: 'line.quantity' },
      { header: 'Price', field: 'line.unitPrice' },
      { header: 'Line Amount', field: 'line.lineAmount' },
      { header: 'Description', field: 'line.description' },
    ],
  };

  it('one row per invoice line with header fields repeated (golden)', () => {
    const csv = invoicesToCsv([invoice(), creditMemo()], invoiceLines);
    assertGolden('invoices.line.csv', csv);
    const rows = parseCsv(csv);
    assert.equal(rows.length, 1 + 3);
    assert.deepEqual(rows[1]!.slice(0, 5), ['INV-1001', 'Acme Supplies Inc', '2026-10-01', '1250.00', '1']);
    assert.equal(rows[1]![9], 'Printer paper, A4');
    assert.deepEqual(rows[3]!.slice(0, 5), ['CM-2001', 'Acme Supplies Inc', '2026-10-01', '-150.50', '1']);
  });

  it('distribution columns make it one row per distribution; a line without distributions keeps its row', () => {
    const rows = invoiceToCsvRows(invoice(), {
      ...invoiceLines,
      columns: [
        { header: 'Line', field: 'line.lineNumber' },
        { header: 'Dist', field: 'line.distribution.distributionLineNumber' },
        { header: 'Dist Amount', field: 'line.distribution.distributionAmount' },
        { header: 'Account', field: 'line.distribution.distributionCombination' },
      ],
    });
    assert.deepEqual(rows, [
      ['1', '1', '700.00', '101-10-60100-000'],
      ['1', '2', '500.00', '101-20-60100-000'],
      ['2', '', '', ''],
    ]);
  });

  it('H and L record types, each with its own columns, pipe-delimited (golden)', () => {
    const layout = {
      header: true,
      delimiter: '|',
      lineEnding: 'lf' as const,
      decimalPlaces: 2,
      dateFormat: 'yyyyMMdd',
      rowMode: 'recordTypes' as const,
      headerColumns: [
        { header: 'RecordType', literal: 'H' },
        { header: 'InvoiceNumber', field: 'invoiceNumber' },
        { header: 'InvoiceDate', field: 'invoiceDate' },
        { header: 'SupplierNumber', field: 'supplierNumber' },
        { header: 'Amount', field: 'invoiceAmount' },
        { header: 'Currency', field: 'invoiceCurrency' },
        { header: 'Lines', field: 'lineCount' },
      ],
      lineColumns: [
        { header: 'RecordType', literal: 'L' },
        { header: 'InvoiceNumber', field: 'invoiceNumber' },
        { header: 'LineNumber', field: 'line.lineNumber' },
        { header: 'LineAmount', field: 'line.lineAmount' },
        { header: 'Description', field: 'line.description' },
      ],
    };
    const csv = invoicesToCsv([invoice(), creditMemo()], layout);
    assertGolden('invoices.recordtypes.csv', csv);
    const rows = parseCsv(csv, '|');
    assert.deepEqual(
      rows.map((r) => r[0]),
      ['RecordType', 'RecordType', 'H', 'L', 'L', 'H', 'L'],
    );
    assert.deepEqual(rows[2], ['H', 'INV-1001', '20261001', 'SUP-0042', '1250.00', 'USD', '2']);
    assert.deepEqual(invoicesCsvHeaderRows(layout).length, 2);
    assert.throws(
      () =>
        invoiceToCsvRows(invoice(), {
          ...layout,
          lineColumns: [{ header: 'D', field: 'line.distribution.distributionAmount' }],
        }),
      (err: unknown) => err instanceof LayoutError && /name a level below line/.test(err.message),
    );
  });

  it('rowMode header refuses line fields', () => {
    assert.throws(
      () => invoicesToCsv([invoice()], { ...invoiceLines, rowMode: 'header' }),
      (err: unknown) => err instanceof LayoutError && /line\.lineNumber/.test(err.message),
    );
  });

  it('purchase orders, one row per schedule when schedule fields are named (golden)', () => {
    const csv = purchaseOrdersToCsv([purchaseOrder()], {
      header: true,
      delimiter: ',',
      lineEnding: 'crlf',
      decimalPlaces: 2,
      rowMode: 'line',
      columns: [
        { header: 'PO', field: 'orderNumber' },
        { header: 'Order Date', field: 'orderDate', dateFormat: 'MM/dd/yyyy' },
        { header: 'Line', field: 'line.lineNumber' },
        { header: 'Item', field: 'line.item' },
        { header: 'Qty', field: 'line.quantity' },
        { header: 'UOM', field: 'line.uom' },
        { header: 'Price', field: 'line.price' },
        { header: 'Ordered', field: 'line.ordered' },
        { header: 'Need By', field: 'line.schedule.needByDate' },
        { header: 'Ship To', field: 'line.schedule.shipToLocation' },
      ],
    });
    assertGolden('purchase-orders.line.csv', csv);
    const rows = parseCsv(csv);
    // The price keeps its three decimals: it is a price, not an amount.
    assert.deepEqual(rows[1], [
      'PO-4500',
      '09/28/2026',
      '1',
      'PAPER-A4',
      '100',
      'Each',
      '12.255',
      '1225.50',
      '2026-10-15',
      'Austin HQ',
    ]);
    assert.deepEqual(rows[2], ['PO-4500', '09/28/2026', '2', '', '', '', '', '100.00', '', '']);
  });

  it('suppliers: one row per supplier, or per site with the address (golden)', () => {
    const base = { header: true, delimiter: ',', lineEnding: 'crlf' as const, decimalPlaces: 2 };
    const perSupplier = suppliersToCsv([supplier()], {
      ...base,
      rowMode: 'supplier',
      columns: [
        { header: 'Number', field: 'supplierNumber' },
        { header: 'Name', field: 'supplier' },
        { header: 'Sites', field: 'siteCount' },
      ],
    });
    assert.equal(perSupplier, 'Number,Name,Sites\r\nSUP-0042,Acme Supplies Inc,2\r\n');
    const perSite = suppliersToCsv(
      [supplier(), supplier({ recordId: '9', supplierNumber: 'SUP-0009', sites: [] })],
      {
        ...base,
        rowMode: 'site',
        booleanValues: ['true', 'false'],
        columns: [
          { header: 'Number', field: 'supplierNumber' },
          { header: 'Site', field: 'site.supplierSite' },
          { header: 'Purchasing', field: 'site.purchasing' },
          { header: 'Inactive', field: 'site.inactiveDate' },
          { header: 'Address', field: 'site.address.addressLine1' },
          { header: 'City', field: 'site.address.city' },
          { header: 'Postal Code', field: 'site.address.postalCode' },
        ],
      },
    );
    assertGolden('suppliers.site.csv', perSite);
    const rows = parseCsv(perSite);
    assert.deepEqual(rows[2], [
      'SUP-0042',
      'ACME-REMIT',
      'false',
      '2027-12-31',
      'PO Box 42',
      'Dallas',
      '75201',
    ]);
    assert.deepEqual(rows[3], ['SUP-0009', '', '', '', '', '', '']);
  });

  it('quotes the delimiter, quotes, CR and LF inside data, and csv-parse reads them back', () => {
    const nasty = 'Paper; "A4", 80g\r\nsecond line\nthird|pipe';
    const inv = invoice({ lines: [{ ...invoice().lines[0]!, description: nasty }] });
    for (const delimiter of [',', ';', '|', '\t']) {
      for (const lineEnding of ['crlf', 'lf'] as const) {
        const csv = invoicesToCsv([inv], { ...invoiceLines, delimiter, lineEnding });
        const rows = parse(csv, { delimiter }) as string[][];
        assert.equal(rows.length, 2);
        assert.equal(rows[1]![9], nasty, `delimiter ${JSON.stringify(delimiter)} ${lineEnding}`);
      }
    }
  });

  it('a record that cannot be written throws before any row is produced, naming the line', () => {
    const bad = invoice({ lines: [invoice().lines[0]!, { ...invoice().lines[1]!, lineAmount: '50.005' }] });
    assert.throws(
      () => invoiceToCsvRows(bad, invoiceLines),
      (err: unknown) =>
        err instanceof RecordFieldError &&
        err.recordId === '300000200000001' &&
        err.field === 'line[2].lineAmount',
    );
  });

  it('streams any entity through csvStream with its header rows first', async () => {
    const stream = csvStream(invoiceLines, invoicesCsvHeaderRows(invoiceLines));
    const chunks: Buffer[] = [];
    const done = (async () => {
      for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    })();
    for (const r of [invoice(), creditMemo()])
      for (const row of invoiceToCsvRows(r, invoiceLines)) stream.write(row);
    stream.end();
    await done;
    assert.equal(
      Buffer.concat(chunks).toString('utf8'),
      invoicesToCsv([invoice(), creditMemo()], invoiceLines),
    );
  });

  it('signed amounts of 25 digits are exact; an amount over 38 digits is refused', () => {
    const row = journalLineToRow(
      journalLine({ enteredDr: '12345678901234567890123.46', enteredCr: '0.01' }),
      signedLayout,
    );
    assert.equal(row[3], '12345678901234567890123.45');
    assert.throws(
      () => journalLineToRow(journalLine({ enteredDr: '1'.repeat(60) }), drcrLayout),
      (err: unknown) =>
        err instanceof RecordFieldError &&
        err.field === 'enteredDr' &&
        /more than 38 digits/.test(err.reason),
    );
  });

  it("decimalPlaces 'currency': accounted amounts in the journal's own ledger currency", () => {
    const layout: JournalLinesCsvLayout = {
      ...drcrLayout,
      header: false,
      decimalPlaces: 'currency',
      columns: [
        { header: 'DR', field: 'enteredDr' },
        { header: 'Acc DR', field: 'accountedDr' },
        { header: 'Ledger currency', field: 'ledgerCurrencyCode' },
      ],
    };
    const jpyLedger = journalLine({
      currencyCode: 'USD',
      enteredDr: '10.50',
      ledgerCurrencyCode: 'JPY',
      accountedDr: '1575',
    });
    assert.deepEqual(journalLineToRow(jpyLedger, layout), ['10.50', '1575', 'JPY']);
    // A format's ledgerCurrency is an explicit override of Fusion's.
    assert.deepEqual(journalLineToRow(jpyLedger, { ...layout, ledgerCurrency: 'KWD' }), [
      '10.50',
      '1575.000',
      'JPY',
    ]);
    // Without either, the accounted amount has no currency: the line is refused, naming the field.
    assert.throws(
      () => journalLineToRow(journalLine({ ledgerCurrencyCode: null }), layout),
      (err: unknown) => err instanceof RecordFieldError && err.field === 'accountedDr',
    );
  });
});

describe('formats CSV: formula injection (OWASP CSV Injection)', () => {
  const layout = {
    header: true,
    delimiter: ',',
    lineEnding: 'crlf' as const,
    decimalPlaces: 2,
    rowMode: 'line' as const,
    columns: [
      { header: 'Type', literal: '-H' },
      { header: 'Invoice', field: 'invoiceNumber' },
      { header: 'Supplier', field: 'supplier' },
      { header: 'Invoice Id', field: 'invoiceId' },
      { header: 'Date', field: 'invoiceDate' },
      { header: 'Invoice Amount', field: 'invoiceAmount' },
      { header: 'Line Amount', field: 'line.lineAmount' },
      { header: 'Qty', field: 'line.quantity' },
      { header: 'Description', field: 'line.description' },
    ],
  };
  const DANGEROUS = ['=', '+', '-', '@', '\t', '\r'];
  const payloads = DANGEROUS.map((c) => `${c}HYPERLINK("http://x","click")`);
  const attack = (p: string, lineAmount = '-12.50') =>
    invoice({
      invoiceNumber: p,
      supplier: p,
      invoiceId: '-1',
      invoiceAmount: '-12.50',
      lines: [
        { ...invoice().lines[0]!, lineAmount, quantity: '-1', description: `${p[0]}cmd|' /C calc'!A0` },
      ],
    });

  it('prefixes a text cell starting with = + - @ TAB or CR with a quote, and csv-parse reads it back', () => {
    for (const p of payloads) {
      const rows = parseCsv(invoicesToCsv([attack(p)], layout));
      const row = rows[1]!;
      const what = JSON.stringify(p[0]);
      assert.equal(row[1], `'${p}`, `invoiceNumber starting ${what}`);
      assert.equal(row[2], `'${p}`, `supplier starting ${what}`);
      assert.equal(row[8], `'${p[0]}cmd|' /C calc'!A0`, `line.description starting ${what}`);
    }
    const site = supplier({ supplier: '@SUM(1+1)*cmd|" /C calc"!A0' });
    const csv = suppliersToCsv([site], {
      header: false,
      delimiter: ';',
      lineEnding: 'lf',
      decimalPlaces: 2,
      rowMode: 'site',
      columns: [
        { header: 'Supplier', field: 'supplier' },
        { header: 'City', field: 'site.address.city' },
      ],
    });
    assert.equal(parseCsv(csv, ';')[0]![0], `'@SUM(1+1)*cmd|" /C calc"!A0`);
  });

  it('leaves amounts, numbers, dates, IDs, literals, headers and harmless text as they are', () => {
    const rows = parseCsv(invoicesToCsv([attack('=1+1')], layout));
    assert.deepEqual(
      rows[0],
      layout.columns.map((c) => c.header),
    );
    assert.deepEqual(rows[1]!.slice(3, 8), ['-1', '2026-10-01', '-12.50', '-12.50', '-1']);
    assert.equal(rows[1]![0], '-H');
    const plain = parseCsv(invoicesToCsv([invoice()], layout));
    assert.deepEqual(plain[1]!.slice(1, 3), ['INV-1001', 'Acme Supplies Inc']);
    // A value with a formula character further in is no formula.
    const inner = parseCsv(invoicesToCsv([invoice({ supplier: 'Smith & Sons = Co -1' })], layout));
    assert.equal(inner[1]![2], 'Smith & Sons = Co -1');
    // Signed journal amounts, account strings and segments (codes) are written unchanged.
    const journal = journalLinesToCsv(
      [journalLine({ enteredDr: null, enteredCr: '12.5', accountCombination: '-01-10-60010-000' })],
      {
        ...signedLayout,
        bom: false,
        chartOfAccounts: {
          delimiter: '-',
          segments: ['x', 'company', 'costCentre', 'account', 'subAccount'],
        },
        columns: [...signedLayout.columns, { header: 'Company', field: 'segment:company' }],
      },
    );
    assert.deepEqual(parseCsv(journal, ';')[1], [
      'Payroll accrual',
      '10/01/2026',
      '-01-10-60010-000',
      '-12.50',
      '18250.00',
      'Salaries accrual',
      '01',
    ]);
  });

  it('escapeFormulas: false writes every text value as it is', () => {
    for (const p of payloads) {
      const row = parseCsv(invoicesToCsv([attack(p)], { ...layout, escapeFormulas: false }))[1]!;
      assert.equal(row[1], p);
      assert.equal(row[2], p);
      assert.equal(row[8], `${p[0]}cmd|' /C calc'!A0`);
    }
  });

  it('is on by default in the integration config, and the escaped file passes the re-parse check', async () => {
    const format = csvFormatSchema.parse({ type: 'csv' });
    assert.equal(format.escapeFormulas, true);
    assert.equal(csvFormatSchema.parse({ type: 'csv', escapeFormulas: false }).escapeFormulas, false);
    const renderer = csvRenderer(
      'invoices',
      csvLayout('invoices', { ...format, columns: layout.columns }, coa),
    );
    const parts = [renderer.begin()];
    for (const p of payloads) parts.push(renderer.record(attack(p)));
    parts.push(renderer.end());
    for (const part of parts) renderer.check.push(part);
    assert.deepEqual(await renderer.check.result(), { ok: true, problems: [] });
    const rows = parseCsv(parts.join(''));
    assert.equal(rows.length, 1 + payloads.length);
    assert.deepEqual(
      rows.slice(1).map((r) => r[2]),
      payloads.map((p) => `'${p}`),
    );
  });
});

describe('CSV renderer, a page at once', () => {
  it('writes the same text and rejects the same records as record() one at a time', async () => {
    const layout = { ...drcrLayout, delimiter: ',', lineEnding: 'crlf' as const };
    const lines = [
      journalLine({ lineNumber: 1, journalName: 'a "quoted", multi\nline name' }),
      journalLine({ recordId: 'bad-1', lineNumber: 2, enteredDr: '12.345' }),
      journalLine({ lineNumber: 3, enteredDr: null, enteredCr: '7', accountedDr: null, accountedCr: '7' }),
      journalLine({ recordId: 'bad-2', lineNumber: 4, accountingDate: '2026-02-30' }),
      journalLine({ lineNumber: 5 }),
    ];
    const single = csvRenderer('journalLines', layout);
    const singleTexts: string[] = [];
    const singleRejects: string[] = [];
    for (const l of lines) {
      try {
        singleTexts.push(single.record(l));
      } catch (err) {
        assert.ok(err instanceof RecordFieldError);
        singleRejects.push(`${err.recordId} ${err.field}: ${err.reason}`);
      }
    }
    assert.equal(singleRejects.length, 2);
    const paged = csvRenderer('journalLines', layout);
    const first = renderPage(paged, lines.slice(0, 2));
    const second = renderPage(paged, lines.slice(2));
    assert.equal(first.text + second.text, singleTexts.join(''));
    assert.deepEqual(
      [...first.rejected, ...second.rejected].map(
        (r) => `${r.error.recordId} ${r.error.field}: ${r.error.reason}`,
      ),
      singleRejects,
    );
    assert.deepEqual(
      second.rejected.map((r) => r.index),
      [1],
    );
    assert.equal(paged.written(), 3);
    assert.deepEqual(paged.summary(), single.summary());
    assert.equal(renderPage(paged, [lines[1]!]).text, '');
  });
});

describe('CSV rows writer', () => {
  // The renderer writes its rows itself; csv-stringify with the same options is the reference.
  const alphabet = [
    'a',
    'Z',
    '0',
    ' ',
    ',',
    ';',
    '|',
    '\t',
    '"',
    '\r',
    '\n',
    '\r\n',
    '=',
    '-',
    '@',
    'é',
    '€',
    "'",
    '\\',
    '^',
    ']',
  ];
  let seed = 7;
  const pick = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const field = () => Array.from({ length: pick(6) }, () => alphabet[pick(alphabet.length)]).join('');

  it('writes the same bytes as csv-stringify for every delimiter, line ending and hostile field', () => {
    for (const delimiter of [',', ';', '|', '\t', '^', ']', '-', '\\'])
      for (const lineEnding of ['crlf', 'lf'] as const) {
        const options = { delimiter, lineEnding, decimalPlaces: 2 } as CsvFileOptions;
        const write = csvRowsWriter(options);
        for (let t = 0; t < 200; t++) {
          const rows = Array.from({ length: 1 + pick(4) }, () => Array.from({ length: 1 + pick(5) }, field));
          assert.equal(
            write(rows),
            stringify(rows, csvStringifyOptions(options)),
            JSON.stringify({ delimiter, rows }),
          );
        }
      }
  });

  it('quotes only what must be quoted, and writes nothing for no rows', () => {
    const write = csvRowsWriter({ delimiter: ';', lineEnding: 'crlf', decimalPlaces: 2 } as CsvFileOptions);
    assert.equal(write([['a,b', 'say "x"', 'c;d', 'e\nf', '']]), 'a,b;"say ""x""";"c;d";"e\nf";\r\n');
    assert.equal(write([]), '');
  });
});
