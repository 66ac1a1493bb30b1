import { stringify } from 'csv-stringify/sync';

// Audit rows as files people and tools open: CSV (RFC 4180) and JSON. Values are written as they
// are — no formula escaping, no rounding — because an audit extract is evidence and must match
// the ledger exactly.

/** Any plain object: the audit row interfaces, or ad-hoc records. */
type Row = object;

/** Column names in order of first appearance, so rows with optional keys still line up. */
function columnsOf(rows: readonly Row[]): string[] {
  const columns = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) columns.add(key);
  return [...columns];
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString(); // RFC 3339, UTC, with Z
  if (typeof value === 'string') return value;
  // csv-stringify would write true as 1 and false as an empty cell: say what it is.
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value);
}

/**
 * RFC 4180 CSV: a header row from the rows' keys (or `columns`, which also gives an empty
 * extract its header), CRLF line ends, fields with a comma, quote, CR or LF quoted, quotes doubled.
 */
export function toCsv(rows: readonly Row[], columns: readonly string[] = columnsOf(rows)): string {
  if (columns.length === 0) return '';
  // Arrays, not objects: csv-stringify would read a dotted key ("line.amount") as a nested path.
  const records = [
    [...columns],
    ...rows.map((row) => columns.map((c) => cell((row as Record<string, unknown>)[c]))),
  ];
  // csv-stringify quotes only the full CRLF delimiter; a lone CR or LF must be quoted too (as in
  // src/formats/csv), and leading or trailing spaces, so no reader mistakes them for padding.
  return stringify(records, { record_delimiter: 'windows', quoted_match: /[\r\n]|^\s|\s$/ });
}

/** JSON array, two-space indented, newline-terminated; dates as RFC 3339 with Z, bigints as strings. */
export function toJson(rows: readonly Row[]): string {
  return `${JSON.stringify(rows, (_key, value) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`;
}
