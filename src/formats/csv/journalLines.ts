import { type Options, type Stringifier, stringify } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import { type JournalLineField, type JournalLineRecord, RecordFieldError } from '../../shared/records';
import { fixedAmount } from '../amount';

// Journal lines → CSV (RFC 4180 quoting by csv-stringify). Pure: no I/O, no clock, no env.

export interface CsvColumn {
  header: string;
  /** A record field, or `segment:<name>` for one segment of the account combination. */
  field: string;
}

export interface JournalLinesCsvLayout {
  columns: CsvColumn[];
  decimalPlaces: number;
  header: boolean;
  delimiter: string;
  lineEnding: 'crlf' | 'lf';
  chartOfAccounts: { delimiter: string; segments: string[] };
}

const AMOUNT_FIELDS = new Set<string>(['enteredDr', 'enteredCr', 'accountedDr', 'accountedCr']);

/** One segment of `101-10-60010-000` by the chart-of-accounts layout. */
export function accountSegment(
  record: JournalLineRecord,
  segment: string,
  coa: JournalLinesCsvLayout['chartOfAccounts'],
): string {
  const index = coa.segments.indexOf(segment);
  const parts = record.accountCombination.split(coa.delimiter);
  if (parts.length !== coa.segments.length) {
    throw new RecordFieldError(
      record.recordId,
      'accountCombination',
      `"${record.accountCombination}" has ${parts.length} segments, the chart of accounts has ${coa.segments.length}`,
    );
  }
  return parts[index]!;
}

/** The row's cells in column order; amounts at fixed decimals, nulls as empty cells. */
export function journalLineToRow(record: JournalLineRecord, layout: JournalLinesCsvLayout): string[] {
  return layout.columns.map(({ field }) => {
    if (field.startsWith('segment:')) return accountSegment(record, field.slice(8), layout.chartOfAccounts);
    const value = record[field as JournalLineField];
    if (value === null || value === undefined) return '';
    if (AMOUNT_FIELDS.has(field))
      return fixedAmount(String(value), layout.decimalPlaces, record.recordId, field);
    return String(value);
  });
}

function stringifyOptions(layout: JournalLinesCsvLayout): Options {
  return {
    header: layout.header,
    columns: layout.columns.map((c) => c.header),
    delimiter: layout.delimiter,
    record_delimiter: layout.lineEnding === 'crlf' ? 'windows' : 'unix',
    // RFC 4180: a field holding a line break must be quoted, whatever the record delimiter.
    quoted_match: /[\r\n]/,
  };
}

/** Streaming form: write rows from journalLineToRow in, read CSV bytes out (constant memory). */
export function journalLinesCsvStream(layout: JournalLinesCsvLayout): Stringifier {
  return stringify(stringifyOptions(layout));
}

/** Whole-file form for small sets and tests. */
export function journalLinesToCsv(
  records: Iterable<JournalLineRecord>,
  layout: JournalLinesCsvLayout,
): string {
  return stringifySync(
    [...records].map((r) => journalLineToRow(r, layout)),
    stringifyOptions(layout),
  );
}
