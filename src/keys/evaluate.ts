import type { ConfigFile, IntegrationConfig, KeyHygieneConfig } from '../config';
import type { KeyHygieneItem, KeyHygieneStatus } from '../ledger';

// The pure part of key hygiene: given dates and thresholds, how an item stands (ok, warn, expired)
// and how many days it has left. No clock of its own: `now` is always passed in.

export type KeyHygieneThresholds = Required<KeyHygieneConfig>;

export const DEFAULT_KEY_HYGIENE: KeyHygieneThresholds = {
  warnDaysBeforeExpiry: 30,
  credentialMaxAgeDays: 90,
  hostKeyConfirmMaxAgeDays: 30,
};

/** The integration's thresholds: its own keys, else the top-level ones, else the defaults. */
export function keyHygieneThresholds(
  config: Pick<ConfigFile, 'keyHygiene'>,
  integration: Pick<IntegrationConfig, 'keyHygiene'>,
): KeyHygieneThresholds {
  return { ...DEFAULT_KEY_HYGIENE, ...config.keyHygiene, ...integration.keyHygiene };
}

const DAY_MS = 86_400_000;

/** Whole days from `now` to `at`, rounded (negative: `at` is past). The ledger rounds the same way. */
export function daysUntil(at: Date | string, now: Date): number {
  return Math.round((new Date(at).getTime() - now.getTime()) / DAY_MS);
}

/** `2026-12-12` (UTC): the day, which is what matters for an expiry weeks away. */
export function day(at: string): string {
  return at.slice(0, 10);
}

function inDays(days: number): string {
  if (days === 0) return 'today';
  if (days > 0) return `in ${days} day${days === 1 ? '' : 's'}`;
  return `${-days} day${days === -1 ? '' : 's'} ago`;
}

export interface Evaluation {
  status: KeyHygieneStatus;
  dueAt: string | null;
  daysLeft: number | null;
  detail: string;
}

/**
 * An expiry: expired once it is past, warn within `warnDays` of it, ok before; a key that never
 * expires is ok.
 */
export function evaluateExpiry(expiresAt: string | null, now: Date, warnDays: number): Evaluation {
  if (expiresAt === null) return { status: 'ok', dueAt: null, daysLeft: null, detail: 'does not expire' };
  const left = new Date(expiresAt).getTime() - now.getTime();
  const daysLeft = daysUntil(expiresAt, now);
  if (left <= 0) {
    return {
      status: 'expired',
      dueAt: expiresAt,
      daysLeft,
      detail: `expired ${day(expiresAt)} (${inDays(daysLeft)})`,
    };
  }
  return {
    status: left <= warnDays * DAY_MS ? 'warn' : 'ok',
    dueAt: expiresAt,
    daysLeft,
    detail: `expires ${day(expiresAt)} (${inDays(daysLeft)})`,
  };
}

/**
 * An age: `since` is when a value was set or a pin last confirmed; warn once it is older than
 * `maxDays` (it still works, but it is stale). Unknown when there is no date.
 */
export function evaluateAge(
  since: string | null,
  now: Date,
  maxDays: number,
  words: { done: string; never: string },
): Evaluation {
  if (since === null) return { status: 'unknown', dueAt: null, daysLeft: null, detail: words.never };
  const dueAt = new Date(new Date(since).getTime() + maxDays * DAY_MS).toISOString();
  const age = -daysUntil(since, now);
  const daysLeft = daysUntil(dueAt, now);
  const ago = age <= 0 ? 'today' : `${age} day${age === 1 ? '' : 's'} ago`;
  const stale = now.getTime() >= Date.parse(dueAt);
  return {
    status: stale ? 'warn' : 'ok',
    dueAt,
    daysLeft,
    detail: `${words.done} ${ago} (${day(since)}); ${stale ? 'older than' : 'within'} ${maxDays} days`,
  };
}

/** Items an alert is for: any that is not ok (an unknown one has nothing to warn of yet). */
export function needsAttention(item: Pick<KeyHygieneItem, 'status'>): boolean {
  return item.status === 'warn' || item.status === 'expired';
}

/** The worst status of a list: expired, warn, unknown, ok. */
export function worstStatus(items: readonly Pick<KeyHygieneItem, 'status'>[]): KeyHygieneStatus {
  for (const status of ['expired', 'warn', 'unknown'] as const) {
    if (items.some((i) => i.status === status)) return status;
  }
  return 'ok';
}
