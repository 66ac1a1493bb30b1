import { RecordFieldError } from '../shared/records';

// Dates arrive as `yyyy-MM-dd` (or an RFC 3339 UTC timestamp, whose date part is used) and leave in
// the pattern a layout asks for. Only yyyy, yy, MM and dd and separator characters are understood,
// so a typo in a pattern is a layout error rather than a silently odd file.

const TOKEN = /yyyy|yy|MM|dd/g;
const SEPARATORS = /^[-/. _]*$/;

/** A problem with a date pattern, or null when it can be used. */
export function datePatternProblem(pattern: string): string | null {
  const rest = pattern.replace(TOKEN, '');
  if (!SEPARATORS.test(rest))
    return `date format "${pattern}" may only use yyyy, yy, MM, dd and - / . _ space`;
  if (!/yy/.test(pattern) || !/MM/.test(pattern) || !/dd/.test(pattern))
    return `date format "${pattern}" needs a year, MM and dd`;
  return null;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(T.*Z)?$/;

/** Year, month, day of a `yyyy-MM-dd` (or `…T…Z`) value, checked against the calendar. */
export function parseIsoDate(
  value: string,
  recordId: string,
  field: string,
): { year: number; month: number; day: number } {
  const m = ISO_DATE.exec(value);
  if (!m) throw new RecordFieldError(recordId, field, `"${value}" is not a yyyy-MM-dd date`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (days === undefined || day < 1 || day > days) {
    throw new RecordFieldError(recordId, field, `"${value}" is not a calendar date`);
  }
  return { year, month, day };
}

/** `2026-10-01` in `MM/dd/yyyy` → `10/01/2026`. */
export function formatDate(value: string, pattern: string, recordId: string, field: string): string {
  const { year, month, day } = parseIsoDate(value, recordId, field);
  const yyyy = String(year).padStart(4, '0');
  const parts: Record<string, string> = {
    yyyy,
    yy: yyyy.slice(2),
    MM: String(month).padStart(2, '0'),
    dd: String(day).padStart(2, '0'),
  };
  return pattern.replace(TOKEN, (token) => parts[token]!);
}
