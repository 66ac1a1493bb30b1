import { Decimal } from 'decimal.js';
import { CANONICAL_DECIMAL, MAX_AMOUNT_DIGITS, RecordFieldError } from '../shared/records';

// Field readers for mapping Fusion rows to typed records. Each names the record and the field
// when a value is missing or malformed, so a bad row is quarantined with a useful reason. Every
// value is checked before anything is built from it: no input can allocate without bound, throw
// anything but a RecordFieldError, or roll over into a different value.

export type Raw = Record<string, unknown>;

export { MAX_AMOUNT_DIGITS };

/**
 * Exponent notation: Fusion writes plain decimals, but a Java BigDecimal serialised with
 * toString() can come out as `1E+3` or `5E-7`; an exponent is accepted only while the plain value
 * stays within MAX_AMOUNT_DIGITS, which bounds it to ±38 before any Decimal is built.
 */
const MAX_EXPONENT = MAX_AMOUNT_DIGITS;
/** IDs are NUMBER(18) in Fusion; 38 digits (NUMBER's limit) leaves room and still bounds the text. */
export const MAX_ID_DIGITS = 38;
/** Oracle VARCHAR2's limit (4,000 bytes); no Fusion text attribute is longer. */
export const MAX_TEXT_LENGTH = 4000;

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
// A date field may carry a time (some resources send a date-time where a date is documented).
const DAY_WITH_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/;
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;
// C0 controls and DEL, tab / LF / CR aside (multi-line descriptions are real; CSV quotes them and
// the fixed-width and X12 writers refuse or replace them with their own reasons). NUL and the rest
// are never in Fusion text, break fixed-width and X12 files, and Postgres cannot store NUL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A value for an error message: short, quoted, never the whole of a hostile string. */
export function shown(v: unknown): string {
  const s = typeof v === 'string' ? v : String(v);
  return s.length > 40 ? `${JSON.stringify(s.slice(0, 40))}… (${s.length} characters)` : JSON.stringify(s);
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real calendar day: month 1–12, day within that month (Feb 29 only in leap years), year ≥ 1. */
export function isRealDay(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= (month === 2 && isLeap(year) ? 29 : DAYS[month - 1]!);
}

const MIN_INSTANT = -62_135_596_800_000; // 0001-01-01T00:00:00.000Z
const MAX_INSTANT = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

const isClock = (h: number, m: number, s: number) => h <= 23 && m <= 59 && s <= 59;

/**
 * An RFC 3339 instant with a zone → `yyyy-MM-ddTHH:mm:ss.sssZ`, or null when it is not one: the
 * whole string must match, the day must exist, the clock must be 00:00:00–23:59:59 (no leap
 * second, no 24:00) and the offset at most ±23:59 — nothing is left for `Date` to roll over.
 * Digits below the millisecond are truncated, never rounded: truncation keeps the order of any
 * two instants (a < b stays a ≤ b) and never moves one into another second, so whole-second
 * change windows and watermarks see the same instant Fusion meant; two versions that differ only
 * below the millisecond are still told apart by the ledger's content digest.
 */
export function parseInstant(v: string): string | null {
  const known = instantCache.get(v);
  if (known !== undefined) return known;
  const instant = instantOf(v);
  const iso = instant ? new Date(Number(instant.epochNs / 1_000_000n)).toISOString() : null;
  if (v.length <= 64) {
    if (instantCache.size >= INSTANT_CACHE_SIZE) instantCache.clear();
    instantCache.set(v, iso);
  }
  return iso;
}

/**
 * The last few thousand stamps read: a page repeats the same few (a batch's lines, a bulk import
 * sharing one stamp), and reading one is a regular expression, a calendar check and BigInt work.
 */
const instantCache = new Map<string, string | null>();
const INSTANT_CACHE_SIZE = 4096;

/**
 * The one reading of an RFC 3339 instant (the rules above): its instant in nanoseconds since the
 * epoch and the fraction digits it was written with (the keyset cursor pages at that precision),
 * or null when it is not a real instant with a zone in years 0001–9999.
 */
export function instantOf(v: unknown): { epochNs: bigint; fractionDigits: number } | null {
  if (typeof v !== 'string') return null;
  const m = INSTANT.exec(v);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (!isRealDay(y, mo, d) || !isClock(h, mi, s)) return null;
  const fraction = m[7] ?? '';
  let offset = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // not Date.UTC: it maps years 0–99 to 1900–1999
  date.setUTCHours(h, mi, s, 0);
  const t = date.getTime() - offset;
  // Stay within years 0001–9999 in UTC (an offset can push a day over), so the result keeps the
  // fixed `yyyy-` form versions are compared in.
  if (t < MIN_INSTANT || t > MAX_INSTANT - 999) return null;
  return {
    epochNs: BigInt(t) * 1_000_000n + BigInt(fraction.padEnd(9, '0')),
    fractionDigits: fraction.length,
  };
}

/**
 * A decimal string in plain notation (`-12.50` → `-12.5`), or a problem text. Length and exponent
 * are checked on the text first, so `1e9000000000000000` never reaches decimal.js (whose toFixed
 * would build a string of that many digits and exhaust the heap).
 */
export function plainDecimal(v: string): { value: string } | { problem: string } {
  const m = DECIMAL.exec(v);
  if (!m) return { problem: `is not a decimal number: ${shown(v)}` };
  const [, , int = '', frac = '', exp] = m;
  const significant = int.replace(/^0+/, '').length + frac.length;
  if (significant > MAX_AMOUNT_DIGITS)
    return { problem: `has more than ${MAX_AMOUNT_DIGITS} digits: ${shown(v)}` };
  // The exponent's text is bounded first: Number() of a 10 MB digit string is not needed.
  if (exp !== undefined && (exp.replace(/^[+-]?0*/, '').length > 3 || Math.abs(Number(exp)) > MAX_EXPONENT)) {
    return { problem: `has an exponent beyond ±${MAX_EXPONENT}: ${shown(v)}` };
  }
  const value = CANONICAL_DECIMAL.test(v) ? v : new Decimal(v).toFixed();
  const digits = value.replace(/^-/, '').replace('.', '').replace(/^0+/, '').length;
  if (digits > MAX_AMOUNT_DIGITS)
    return { problem: `has more than ${MAX_AMOUNT_DIGITS} digits: ${shown(v)}` };
  return { value };
}

export class FieldReader {
  constructor(
    readonly recordId: string,
    /** Prefix for field names in errors, e.g. `invoiceLines[2].` */
    private readonly path = '',
  ) {}

  at(path: string): FieldReader {
    return new FieldReader(this.recordId, `${this.path}${path}`);
  }

  fail(field: string, reason: string): never {
    throw new RecordFieldError(this.recordId, `${this.path}${field}`, reason);
  }

  /**
   * A text value: a string (the lossless parser turns numbers into strings; a boolean is written
   * as `true`/`false`), at most MAX_TEXT_LENGTH characters, well-formed, without U+FFFD (what a
   * UTF-8 decoder makes of invalid bytes: the text is already damaged) or control characters.
   */
  text(row: Raw, field: string): string | null {
    const v = row[field];
    if (v === null || v === undefined) return null;
    if (typeof v === 'boolean' || typeof v === 'number') return String(v);
    if (typeof v !== 'string') this.fail(field, `is not text (${Array.isArray(v) ? 'a list' : typeof v})`);
    if (v.length > MAX_TEXT_LENGTH) {
      this.fail(field, `is longer than ${MAX_TEXT_LENGTH} characters (${v.length})`);
    }
    if (v.includes('\uFFFD')) this.fail(field, 'invalid UTF-8 (U+FFFD)');
    if (LONE_SURROGATE.test(v)) this.fail(field, 'has an unpaired UTF-16 surrogate');
    const control = CONTROL.exec(v);
    if (control) {
      const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      this.fail(field, `has a control character (U+${code}) at position ${control.index}`);
    }
    return v;
  }

  required(row: Raw, field: string): string {
    const v = this.text(row, field);
    if (v === null || v.trim() === '') this.fail(field, 'is missing');
    return v;
  }

  id(row: Raw, field: string): string {
    const v = this.required(row, field);
    if (!/^\d+$/.test(v)) this.fail(field, `is not an integer ID: ${shown(v)}`);
    if (v.length > MAX_ID_DIGITS) this.fail(field, `is an ID longer than ${MAX_ID_DIGITS} digits`);
    return v;
  }

  integer(row: Raw, field: string): number {
    const v = this.required(row, field);
    // Plain digits only: Number() would also take `1e3`, ` 12 `, `0x10` and `1.0`.
    if (!/^-?\d{1,16}$/.test(v) || !Number.isSafeInteger(Number(v))) {
      this.fail(field, `is not an integer: ${shown(v)}`);
    }
    return Number(v);
  }

  amount(row: Raw, field: string): string | null {
    const v = this.text(row, field);
    if (v === null) return null;
    const parsed = plainDecimal(v);
    if ('problem' in parsed) this.fail(field, parsed.problem);
    return parsed.value;
  }

  requiredAmount(row: Raw, field: string): string {
    const v = this.amount(row, field);
    if (v === null) this.fail(field, 'is missing');
    return v;
  }

  /** `yyyy-MM-dd`, a real day; a date-time is accepted whole and valid, and its date part kept. */
  date(row: Raw, field: string): string | null {
    const v = this.text(row, field);
    if (v === null) return null;
    let day = v;
    if (v.length > 10) {
      const t = DAY_WITH_TIME.exec(v);
      const offset = t?.[5];
      const offsetOk =
        !offset || offset === 'Z' || (Number(offset.slice(1, 3)) <= 23 && Number(offset.slice(4)) <= 59);
      if (!t || !isClock(Number(t[2]), Number(t[3]), Number(t[4])) || !offsetOk) {
        this.fail(field, `is not a yyyy-MM-dd date: ${shown(v)}`);
      }
      day = t[1]!;
    }
    const d = DAY.exec(day);
    if (!d) this.fail(field, `is not a yyyy-MM-dd date: ${shown(v)}`);
    if (!isRealDay(Number(d[1]), Number(d[2]), Number(d[3]))) {
      this.fail(field, `is not a real calendar day: ${shown(v)}`);
    }
    return day;
  }

  requiredDate(row: Raw, field: string): string {
    const v = this.date(row, field);
    if (v === null) this.fail(field, 'is missing');
    return v;
  }

  currency(row: Raw, field: string): string {
    const v = this.required(row, field);
    if (!/^[A-Z]{3}$/.test(v)) this.fail(field, `is not an ISO 4217 code: ${shown(v)}`);
    return v;
  }

  /** An ISO 4217 code, or null when absent. */
  optionalCurrency(row: Raw, field: string): string | null {
    const v = this.text(row, field);
    return v === null ? null : this.currency(row, field);
  }

  flag(row: Raw, field: string): boolean | null {
    const v = row[field];
    if (v === null || v === undefined) return null;
    if (v === true || v === 'true' || v === 'Y') return true;
    if (v === false || v === 'false' || v === 'N') return false;
    return this.fail(field, `is not a boolean: ${shown(v)}`);
  }

  /** RFC 3339 with an explicit offset → `…Z` (UTC, milliseconds); see parseInstant. */
  instant(row: Raw, field: string): string {
    const v = this.required(row, field);
    const iso = parseInstant(v);
    if (iso === null)
      this.fail(field, `is not a timestamp with a time zone (RFC 3339, a real instant): ${shown(v)}`);
    return iso;
  }

  /** A child collection: a list of rows (objects), or none. */
  rows(row: Raw, child: string): Raw[] {
    const v = row[child];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(child, 'is not a list of rows');
    const bad = v.findIndex((r) => r === null || typeof r !== 'object' || Array.isArray(r));
    if (bad >= 0) this.fail(`${child}[${bad}]`, 'is not a row');
    return v as Raw[];
  }
}

/** The latest LastUpdateDate in a document (parent and every descendant), as the record's version. */
export function latestUpdate(reader: FieldReader, doc: Raw, children: string[][]): string {
  let latest = reader.instant(doc, 'LastUpdateDate');
  const visit = (r: FieldReader, row: Raw, path: string[]) => {
    const [head, ...rest] = path;
    if (!head) return;
    r.rows(row, head).forEach((child, i) => {
      const at = r.at(`${head}[${i}].`);
      // A child without a stamp does not change the version; a malformed one is an error.
      if (child.LastUpdateDate !== undefined && child.LastUpdateDate !== null) {
        const iso = at.instant(child, 'LastUpdateDate');
        if (iso > latest) latest = iso;
      }
      visit(at, child, rest);
    });
  };
  for (const path of children) visit(reader, doc, path);
  return latest;
}
