import { AuditFilterError, parseInstant } from '../audit/filter';

// Query parameters of the audit page, checked before anything reaches the ledger: an unknown,
// repeated, malformed or out-of-range parameter is a 400 that says which one and why.

/** A request the page cannot answer as asked: shown with status 400 and this message. */
export class BadRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadRequest';
  }
}

/** Rows on one page, unless `limit` asks for fewer or more (up to MAX_LIMIT). */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;
/** Deep enough for any audit; an offset far past it is a scan, not a question. */
export const MAX_PAGE = 10_000;
/** The longest search text: business numbers are short. */
export const MAX_SEARCH_LENGTH = 200;

/** The query parameters of one request, each allowed at most once, none unknown. */
export class Params {
  private readonly values = new Map<string, string>();

  constructor(search: URLSearchParams, allowed: readonly string[]) {
    for (const [name, value] of search) {
      if (!allowed.includes(name)) {
        throw new BadRequest(
          allowed.length
            ? `Unknown parameter "${name}". This page takes: ${allowed.join(', ')}.`
            : `Unknown parameter "${name}". This page takes no parameters.`,
        );
      }
      if (this.values.has(name)) throw new BadRequest(`Parameter "${name}" is given more than once.`);
      this.values.set(name, value);
    }
  }

  /** The value, trimmed; null when absent or empty. */
  text(name: string): string | null {
    const value = this.values.get(name)?.trim();
    return value ? value : null;
  }

  /** A whole number in [min, max], or `fallback` when absent. */
  integer(name: string, min: number, max: number, fallback: number): number {
    const value = this.text(name);
    if (value === null) return fallback;
    if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new BadRequest(`Parameter "${name}" must be a whole number from ${min} to ${max}.`);
    }
    return Number(value);
  }

  /** One of `choices`, or `fallback` when absent. */
  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const value = this.text(name);
    if (value === null) return fallback;
    if (!(choices as readonly string[]).includes(value)) {
      throw new BadRequest(`Parameter "${name}" must be one of: ${choices.join(', ')}.`);
    }
    return value as T;
  }

  /** An integration ID the page knows (configured or in the ledger's registry), or null. */
  integration(known: ReadonlySet<string>): string | null {
    const value = this.text('integration');
    if (value === null) return null;
    if (!known.has(value)) throw new BadRequest('Parameter "integration" names no known integration.');
    return value;
  }

  /** An instant (RFC 3339 with a zone, or a date: midnight UTC), or null. */
  instant(name: string): string | null {
    const value = this.text(name);
    if (value === null) return null;
    try {
      return parseInstant(value, name);
    } catch (err) {
      if (err instanceof AuditFilterError) {
        throw new BadRequest(
          `Parameter "${name}" must be a date (2026-11-01) or an RFC 3339 time with a zone (2026-11-01T00:00:00Z).`,
        );
      }
      throw err;
    }
  }

  /** The page asked for, as the ledger's limit and offset. */
  page(): { page: number; limit: number; offset: number } {
    const page = this.integer('page', 1, MAX_PAGE, 1);
    const limit = this.integer('limit', 1, MAX_LIMIT, DEFAULT_LIMIT);
    return { page, limit, offset: (page - 1) * limit };
  }

  /** Search text: printable, at most MAX_SEARCH_LENGTH characters; null when absent. */
  search(name: string): string | null {
    const value = this.text(name);
    if (value === null) return null;
    if (value.length > MAX_SEARCH_LENGTH) {
      throw new BadRequest(`Parameter "${name}" is longer than ${MAX_SEARCH_LENGTH} characters.`);
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    if (/[\u0000-\u001f\u007f]/.test(value)) {
      throw new BadRequest(`Parameter "${name}" holds a control character.`);
    }
    return value;
  }
}

/** A file's archive ID from a path segment: digits only (a bigint), else a 404 rather than SQL. */
export function fileIdOf(segment: string): string | null {
  return /^[1-9]\d{0,17}$/.test(segment) ? segment : null;
}
