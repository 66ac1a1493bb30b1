import type { Stringifier } from 'csv-stringify';
import type { JournalLineRecord } from '../../shared/records';
import { journalAccountSegment, journalLineFields } from '../fields/journalLines';
import type { CsvColumn, CsvFileOptions } from './options';
import { csvStream, rowsToCsv } from './options';
import { type CsvPlan, cachedPlan, compilePlan, planHeaderRows, planRows } from './plan';

// Journal lines → CSV (RFC 4180 quoting by csv-stringify). Pure: no I/O, no clock, no env.
// Columns name a record field, `segment:<name>` (chart of accounts), `effectiveDate`, or the signed
// `enteredAmount` / `accountedAmount` (DR − CR: debit positive, credit negative).

export type { CsvColumn } from './options';

export interface JournalLinesCsvLayout extends CsvFileOptions {
  columns: CsvColumn[];
  chartOfAccounts: { delimiter: string; segments: string[] };
  /**
   * 'drcr' (default): debits and credits in their own columns (enteredDr/enteredCr, accountedDr/accountedCr).
   * 'signed': one signed column each (enteredAmount/accountedAmount). A layout mixing the two is refused,
   * since a reader summing both would count every amount twice.
   */
  amountStyle?: 'drcr' | 'signed';
  /** Currency of the accounted amounts, needed when decimalPlaces is 'currency' and they are written. */
  ledgerCurrency?: string;
}

const DRCR = new Set(['enteredDr', 'enteredCr', 'accountedDr', 'accountedCr']);
const SIGNED = new Set(['enteredAmount', 'accountedAmount']);

function amountStyleProblems(layout: JournalLinesCsvLayout): string[] {
  const style = layout.amountStyle ?? 'drcr';
  const refused = style === 'drcr' ? SIGNED : DRCR;
  return layout.columns.flatMap((c, i) =>
    'field' in c && refused.has(c.field)
      ? [`columns[${i}] (${c.header}): ${c.field} does not fit amountStyle "${style}"`]
      : [],
  );
}

const plan = (layout: JournalLinesCsvLayout): CsvPlan =>
  cachedPlan(layout, (l) =>
    compilePlan(
      'journal lines CSV layout',
      journalLineFields,
      l,
      {
        chartOfAccounts: l.chartOfAccounts,
        ...(l.ledgerCurrency ? { ledgerCurrency: l.ledgerCurrency } : {}),
      },
      [{ where: 'columns', columns: l.columns, level: 0, maxLevel: 0 }],
      amountStyleProblems(l),
    ),
  );

/** One segment of `101-10-60010-000` by the chart-of-accounts layout. */
export function accountSegment(
  record: JournalLineRecord,
  segment: string,
  coa: JournalLinesCsvLayout['chartOfAccounts'],
): string {
  return journalAccountSegment(record, segment, coa);
}

/** The row's cells in column order; amounts at fixed decimals, nulls as empty cells. */
export function journalLineToRow(record: JournalLineRecord, layout: JournalLinesCsvLayout): string[] {
  return planRows(journalLineFields, plan(layout), record)[0]!;
}

export function journalLinesCsvHeaderRows(layout: JournalLinesCsvLayout): string[][] {
  return planHeaderRows(plan(layout));
}

/** Streaming form: write rows from journalLineToRow in, read CSV bytes out (constant memory). */
export function journalLinesCsvStream(layout: JournalLinesCsvLayout): Stringifier {
  return csvStream(layout, journalLinesCsvHeaderRows(layout));
}

/** Whole-file form for small sets and tests. */
export function journalLinesToCsv(
  records: Iterable<JournalLineRecord>,
  layout: JournalLinesCsvLayout,
): string {
  const rows = journalLinesCsvHeaderRows(layout);
  for (const r of records) rows.push(journalLineToRow(r, layout));
  return rowsToCsv(rows, layout);
}
