import { setTimeout as sleep } from 'node:timers/promises';
import { FusionError } from './errors';

// Bounded in-call retries of an idempotent request that was throttled (429) or met a passing
// fault (502/503/504, timeout, reset): honours Retry-After, else exponential backoff with jitter.
// Longer outages are Temporal's to retry, with its own backoff, across worker restarts.

export interface TransientRetryPolicy {
  retries: number;
  /** A longer Retry-After is not waited for here: the error goes up with it (nextRetryDelay). */
  maxWaitSeconds: number;
}

export const DEFAULT_TRANSIENT_RETRY: TransientRetryPolicy = { retries: 3, maxWaitSeconds: 30 };

export async function retryTransient<T>(
  work: () => Promise<T>,
  policy = DEFAULT_TRANSIENT_RETRY,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof FusionError) || !err.retryable || attempt >= policy.retries) throw err;
      if (err.retryAfterSeconds !== undefined && err.retryAfterSeconds > policy.maxWaitSeconds) throw err;
      const backoff = Math.min(policy.maxWaitSeconds, 2 ** attempt) * (0.5 + Math.random() / 2);
      await sleep((err.retryAfterSeconds ?? backoff) * 1000);
    }
  }
}
