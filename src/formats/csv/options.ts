import { type Options, type Stringifier, stringify } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import type { DecimalPlaces } from '../currency';
import { datePatternProblem } from '../date';
import type { CsvFileOptions } from './schema';

// File-level CSV options shared by every entity, and the csv-stringify setup (RFC 4180 quoting:
// fields holding the delimiter, a quote, CR or LF are quoted; quotes are doubled).

export type { CsvColumn, CsvFieldColumn, CsvFileOptions, CsvLiteralColumn } from './schema';

// Excel, LibreOffice and Sheets start a formula (or DDE call) at any of these as the first character.
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell that a spreadsheet would run as a formula gets a leading `'` (shown as text). */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Problems with the file options (empty when fine). */
export function csvOptionProblems(options: CsvFileOptions): string[] {
  const problems: string[] = [];
  if (options.delimiter.length !== 1 || /["\r\n]/.test(options.delimiter)) {
    problems.push(
      `delimiter must be one character other than a quote, CR or LF (got ${JSON.stringify(options.delimiter)})`,
    );
  }
  if (options.lineEnding !== 'crlf' && options.lineEnding !== 'lf')
    problems.push('lineEnding must be crlf or lf');
  problems.push(...decimalPlacesProblems(options.decimalPlaces, 'decimalPlaces'));
  const dateProblem = options.dateFormat === undefined ? null : datePatternProblem(options.dateFormat);
  if (dateProblem) problems.push(dateProblem);
  return problems;
}

export function decimalPlacesProblems(places: DecimalPlaces, where: string): string[] {
  if (places === 'currency') return [];
  return Number.isInteger(places) && places >= 0 && places <= 10
    ? []
    : [`${where} must be an integer 0–10 or "currency"`];
}

export function csvStringifyOptions(options: CsvFileOptions): Options {
  return {
    delimiter: options.delimiter,
    record_delimiter: options.lineEnding === 'crlf' ? 'windows' : 'unix',
    bom: options.bom ?? false,
    // RFC 4180: a field holding a line break must be quoted, whatever the record delimiter.
    quoted_match: /[\r\n]/,
  };
}

/**
 * Streaming CSV: write each record's rows (from `…ToCsvRows`) in, read bytes out, in constant memory.
 * The header rows (from `…CsvHeaderRows`, empty when `header` is false) are written first.
 */
export function csvStream(options: CsvFileOptions, headerRows: string[][]): Stringifier {
  const stream = stringify(csvStringifyOptions(options));
  for (const row of headerRows) stream.write(row);
  return stream;
}

/** Whole-file CSV from rows (small sets and tests). */
export function rowsToCsv(rows: string[][], options: CsvFileOptions): string {
  return stringifySync(rows, csvStringifyOptions(options));
}
