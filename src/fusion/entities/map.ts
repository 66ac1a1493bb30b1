import { RecordFieldError } from '../../shared/records';
import type { Raw } from '../documents';
import type { Extracted } from './types';

/** Runs a mapper; a field error becomes a quarantine entry carrying the raw row, without links. */
export function mapOne<R>(recordId: string, version: string, raw: Raw, map: () => R): Extracted<R> {
  try {
    return { ok: true, record: map() };
  } catch (err) {
    if (!(err instanceof RecordFieldError)) throw err;
    return { ok: false, recordId, version, error: err, raw: withoutLinks(raw) };
  }
}

export function withoutLinks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLinks);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Raw)
        .filter(([k]) => k !== 'links')
        .map(([k, v]) => [k, withoutLinks(v)]),
    );
  }
  return value;
}
