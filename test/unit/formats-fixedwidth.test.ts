import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LayoutError } from '../../src/formats/errors';
import type { FixedWidthField, FixedWidthLayout } from '../../src/formats/fixedWidth/layout';
import { fixedWidthWriter, recordsToFixedWidth } from '../../src/formats/fixedWidth/writer';
import { validateFixedWidth } from '../../src/formats/validate/fixedWidth';
import { RecordFieldError } from '../../src/shared/records';
import {
  assertGolden,
  balancedJournal,
  creditMemo,
  invoice,
  journalLine,
  supplier,
} from './formats-fixtures';

const coa = { delimiter: '-', segments: ['company', 'costCentre', 'account', 'subAccount'] };

/** A GL interface file: header, one detail per journal line, trailer with count and DR/CR totals. */
const glLayout: FixedWidthLayout = {
  lineEnding: 'crlf',
  nonAscii: 'reject',
  chartOfAccounts: coa,
  header: {
    length: 100,
    fields: [
      { name: 'recordType', type: 'literal', value: 'H', width: 1 },
      { name: 'sender', type: 'literal', value: 'MLCONN', width: 10 },
      { name: 'fileDate', type: 'date', source: 'file.createdAt', width: 8, dateFormat: 'yyyyMMdd' },
      { name: 'batch', type: 'alpha', source: 'file.batch', width: 20 },
    ],
  },
  detail: {
    length: 100,
    fields: [
      { name: 'recordType', type: 'literal', value: 'D', width: 1 },
      { name: 'journal', type: 'alpha', source: 'headerId', width: 15 },
      { name: 'line', type: 'numeric', source: 'lineNumber', width: 5 },
      { name: 'date', type: 'date', source: 'effectiveDate', width: 8, dateFormat: 'yyyyMMdd' },
      { name: 'company', type: 'alpha', source: 'segment:company', width: 3 },
      { name: 'account', type: 'alpha', source: 'segment:account', width: 6 },
      { name: 'debit', type: 'amount', source: 'enteredDr', width: 15, impliedDecimals: 2 },
      { name: 'credit', type: 'amount', source: 'enteredCr', width: 15, impliedDecimals: 2 },
      { name: 'currency', type: 'alpha', source: 'currencyCode', width: 3 },
      { name: 'description', type: 'alpha', source: 'description', width: 20 },
    ],
  },
  trailer: {
    length: 100,
    fields: [
      { name: 'recordType', type: 'literal', value: 'T', width: 1 },
      { name: 'details', type: 'count', count: 'details', width: 9 },
      { name: 'lines', type: 'count', count: 'lines', width: 9 },
      { name: 'totalDebit', type: 'total', source: 'enteredDr', width: 18, impliedDecimals: 2 },
      { name: 'totalCredit', type: 'total', source: 'enteredCr', width: 18, impliedDecimals: 2 },
    ],
  },
};

const file = { createdAt: '2026-10-02T14:05:09Z', batch: 'GL-2026-10-02' };

/** A one-field detail layout to test one encoder at a time. */
function oneField(
  field: Partial<FixedWidthField> & Pick<FixedWidthField, 'type' | 'width'>,
): FixedWidthLayout {
  return {
    lineEnding: 'lf',
    nonAscii: 'reject',
    detail: { fields: [{ name: 'f', source: 'enteredDr', ...field } as FixedWidthField] },
  };
}
const render = (layout: FixedWidthLayout, overrides: Parameters<typeof journalLine>[0] = {}) =>
  recordsToFixedWidth('journalLines', [journalLine(overrides)], layout).text;

describe('formats fixed-width', () => {
  it('GL file: header, details, trailer with count and exact totals 0.1 + 0.2 = 0.30 (golden)', () => {
    const lines = [...balancedJournal(), ...balancedJournal('300000104500002')];
    const { text, summary } = recordsToFixedWidth('journalLines', lines, glLayout, file);
    assertGolden('journal-lines.fixed.txt', text);
    assert.deepEqual(summary, {
      records: 6,
      details: 6,
      lines: 8,
      totals: { totalDebit: '0.6', totalCredit: '0.6' },
    });
    const rows = text.split('\r\n');
    assert.equal(rows.pop(), '');
    assert.ok(rows.every((r) => r.length === 100));
    assert.equal(rows[1]!.slice(0, 1), 'D');
    assert.equal(rows[1]!.slice(38, 53), '000000000000010'); // 0.1 DR, implied decimals
    assert.equal(rows.at(-1)!.slice(0, 37), 'T000000006000000008000000000000000060');
    assert.deepEqual(validateFixedWidth(text, 'journalLines', glLayout, summary), { ok: true, problems: [] });
  });

  it('invoices: one detail per line with the header repeated, signed amounts (golden)', () => {
    const layout: FixedWidthLayout = {
      lineEnding: 'lf',
      nonAscii: 'transliterate',
      detailPer: 'line',
      detail: {
        fields: [
          { name: 'invoice', type: 'alpha', source: 'invoiceNumber', width: 12 },
          { name: 'supplier', type: 'alpha', source: 'supplier', width: 20 },
          { name: 'line', type: 'numeric', source: 'line.lineNumber', width: 3 },
          {
            name: 'amount',
            type: 'amount',
            source: 'line.lineAmount',
            width: 12,
            impliedDecimals: 2,
            sign: 'trailing',
          },
          {
            name: 'unitPrice',
            type: 'amount',
            source: 'line.unitPrice',
            width: 10,
            explicitDecimals: 4,
            pad: ' ',
            ifNull: 'blank',
          },
        ],
      },
      trailer: {
        fields: [
          { name: 'type', type: 'literal', value: 'TRL', width: 3 },
          { name: 'invoices', type: 'count', count: 'records', width: 6 },
          {
            name: 'total',
            type: 'total',
            source: 'line.lineAmount',
            width: 48,
            impliedDecimals: 2,
            sign: 'leading',
          },
        ],
      },
    };
    const { text, summary } = recordsToFixedWidth(
      'invoices',
      [invoice({ supplier: 'Ærø Façades Ltd' }), creditMemo()],
      layout,
    );
    assertGolden('invoices.fixed.txt', text);
    assert.deepEqual(summary.totals, { total: '1099.5' });
    const rows = text.split('\n');
    assert.equal(rows[0], 'INV-1001    AEro Facades Ltd    00100000120000+   12.0000');
    assert.equal(rows[1], 'INV-1001    AEro Facades Ltd    00200000005000+          ');
    assert.equal(rows[2], 'CM-2001     Acme Supplies Inc   00100000015050-          ');
    assert.ok(validateFixedWidth(text, 'invoices', layout, summary).ok);
  });

  it('a value wider than its field is an error naming the record and field, never truncated', () => {
    const layout = oneField({ type: 'alpha', source: 'description', width: 10 });
    assert.throws(
      () => render(layout, { description: 'Salaries accrual October' }),
      (err: unknown) =>
        err instanceof RecordFieldError &&
        err.recordId === '300000104500001:1' &&
        err.field === 'f (description)' &&
        /24 characters, the field holds 10/.test(err.reason),
    );
    assert.throws(
      () =>
        render(oneField({ type: 'amount', width: 8, impliedDecimals: 2 }), {
          enteredDr: '98765432109876.54',
        }),
      (err: unknown) =>
        err instanceof RecordFieldError &&
        err.field === 'f (enteredDr)' &&
        /the field holds 8/.test(err.reason),
    );
    // Exactly full is fine: 16 digits in 16.
    assert.equal(
      render(oneField({ type: 'amount', width: 16, impliedDecimals: 2 }), { enteredDr: '98765432109876.54' }),
      '9876543210987654\n',
    );
    const { text } = recordsToFixedWidth('invoices', [invoice({ invoiceNumber: 'INV-TOO-LONG-12345' })], {
      lineEnding: 'lf',
      nonAscii: 'reject',
      detailPer: 'line',
      detail: {
        fields: [{ name: 'amt', type: 'amount', source: 'line.lineAmount', width: 6, impliedDecimals: 2 }],
      },
    });
    assert.equal(text, '120000\n005000\n');
    assert.throws(
      () =>
        recordsToFixedWidth('invoices', [invoice()], {
          lineEnding: 'lf',
          nonAscii: 'reject',
          detail: {
            fields: [
              { name: 'amt', type: 'amount', source: 'line.lineAmount', width: 5, impliedDecimals: 2 },
            ],
          },
        }),
      (err: unknown) => err instanceof RecordFieldError && err.field === 'amt (line[1].lineAmount)',
    );
  });

  it('sign positions: leading, trailing, none (a negative is then an error), positive sign choice', () => {
    const credit = { enteredDr: '-12.5' };
    assert.equal(
      render(oneField({ type: 'amount', width: 8, impliedDecimals: 2, sign: 'leading' }), credit),
      '-0001250\n',
    );
    assert.equal(
      render(oneField({ type: 'amount', width: 8, impliedDecimals: 2, sign: 'trailing' }), credit),
      '0001250-\n',
    );
    assert.equal(
      render(oneField({ type: 'amount', width: 8, impliedDecimals: 2, sign: 'leading', pad: ' ' }), credit),
      '   -1250\n',
    );
    assert.equal(
      render(oneField({ type: 'amount', width: 8, impliedDecimals: 2, sign: 'leading', positiveSign: ' ' }), {
        enteredDr: '12.5',
      }),
      ' 0001250\n',
    );
    assert.throws(
      () => render(oneField({ type: 'amount', width: 8, impliedDecimals: 2 }), credit),
      (err: unknown) =>
        err instanceof RecordFieldError && /negative and the field has no sign position/.test(err.reason),
    );
    assert.equal(
      render(oneField({ type: 'amount', width: 10, explicitDecimals: 2, sign: 'leading' }), credit),
      '-000012.50\n',
    );
  });

  it('never rounds: more decimals than the field holds is an error', () => {
    assert.throws(
      () => render(oneField({ type: 'amount', width: 10, impliedDecimals: 2 }), { enteredDr: '10.005' }),
      (err: unknown) => err instanceof RecordFieldError && /more than 2 decimal places/.test(err.reason),
    );
    // Currencies with 0 and 3 decimals: the layout picks the implied decimals.
    assert.equal(
      render(oneField({ type: 'amount', width: 8, impliedDecimals: 0 }), { enteredDr: '1250' }),
      '00001250\n',
    );
    assert.equal(
      render(oneField({ type: 'amount', width: 8, impliedDecimals: 3 }), { enteredDr: '12.345' }),
      '00012345\n',
    );
  });

  it('nulls: amounts zero-filled, text blank, or an error when required', () => {
    assert.equal(
      render(oneField({ type: 'amount', width: 6, impliedDecimals: 2 }), { enteredDr: null }),
      '000000\n',
    );
    assert.equal(
      render(oneField({ type: 'alpha', source: 'description', width: 4 }), { description: null }),
      '    \n',
    );
    assert.throws(
      () =>
        render(oneField({ type: 'alpha', source: 'description', width: 4, ifNull: 'error' }), {
          description: null,
        }),
      /field f \(description\): is required and missing/,
    );
  });

  it('non-ASCII: rejected, or transliterated when it can be; line breaks never pass', () => {
    const layout = oneField({ type: 'alpha', source: 'description', width: 20 });
    assert.throws(
      () => render(layout, { description: 'Café' }),
      (err: unknown) => err instanceof RecordFieldError && /non-ASCII character "é"/.test(err.reason),
    );
    const t = { ...layout, nonAscii: 'transliterate' as const };
    assert.equal(render(t, { description: 'Café Straße Øst' }), 'Cafe Strasse Ost    \n');
    assert.throws(() => render(t, { description: '東京' }), /no ASCII transliteration/);
    assert.throws(() => render(layout, { description: 'a\nb' }), /line break or control character/);
    assert.equal(render(t, { description: 'a\nb' }), 'a b                 \n');
  });

  it('positions: start columns leave gaps of spaces; overlaps are layout errors', () => {
    const layout: FixedWidthLayout = {
      lineEnding: 'lf',
      nonAscii: 'reject',
      detail: {
        length: 20,
        fields: [
          { name: 'a', type: 'literal', value: 'D', width: 1, start: 1 },
          { name: 'b', type: 'numeric', source: 'lineNumber', width: 3, start: 5 },
        ],
      },
    };
    assert.equal(render(layout), `${'D   001'.padEnd(20)}\n`);
    assert.throws(
      () =>
        render({
          ...layout,
          detail: { fields: [layout.detail.fields[0]!, { ...layout.detail.fields[1]!, start: 1 }] },
        }),
      (err: unknown) =>
        err instanceof LayoutError && /starts at 1, inside the previous field/.test(err.message),
    );
  });

  it('layout errors are listed together: counts outside the trailer, totals at the wrong level, unknown fields', () => {
    assert.throws(
      () =>
        fixedWidthWriter('invoices', {
          lineEnding: 'lf',
          nonAscii: 'reject',
          detailPer: 'line',
          header: { fields: [{ name: 'n', type: 'count', count: 'details', width: 5 }] },
          detail: { fields: [{ name: 'x', type: 'alpha', source: 'line.nope', width: 5 }] },
          trailer: { fields: [{ name: 't', type: 'total', source: 'invoiceAmount', width: 10 }] },
        }),
      (err: unknown) =>
        err instanceof LayoutError &&
        err.problems.length === 3 &&
        /counts belong in the trailer/.test(err.problems[0]!) &&
        /unknown invoices field "line.nope"/.test(err.problems[1]!) &&
        /invoiceAmount is not a line field/.test(err.problems[2]!),
    );
    assert.throws(() => fixedWidthWriter('journalLines', glLayout, {}), /file.createdAt was not supplied/);
  });

  it('a record that fails is not counted and does not move the totals', () => {
    const writer = fixedWidthWriter('journalLines', glLayout, file);
    writer.header();
    writer.write(journalLine({ enteredDr: '100' }));
    assert.throws(() => writer.write(journalLine({ enteredDr: '1.001' })), RecordFieldError);
    writer.write(journalLine({ enteredDr: null, enteredCr: '100' }));
    writer.trailer();
    assert.deepEqual(writer.summary(), {
      records: 2,
      details: 2,
      lines: 4,
      totals: { totalDebit: '100', totalCredit: '100' },
    });
  });

  it('suppliers: one detail per site, the address resolved by name; no line endings', () => {
    const layout: FixedWidthLayout = {
      lineEnding: 'none',
      nonAscii: 'reject',
      detail: {
        fields: [
          { name: 'number', type: 'alpha', source: 'supplierNumber', width: 10 },
          { name: 'site', type: 'alpha', source: 'site.supplierSite', width: 12 },
          { name: 'city', type: 'alpha', source: 'site.address.city', width: 8 },
        ],
      },
      trailer: { length: 30, fields: [{ name: 'n', type: 'count', count: 'details', width: 4 }] },
    };
    const { text, summary } = recordsToFixedWidth('suppliers', [supplier()], layout);
    assert.equal(
      text,
      'SUP-0042  ACME-HQ     Austin  SUP-0042  ACME-REMIT  Dallas  0002                          ',
    );
    assert.ok(validateFixedWidth(text, 'suppliers', layout, summary).ok);
    assert.throws(
      () =>
        recordsToFixedWidth('suppliers', [supplier()], {
          ...layout,
          trailer: { fields: layout.trailer!.fields },
        }),
      /every record type needs the same length/,
    );
  });

  it('control totals of 25-digit amounts are exact (decimal.js would round at 20 digits)', () => {
    const layout: FixedWidthLayout = {
      lineEnding: 'lf',
      nonAscii: 'reject',
      detail: {
        fields: [{ name: 'dr', type: 'amount', source: 'enteredDr', width: 30, impliedDecimals: 2 }],
      },
      trailer: {
        fields: [
          { name: 'type', type: 'literal', value: 'T', width: 1 },
          { name: 'total', type: 'total', source: 'enteredDr', width: 29, impliedDecimals: 2 },
        ],
      },
    };
    const lines = [
      journalLine({ enteredDr: '12345678901234567890123.44' }),
      journalLine({ lineNumber: 2, enteredDr: '0.01' }),
    ];
    const { text, summary } = recordsToFixedWidth('journalLines', lines, layout);
    assert.deepEqual(summary.totals, { total: '12345678901234567890123.45' });
    assert.equal(text.split('\n')[2], `T${'1234567890123456789012345'.padStart(29, '0')}`);
    assert.ok(validateFixedWidth(text, 'journalLines', layout, summary).ok);
  });
});
