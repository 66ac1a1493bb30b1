import { RecordFieldError } from '../../shared/records';
import type { Raw } from '../documents';
import { parseInstant } from '../fields';
import type { Extracted } from './types';

/**
 * Runs a mapper. Any failure — a field error, or any other error a hostile document provokes —
 * becomes a quarantine entry carrying a bounded copy of the raw row, so one bad record never
 * stops the page it came in.
 */
export function mapOne<R>(recordId: string, version: string, raw: Raw, map: () => R): Extracted<R> {
  try {
    return { ok: true, record: map() };
  } catch (err) {
    return quarantined(recordId, version, asFieldError(recordId, err), raw);
  }
}

/** A quarantine entry; the raw payload is copied bounded (see boundedPayload). */
export function quarantined<R>(
  recordId: string,
  version: string,
  error: RecordFieldError,
  raw: unknown,
): Extracted<R> {
  return { ok: false, recordId: label(recordId), version: label(version), error, raw: boundedPayload(raw) };
}

/** The error as a RecordFieldError: a field error as is, anything else under field `(document)`. */
export function asFieldError(recordId: string, err: unknown): RecordFieldError {
  if (err instanceof RecordFieldError) return err;
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new RecordFieldError(label(recordId), '(document)', `could not be mapped (${safeText(text, 200)})`);
}

/** An ID or version from a hostile document, fit for a log line and a text column. */
export function label(v: unknown): string {
  if (typeof v !== 'string' && typeof v !== 'number') return '?';
  const s = String(v);
  return s.length <= 64 && /^[\w:.+-]+$/.test(s) ? s : '?';
}

/** A row's LastUpdateDate as a quarantine version: the instant it names, or `unknown`. */
export function versionOf(row: unknown): string {
  const v = row && typeof row === 'object' ? (row as Raw).LastUpdateDate : undefined;
  return (typeof v === 'string' && v.length <= 64 && parseInstant(v)) || 'unknown';
}

// Bounds of the raw payload kept with a quarantined record: enough to see what Fusion sent, never
// so much that storing it (JSON.stringify, a jsonb column) can throw or take the worker's memory.
export const PAYLOAD_MAX_DEPTH = 24;
export const PAYLOAD_MAX_STRING = 1000;
export const PAYLOAD_MAX_CHARS = 256 * 1024;
export const PAYLOAD_MAX_ITEMS = 2000;

/**
 * A bounded copy of a raw value, without `links`: nesting cut at PAYLOAD_MAX_DEPTH (so the copy
 * itself recurses at most that deep), strings cut at PAYLOAD_MAX_STRING, at most
 * PAYLOAD_MAX_ITEMS entries per object or list and PAYLOAD_MAX_CHARS of text in all; NUL and
 * unpaired surrogates (which Postgres jsonb refuses) replaced by U+FFFD.
 */
export function boundedPayload(value: unknown): unknown {
  let budget = PAYLOAD_MAX_CHARS;
  const text = (s: string) => {
    const cut = s.length > PAYLOAD_MAX_STRING || s.length > budget;
    const kept = s.slice(0, Math.max(0, Math.min(PAYLOAD_MAX_STRING, budget)));
    budget -= kept.length;
    return cut ? `${clean(kept)}…[${s.length} characters, cut]` : clean(kept);
  };
  const copy = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return text(v);
    if (v === null || typeof v === 'boolean' || typeof v === 'number') return v;
    if (typeof v !== 'object') return String(v);
    if (depth >= PAYLOAD_MAX_DEPTH) return `[nested deeper than ${PAYLOAD_MAX_DEPTH} levels, cut]`;
    if (budget <= 0) return '[cut]';
    if (Array.isArray(v)) {
      const out = v.slice(0, PAYLOAD_MAX_ITEMS).map((x) => copy(x, depth + 1));
      if (v.length > PAYLOAD_MAX_ITEMS) out.push(`[${v.length - PAYLOAD_MAX_ITEMS} more items, cut]`);
      return out;
    }
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const k in v) {
      if (!Object.hasOwn(v, k) || k === 'links') continue;
      if (++n > PAYLOAD_MAX_ITEMS || budget <= 0) {
        out['…'] = '[more fields, cut]';
        break;
      }
      out[text(k)] = copy((v as Raw)[k], depth + 1);
    }
    return out;
  };
  return copy(value, 0);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what Postgres refuses
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const clean = (s: string) => s.replace(UNSTORABLE, '\uFFFD');

/** Text from a hostile source for a text column: cut, NUL and unpaired surrogates replaced. */
export function safeText(s: string, max: number): string {
  return clean(s.length > max ? `${s.slice(0, max)}…` : s);
}
