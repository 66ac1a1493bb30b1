import { setTimeout as sleep } from 'node:timers/promises';

// A few attempts with exponential backoff and jitter, inside one send: an alert should survive a
// brief outage of the chat service or mail relay without the caller having to retry.

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 8_000 };

/** What one failed attempt reports: a safe message, and whether another attempt could help. */
export class AttemptFailed extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    /** The server asked us to wait this long (Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'AttemptFailed';
  }
}

export function backoffMs(policy: RetryPolicy, failedAttempts: number, retryAfterMs = 0): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempts - 1));
  const jittered = exp / 2 + Math.random() * (exp / 2);
  return Math.max(jittered, Math.min(retryAfterMs, 30_000));
}

export type RetryOutcome =
  | { ok: true; attempts: number }
  | { ok: false; attempts: number; last: AttemptFailed };

/** Runs `attempt` until it succeeds, fails for good, or runs out of attempts. Never throws. */
export async function withRetry(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<void>,
): Promise<RetryOutcome> {
  for (let n = 1; ; n++) {
    try {
      await attempt(n);
      return { ok: true, attempts: n };
    } catch (err) {
      // Anything but AttemptFailed is unexpected: not retried, and only its class name is kept,
      // since a library's message or properties may hold what we must not print.
      const last =
        err instanceof AttemptFailed ? err : new AttemptFailed(`unexpected ${(err as Error)?.name}`, false);
      if (!last.retryable || n >= policy.attempts) return { ok: false, attempts: n, last };
      await sleep(backoffMs(policy, n, last.retryAfterMs));
    }
  }
}
