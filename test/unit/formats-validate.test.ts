import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invoicesCsvHeaderRows, invoicesToCsv } from '../../src/formats/csv/invoices';
import type { FixedWidthLayout } from '../../src/formats/fixedWidth/layout';
import { recordsToFixedWidth } from '../../src/formats/fixedWidth/writer';
import { type CsvExpectation, validateCsv } from '../../src/formats/validate/csv';
import { validateFixedWidth } from '../../src/formats/validate/fixedWidth';
import { assertValidFile, FileValidationError } from '../../src/formats/validate/result';
import { validateX12 } from '../../src/formats/validate/x12';
import { invoicesToX12810, purchaseOrdersToX12850 } from '../../src/formats/x12/writer';
import { balancedJournal, creditMemo, envelope, invoice, partner, purchaseOrder } from './formats-fixtures';

describe('formats validation before upload: CSV', () => {
  const layout = {
    header: true,
    delimiter: ',',
    lineEnding: 'crlf' as const,
    bom: true,
    decimalPlaces: 2,
    rowMode: 'recordTypes' as const,
    headerColumns: [
      { header: 'T', literal: 'H' },
      { header: 'Invoice', field: 'invoiceNumber' },
      { header: 'Amount', field: 'invoiceAmount' },
    ],
    lineColumns: [
      { header: 'T', literal: 'L' },
      { header: 'Line', field: 'line.lineNumber' },
      { header: 'Description', field: 'line.description' },
      { header: 'Amount', field: 'line.lineAmount' },
    ],
  };
  const csv = invoicesToCsv([invoice(), creditMemo()], layout);
  const expected: CsvExpectation = {
    delimiter: ',',
    lineEnding: 'crlf',
    bom: true,
    headerRows: invoicesCsvHeaderRows(layout),
    dataRows: 5,
    columns: { H: 3, L: 4 },
  };

  it('accepts the file as written, as bytes or text', () => {
    assert.deepEqual(validateCsv(Buffer.from(csv, 'utf8'), expected), { ok: true, problems: [] });
    assert.ok(validateCsv(csv, expected).ok);
  });

  it('names what failed: row count, columns, header, BOM, line endings, encoding', () => {
    assert.deepEqual(validateCsv(csv, { ...expected, dataRows: 6 }).problems, ['5 data rows, expected 6']);
    assert.deepEqual(validateCsv(csv, { ...expected, columns: { H: 3, L: 5 } }).problems.length, 3);
    assert.match(
      validateCsv(csv, { ...expected, columns: { H: 3 } }).problems[0]!,
      /row 4: unknown record type "L"/,
    );
    assert.match(validateCsv(csv.replace('Invoice', 'Inv'), expected).problems[0]!, /header row 1/);
    assert.deepEqual(validateCsv(csv.slice(1), expected).problems, ['the UTF-8 BOM is missing']);
    const lf = csv.replaceAll('\r\n', '\n');
    assert.ok(!validateCsv(lf, expected).ok);
    assert.match(validateCsv(csv, { ...expected, lineEnding: 'lf' }).problems.join(), /ends with CR/);
    assert.deepEqual(validateCsv(new Uint8Array([0xef, 0xbb, 0xbf, 0xc3, 0x28]), expected).problems, [
      'the file is not valid UTF-8',
    ]);
    assert.match(validateCsv(`${csv}"unterminated`, expected).problems.join(), /csv-parse/);
    assert.throws(
      () => assertValidFile('csv', validateCsv(csv, { ...expected, dataRows: 1 })),
      (err: unknown) =>
        err instanceof FileValidationError &&
        err.format === 'csv' &&
        /5 data rows, expected 1/.test(err.message),
    );
  });
});

describe('formats validation before upload: X12', () => {
  const { text, summary } = invoicesToX12810([invoice(), creditMemo()], partner(), envelope);

  it('accepts the interchange as written', () => {
    assert.deepEqual(validateX12(text, summary), { ok: true, problems: [] });
    const po = purchaseOrdersToX12850([purchaseOrder()], partner({ version: '005010' }), envelope);
    assert.deepEqual(validateX12(po.text, po.summary), { ok: true, problems: [] });
  });

  it('names what failed: segment counts, CTT, control numbers, version, ISA widths', () => {
    const fail = (t: string, exp = summary) => validateX12(t, exp).problems.join(' | ');
    assert.match(
      fail(text.replace('SE*13*0001', 'SE*14*0001')),
      /SE01 \(14\) does not match the number of segments in the transaction \(13\)/,
    );
    assert.match(fail(text.replace('CTT*2', 'CTT*5')), /set 0001: CTT01 is 5, the set has 2 IT1 segments/);
    assert.match(fail(text.replace('GE*2*7', 'GE*3*7')), /GE01 \(3\)/);
    assert.match(fail(text.replace('IEA*1*000000042', 'IEA*1*000000043')), /IEA02/);
    assert.match(
      fail(text.replace('SE*11*0002', 'SE*11*0003')),
      /SE02 \(0003\) does not match the value in ST02 \(0002\)/,
    );
    assert.match(
      fail(text, { ...summary, interchangeControlNumber: '000000041' }),
      /ISA13 is 42, expected 000000041/,
    );
    assert.match(fail(text, { ...summary, groupControlNumber: '8' }), /GS06 is 7, expected 8/);
    assert.match(fail(text, { ...summary, transactionSets: 3 }), /2 transaction sets, expected 3/);
    assert.match(fail(text, { ...summary, lineItems: 4 }), /3 line items, expected 4/);
    assert.match(
      fail(text, { ...summary, version: '005010' }),
      /ISA11 is "U", 005010 expects a distinct repetition separator/,
    );
    assert.match(
      fail(text.replace('*ZZ*MLCONNECTOR    *', '*ZZ*MLCONNECTOR*')),
      /ISA06 is 11 characters, expected 15/,
    );
    assert.match(
      fail(text.replace('ST*810*0002', 'ST*810*0001').replace('SE*11*0002', 'SE*11*0001')),
      /ST02 used twice/,
    );
  });
});

describe('formats validation before upload: fixed-width', () => {
  const layout: FixedWidthLayout = {
    lineEnding: 'lf',
    nonAscii: 'reject',
    detail: {
      fields: [
        { name: 'type', type: 'literal', value: 'D', width: 1 },
        { name: 'account', type: 'alpha', source: 'accountCombination', width: 16 },
        { name: 'dr', type: 'amount', source: 'enteredDr', width: 10, impliedDecimals: 2 },
        { name: 'cr', type: 'amount', source: 'enteredCr', width: 10, impliedDecimals: 2 },
      ],
    },
    trailer: {
      length: 37,
      fields: [
        { name: 'type', type: 'literal', value: 'T', width: 1 },
        { name: 'count', type: 'count', count: 'details', width: 6 },
        { name: 'dr', type: 'total', source: 'enteredDr', width: 15, impliedDecimals: 2 },
        { name: 'cr', type: 'total', source: 'enteredCr', width: 15, impliedDecimals: 2 },
      ],
    },
  };
  const { text, summary } = recordsToFixedWidth('journalLines', balancedJournal(), layout);

  it('accepts the file as written and re-adds the totals from the detail lines', () => {
    assert.deepEqual(validateFixedWidth(text, 'journalLines', layout, summary), { ok: true, problems: [] });
  });

  it('names what failed: a line length, the count, a total that does not add up, line structure', () => {
    const lines = text.split('\n');
    const fail = (t: string, exp = summary) =>
      validateFixedWidth(t, 'journalLines', layout, exp).problems.join(' | ');
    assert.match(
      fail(text.replace('D101-10-60010-000', 'D101-10-60010-00')),
      /line 1 \(detail\) is 36 characters, expected 37/,
    );
    // A detail amount changed without the trailer: the trailer no longer matches its details.
    const tampered = [lines[0]!.replace('0000000010', '0000000011'), ...lines.slice(1)].join('\n');
    assert.match(fail(tampered), /trailer dr is 0\.3, the detail lines' dr add up to 0\.31/);
    assert.match(fail(text, { ...summary, details: 2 }), /4 lines, expected 3/);
    assert.match(
      fail(text, { ...summary, totals: { dr: '0.4', cr: '0.3' } }),
      /trailer dr is 0\.3, expected 0\.4/,
    );
    const trailer = lines[3]!;
    assert.match(fail(text.replace(trailer, `T000004${trailer.slice(7)}`)), /trailer count is 4, expected 3/);
    assert.match(fail(text.slice(0, -1)), /the last line has no line ending/);
    assert.match(fail(text.replace('D101', 'X101')), /type is "X", expected "D"/);
  });
});
