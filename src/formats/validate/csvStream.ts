import { type Parser, parse } from 'csv-parse';
import { type ValidationResult, validationResult } from './result';

// The pre-upload CSV check for files too large to hold in memory: the rendered text is fed in as
// it is produced and re-parsed by an independent parser (csv-parse), row by row.

export interface CsvStreamExpectation {
  delimiter: string;
  bom: boolean;
  headerRows: string[][];
  /** Columns per row: one number, or per record type by the row's first cell. */
  columns: number | Record<string, number>;
}

export interface CsvStreamValidator {
  /** A promise when the check wants the writer to wait (a check on its own thread, behind). */
  push(text: string): void | Promise<void>;
  /** `dataRows`: how many data rows the writer says it wrote. */
  finish(dataRows: number): Promise<ValidationResult>;
  /** Ends a check that will not get to finish (the render failed): a thread, if it has one. */
  abandon?(): void;
}

export function csvStreamValidator(expected: CsvStreamExpectation): CsvStreamValidator {
  const problems: string[] = [];
  let rows = 0;
  let first = true;
  const parser: Parser = parse({ delimiter: expected.delimiter, bom: false, relax_column_count: true });
  parser.on('error', (err) => problems.push(`not parseable as CSV: ${err.message}`));
  const drain = () => {
    for (let row: string[] | null = parser.read(); row !== null; row = parser.read()) {
      const index = rows++;
      if (index < expected.headerRows.length) {
        if (JSON.stringify(row) !== JSON.stringify(expected.headerRows[index])) {
          problems.push(`header row ${index + 1} is not the configured header`);
        }
        continue;
      }
      const want = typeof expected.columns === 'number' ? expected.columns : expected.columns[row[0] ?? ''];
      if (want === undefined)
        problems.push(`row ${index + 1}: unknown record type ${JSON.stringify(row[0])}`);
      else if (row.length !== want)
        problems.push(`row ${index + 1}: ${row.length} columns, expected ${want}`);
    }
  };
  return {
    push(text) {
      if (first) {
        first = false;
        const hasBom = text.startsWith('\uFEFF');
        if (hasBom !== expected.bom)
          problems.push(expected.bom ? 'the byte-order mark is missing' : 'unexpected byte-order mark');
        if (hasBom) text = text.slice(1);
      }
      parser.write(text);
      drain();
    },
    async finish(dataRows) {
      // The parser flushes its last record after end(), on a later tick: read until it ends.
      const ended = new Promise<void>((resolve) => {
        parser.once('end', resolve);
        parser.once('error', () => resolve());
      });
      parser.on('readable', drain);
      parser.end();
      drain();
      await ended;
      const written = rows - Math.min(rows, expected.headerRows.length);
      if (written !== dataRows) problems.push(`${written} data rows parsed, the writer wrote ${dataRows}`);
      return validationResult(problems);
    },
  };
}
