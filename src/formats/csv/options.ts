import { type Options, type Stringifier, stringify } from 'csv-stringify';
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
  return (options.bom ? '\uFEFF' : '') + csvRowsWriter(options)(rows);
}

/**
 * Rows as CSV text, each ended by the line ending: the same bytes as csv-stringify with
 * csvStringifyOptions (a unit test compares them on random fields), written without it because
 * it built tuples and arrays for every field, about 7 KB of garbage a journal line (a quarter of
 * what the worker allocated in a sync). RFC 4180: a field holding the delimiter, a quote, CR or
 * LF is quoted and its quotes doubled; nothing else is. Every file is still re-read by csv-parse.
 */
export function csvRowsWriter(options: CsvFileOptions): (rows: readonly (readonly string[])[]) => string {
  const { delimiter } = options;
  const eol = options.lineEnding === 'crlf' ? '\r\n' : '\n';
  const special = new RegExp(`["\r\n${delimiter.replace(/[\\^\]-]/g, '\\$&')}]`);
  const cell = (value: string) => (special.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return (rows) => {
    const lines: string[] = [];
    for (const row of rows)
      lines.push(
        row.some((value) => special.test(value)) ? row.map(cell).join(delimiter) : row.join(delimiter),
      );
    return lines.length ? lines.join(eol) + eol : '';
  };
}
