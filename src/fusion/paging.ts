import { FusionError } from './errors';
import { instantOf } from './fields';

// Keyset paging over LastUpdateDate at the precision the pod serves, never by equality.
//
// A pod stamps rows with milliseconds (`…T10:00:00.123+00:00`), and some serve their stamps more
// coarsely than they store them (`…T10:00:00+00:00` for a row stored at .123). A served value t
// therefore stands for the interval [t, t + one unit of its precision), and `= t` may match
// nothing. So a page is cut before the served interval of its last row: rows of earlier
// intervals are final, the rows of that last interval are read again by the next request
// (`LastUpdateDate >= start`). A page that lies wholly inside one interval (a bulk import that
// stamped hundreds of parents alike) is read by key inside that interval (`>= start and < end`,
// ordered by key alone, `key > last`), then paging goes on from the interval's end. Every step
// moves strictly forward; a server answer that does not (rows out of order, repeated keys) is an
// error naming the request, never a loop.

/** A LastUpdateDate as served: the instant in nanoseconds and the fraction digits it carried. */
export interface ServedStamp {
  epochNs: bigint;
  fractionDigits: number;
}

const NS_PER_SECOND = 1_000_000_000n;

/** An RFC 3339 instant with a zone, checked as a real calendar instant; null when it is not one. */
export function parseServedStamp(text: unknown): ServedStamp | null {
  return instantOf(text);
}

/** One unit of a served precision, in nanoseconds (1 s for whole seconds, 1 ms for .SSS). */
export function unitNs(fractionDigits: number): bigint {
  return 10n ** BigInt(9 - fractionDigits);
}

/**
 * A `q` literal for an instant in UTC, with as many fraction digits as given: whole seconds as
 * `…T10:00:00Z`, fractions as `…T10:00:00.123+00:00` — forms the reference lists as accepted.
 */
export function stampLiteral(epochNs: bigint, fractionDigits: number): string {
  const seconds = epochNs / NS_PER_SECOND;
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  if (fractionDigits === 0) return `${base}Z`;
  const fraction = (epochNs % NS_PER_SECOND).toString().padStart(9, '0').slice(0, fractionDigits);
  return `${base}.${fraction}+00:00`;
}

/** A window bound (RFC 3339, from the workflow) as a `q` literal: milliseconds only when it has them. */
export function queryInstant(iso: string): string {
  const stamp = parseServedStamp(iso);
  if (!stamp) throw new RangeError(`Not an RFC 3339 instant with a zone: ${JSON.stringify(iso)}`);
  const digits = stamp.epochNs % NS_PER_SECOND === 0n ? 0 : 3;
  return stampLiteral(stamp.epochNs, digits);
}

/** A served interval [start, start + unit), as its start and its precision. */
export interface StampInterval {
  startNs: bigint;
  fractionDigits: number;
}

export type KeysetPosition =
  /** Rows at or after `from` (none: from the start of the window), in (LastUpdateDate, key) order. */
  | { phase: 'stamps'; from: StampInterval | null }
  /** Rows inside one served interval, by key alone, after `afterKey`. */
  | { phase: 'tie'; interval: StampInterval; afterKey: bigint | null };

export const START_OF_WINDOW: KeysetPosition = { phase: 'stamps', from: null };

function intervalEnd(interval: StampInterval): StampInterval {
  return {
    startNs: interval.startNs + unitNs(interval.fractionDigits),
    fractionDigits: interval.fractionDigits,
  };
}

/** The q and orderBy of the page at a position. */
export function keysetRequest(
  filter: string,
  key: string,
  position: KeysetPosition,
): { q: string; orderBy: string } {
  if (position.phase === 'stamps') {
    const { from } = position;
    return {
      q: from
        ? `(${filter}) and LastUpdateDate >= '${stampLiteral(from.startNs, from.fractionDigits)}'`
        : filter,
      orderBy: `LastUpdateDate:asc,${key}:asc`,
    };
  }
  const { interval, afterKey } = position;
  const end = intervalEnd(interval);
  const inside =
    `LastUpdateDate >= '${stampLiteral(interval.startNs, interval.fractionDigits)}' and ` +
    `LastUpdateDate < '${stampLiteral(end.startNs, end.fractionDigits)}'`;
  return {
    q: `(${filter}) and ${inside}${afterKey === null ? '' : ` and ${key} > ${afterKey}`}`,
    orderBy: `${key}:asc`,
  };
}

export interface PageStep {
  /** The leading rows of the page that are final (the rest are read again). */
  final: number;
  /** Where the next page starts; null when the window is read. */
  next: KeysetPosition | null;
}

function unusable(request: string, reason: string): FusionError {
  // The same request would get the same answer: not retried (a loop by other means).
  return new FusionError(
    'bad-response',
    `${request}: ${reason}; paging stopped so it cannot loop`,
    undefined,
    undefined,
    {
      permanent: true,
    },
  );
}

/**
 * Given a page at `position`, how many of its rows are final and where the next page starts.
 * Pure; throws a FusionError naming `request` when the answer would not move paging forward.
 */
export function nextPosition(
  key: string,
  position: KeysetPosition,
  items: Record<string, unknown>[],
  hasMore: boolean,
  request: string,
): PageStep {
  if (position.phase === 'tie') return nextInInterval(key, position, items, hasMore, request);
  if (items.length === 0 || !hasMore) return { final: items.length, next: null };
  const stamps = items.map((item) => parseServedStamp(item.LastUpdateDate));
  let previous = position.from?.startNs ?? null;
  let coarsest = 9;
  for (const stamp of stamps) {
    if (!stamp) continue;
    if (previous !== null && stamp.epochNs < previous) {
      throw unusable(request, 'rows are not in LastUpdateDate order after the cursor');
    }
    previous = stamp.epochNs;
    coarsest = Math.min(coarsest, stamp.fractionDigits);
  }
  if (previous === null || stamps.every((s) => !s)) {
    throw unusable(request, `no row of the page (${items.length}) has a usable LastUpdateDate`);
  }
  // The last row's served interval, at the coarsest precision the page shows.
  const unit = unitNs(coarsest);
  const interval: StampInterval = { startNs: previous - (previous % unit), fractionDigits: coarsest };
  const cut = stamps.findIndex((s) => s !== null && s.epochNs >= interval.startNs);
  if (cut > 0) {
    if (position.from && interval.startNs <= position.from.startNs) {
      throw unusable(request, 'the page does not advance past the cursor');
    }
    return { final: cut, next: { phase: 'stamps', from: interval } };
  }
  // The whole page lies in one served interval: read that interval by key.
  return { final: 0, next: { phase: 'tie', interval, afterKey: null } };
}

function nextInInterval(
  key: string,
  position: Extract<KeysetPosition, { phase: 'tie' }>,
  items: Record<string, unknown>[],
  hasMore: boolean,
  request: string,
): PageStep {
  const { interval } = position;
  const end = intervalEnd(interval).startNs;
  let last = position.afterKey;
  for (const item of items) {
    const raw = item[key];
    const text = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
    if (!/^\d{1,30}$/.test(text))
      throw unusable(request, `a row has no usable ${key} (${JSON.stringify(raw)})`);
    const value = BigInt(text);
    if (last !== null && value <= last) {
      throw unusable(
        request,
        `${key} ${value} does not follow ${last}: the server repeats rows or ignores the query`,
      );
    }
    const stamp = parseServedStamp(item.LastUpdateDate);
    if (stamp && (stamp.epochNs < interval.startNs || stamp.epochNs >= end)) {
      throw unusable(request, `${key} ${value} lies outside the LastUpdateDate interval asked for`);
    }
    last = value;
  }
  if (items.length === 0 || !hasMore) {
    return { final: items.length, next: { phase: 'stamps', from: intervalEnd(interval) } };
  }
  return { final: items.length, next: { phase: 'tie', interval, afterKey: last } };
}
