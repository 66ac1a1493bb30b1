import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { type JournalLinesCsvLayout, journalLinesToCsv } from '../../src/formats/csv/journalLines';
import { RecordFieldError } from '../../src/shared/records';
import { journalLine as line } from './formats-fixtures';

const layout: JournalLinesCsvLayout = {
  columns: [
    { header: 'Journal', field: 'journalName' },
    { header: 'Line', field: 'lineNumber' },
    { header: 'GL Account', field: 'accountCombination' },
    { header: 'Cost Centre', field: 'segment:costCentre' },
    { header: 'DR', field: 'enteredDr' },
    { header: 'CR', field: 'enteredCr' },
    { header: 'Description', field: 'description' },
  ],
  decimalPlaces: 2,
  header: true,
  delimiter: ',',
  lineEnding: 'crlf',
  chartOfAccounts: { delimiter: '-', segments: ['company', 'costCentre', 'account', 'subAccount'] },
};

describe('journal lines → CSV', () => {
  it('writes the configured columns in order, CRLF, amounts at fixed decimals, nulls empty', () => {
    const csv = journalLinesToCsv([line()], layout);
    assert.equal(
      csv,
      'Journal,Line,GL Account,Cost Centre,DR,CR,Description\r\n' +
        'Payroll accrual,1,101-10-60010-000,10,18250.00,,Salaries accrual\r\n',
    );
  });

  it('quotes delimiters, quotes and line breaks per RFC 4180, and a parser reads them back', () => {
    const nasty = 'Rent, "March"\nsecond line\r\nthird';
    const csv = journalLinesToCsv([line({ description: nasty })], layout);
    assert.ok(csv.includes('"Rent, ""March""\nsecond line\r\nthird"'));
    const rows = parse(csv) as string[][];
    assert.equal(rows[1]![6], nasty);
  });

  it('keeps every digit of amounts beyond binary floating point', () => {
    const csv = journalLinesToCsv(
      [line({ enteredDr: '98765432109876.54' }), line({ enteredDr: null, enteredCr: '0.3' })],
      layout,
    );
    const rows = parse(csv) as string[][];
    assert.equal(rows[1]![4], '98765432109876.54');
    assert.equal(rows[2]![5], '0.30');
  });

  it('refuses an amount that would need rounding, naming the record and field', () => {
    assert.throws(
      () => journalLinesToCsv([line({ enteredDr: '10.005' })], layout),
      (err: unknown) =>
        err instanceof RecordFieldError && err.recordId === '300000104500001:1' && err.field === 'enteredDr',
    );
  });

  it('refuses an account whose segment count does not match the chart of accounts', () => {
    assert.throws(
      () => journalLinesToCsv([line({ accountCombination: '101-10-60010' })], layout),
      /field accountCombination: "101-10-60010" has 3 segments, the chart of accounts has 4/,
    );
  });

  it('honours LF line endings, another delimiter and no header row', () => {
    const csv = journalLinesToCsv([line()], { ...layout, lineEnding: 'lf', delimiter: ';', header: false });
    assert.equal(csv, 'Payroll accrual;1;101-10-60010-000;10;18250.00;;Salaries accrual\n');
  });
});
