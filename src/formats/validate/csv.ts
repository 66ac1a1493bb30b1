import { parse } from 'csv-parse/sync';
import { type ValidationResult, validationResult } from './result';

// Re-reads a rendered CSV with an independent parser (csv-parse) before upload: encoding, BOM,
// line endings, header rows, data row count and the number of columns in every row.
// Note: csv-parse is a devDependency today; this module needs it at runtime.

export interface CsvExpectation {
  delimiter: string;
  lineEnding: 'crlf' | 'lf';
  bom: boolean;
  /** The header rows exactly as written ([] when the file has none). */
  headerRows: string[][];
  /** Data rows written (all record types together). */
  dataRows: number;
  /** Columns per row: one number, or per record type by the row's first cell (`{ H: 8, L: 6 }`). */
  columns: number | Record<string, number>;
}

export function validateCsv(bytes: Uint8Array | string, expected: CsvExpectation): ValidationResult {
  const problems: string[] = [];
  let text: string;
  if (typeof bytes === 'string') text = bytes;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      return validationResult(['the file is not valid UTF-8']);
    }
  }
  const hasBom = text.startsWith('\uFEFF');
  if (hasBom !== expected.bom)
    problems.push(expected.bom ? 'the UTF-8 BOM is missing' : 'unexpected UTF-8 BOM');
  if (hasBom) text = text.slice(1);
  const eol = expected.lineEnding === 'crlf' ? '\r\n' : '\n';
  if (text.length > 0 && !text.endsWith(eol))
    problems.push(`the last row does not end with ${expected.lineEnding.toUpperCase()}`);

  let rows: string[][];
  try {
    rows = parse(text, {
      delimiter: expected.delimiter,
      record_delimiter: eol,
      relax_column_count: true,
      skip_empty_lines: false,
    }) as string[][];
  } catch (err) {
    problems.push(`csv-parse: ${(err as Error).message}`);
    return validationResult(problems);
  }

  const headerCount = expected.headerRows.length;
  expected.headerRows.forEach((want, i) => {
    const got = rows[i];
    if (!got || got.length !== want.length || got.some((cell, j) => cell !== want[j])) {
      problems.push(
        `header row ${i + 1} is ${JSON.stringify(got ?? null)}, expected ${JSON.stringify(want)}`,
      );
    }
  });
  const data = rows.slice(headerCount);
  if (data.length !== expected.dataRows) {
    problems.push(`${data.length} data rows, expected ${expected.dataRows}`);
  }
  data.forEach((row, i) => {
    const line = headerCount + i + 1;
    const want = typeof expected.columns === 'number' ? expected.columns : expected.columns[row[0] ?? ''];
    if (want === undefined) problems.push(`row ${line}: unknown record type ${JSON.stringify(row[0])}`);
    else if (row.length !== want) problems.push(`row ${line}: ${row.length} columns, expected ${want}`);
    // With LF endings a CR can only be inside a quoted value; at the end of a row it is a stray CRLF.
    if (expected.lineEnding === 'lf' && row[row.length - 1]?.endsWith('\r')) {
      problems.push(`row ${line}: ends with CR (CRLF line ending in an LF file)`);
    }
  });
  return validationResult(problems);
}
