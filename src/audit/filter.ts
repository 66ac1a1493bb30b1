// Filters shared by the audit queries: a half-open time range [from, to) and a row limit, checked
// before they reach the ledger's SQL so a typo is a clear error rather than a Postgres one or a
// silent guess.

export class AuditFilterError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'AuditFilterError';
  }
}

export interface TimeRange {
  /** RFC 3339 (`2026-11-01T00:00:00Z`, `…+01:00`) or a date (`2026-11-01`, midnight UTC). Inclusive. */
  from?: string;
  /** Same forms as `from`. Exclusive, so consecutive periods never count a row twice. */
  to?: string;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// A zone is required: a timestamp without one would be read in the database session's zone.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** The instant as Postgres should read it (`timestamptz`), or an AuditFilterError. */
export function parseInstant(value: string, name: string): string {
  const text = value.trim().toUpperCase();
  const candidate = DATE_ONLY.test(text) ? `${text}T00:00:00Z` : `${text.slice(0, 10)}T${text.slice(11)}`;
  if (!DATE_TIME.test(candidate) || !isCalendarDate(candidate) || Number.isNaN(Date.parse(candidate))) {
    throw new AuditFilterError(
      `${name}: "${value}" is not an RFC 3339 time with a zone (e.g. 2026-11-01T00:00:00Z) or a date (2026-11-01)`,
    );
  }
  return candidate;
}

/** Date.parse rolls 2026-02-30 over to March; a typo must not move the range. */
function isCalendarDate(text: string): boolean {
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function parseRange(range: TimeRange): { from: string | null; to: string | null } {
  const from = range.from === undefined ? null : parseInstant(range.from, 'from');
  const to = range.to === undefined ? null : parseInstant(range.to, 'to');
  if (from !== null && to !== null && Date.parse(from) > Date.parse(to)) {
    throw new AuditFilterError(`from (${range.from}) is after to (${range.to})`);
  }
  return { from, to };
}

/** No limit means every matching row: an audit export must not be cut short silently. */
export function parseLimit(limit: number | undefined): number | null {
  if (limit === undefined) return null;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new AuditFilterError(`limit: ${limit} is not a positive whole number`);
  }
  return limit;
}
