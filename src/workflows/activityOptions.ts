import type { Duration } from '@temporalio/common';
import {
  ActivityFailure,
  type ActivityOptions,
  CancelledFailure,
  type LocalActivityOptions,
  proxyActivities,
  proxyLocalActivities,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { NON_RETRYABLE_TYPES } from '../shared/failures';

// Named activity-option presets. The failure types a retry cannot fix come from the one table
// (src/shared/failures.ts) the activities type their failures by.

// Every preset has a schedule-to-close bound: however a server answers (a Retry-After handed to
// Temporal as nextRetryDelay, an outage retried twenty times), an activity gives up within it and
// the integration's one open run fails, alerts and frees the next run. Changing these values is
// replay-safe: activity options are not part of the workflow's command history checks.

/** Quick calls: ten attempts with backoff take ~15 min, one Retry-After (at most 15 min) fits. */
export const QUICK_SCHEDULE_TO_CLOSE = '30m';
/** Alerts: five attempts of two minutes with backoff, and a 15-minute Retry-After. */
export const ALERT_SCHEDULE_TO_CLOSE = '30m';
/** Extraction, rendering, commit: three full two-hour attempts, or many short failed ones. */
export const LONG_SCHEDULE_TO_CLOSE = '6h';

const retry: RetryPolicy = {
  initialInterval: '2s',
  backoffCoefficient: 2,
  maximumInterval: '2m',
  nonRetryableErrorTypes: [...NON_RETRYABLE_TYPES],
};

/**
 * Short calls (settings, lookups, failure records, the token). Their timeout is also how long a
 * call held by a worker that died waits before another worker takes it: keep it short.
 */
export function quickOptions(): ActivityOptions {
  return {
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: QUICK_SCHEDULE_TO_CLOSE,
    retry: { ...retry, maximumAttempts: 10 },
  };
}

/**
 * The same short calls as local activities: the worker that runs the workflow task runs them in
 * it, results recorded as markers, with no activity task and no workflow task round trip each.
 * A worker that dies in one leaves the workflow task to time out (10 s) and another worker runs
 * the call again; retries with a backoff past a minute wait on a workflow timer.
 */
export function localQuickOptions(): LocalActivityOptions {
  const { startToCloseTimeout, scheduleToCloseTimeout, retry } = quickOptions();
  return { startToCloseTimeout, scheduleToCloseTimeout, retry };
}

/** Alerts: a webhook or mail relay may be slow and is retried inside the call; give it longer. */
export function alertOptions(): ActivityOptions {
  return {
    startToCloseTimeout: '2m',
    scheduleToCloseTimeout: ALERT_SCHEDULE_TO_CLOSE,
    retry: { ...retry, maximumAttempts: 5 },
  };
}

/** Extraction, rendering and the commit: long, heartbeating, so a dead worker is noticed fast. */
export function longOptions(heartbeatTimeout: Duration): ActivityOptions {
  return {
    startToCloseTimeout: '2h',
    scheduleToCloseTimeout: LONG_SCHEDULE_TO_CLOSE,
    heartbeatTimeout,
    retry: { ...retry, maximumAttempts: 20 },
  };
}

/** The upload: retried with exponential backoff for the integration's retry window, then it fails. */
export function uploadOptions(heartbeatTimeout: Duration, retryWindowSeconds: number): ActivityOptions {
  return {
    startToCloseTimeout: '1h',
    scheduleToCloseTimeout: `${retryWindowSeconds}s`,
    heartbeatTimeout,
    retry,
  };
}

export function quickActivities() {
  return proxyActivities<Activities>(quickOptions());
}

/**
 * A local activity's failure reaches the workflow as its cause alone (an ApplicationFailure, a
 * TimeoutFailure): wrapped here in an ActivityFailure naming the call, as an activity's failure
 * arrives, so the run's recorded reason and the CLI's `(…, activity integrationSettings, …)` say
 * where it failed either way. Cancellation passes as it is.
 */
function located(activityType: string, err: unknown): unknown {
  if (err instanceof ActivityFailure || err instanceof CancelledFailure || !(err instanceof Error))
    return err;
  return new ActivityFailure(
    `Local activity ${activityType} failed`,
    activityType,
    undefined,
    undefined, // retry state unspecified: the local activity's own retries are not reported
    undefined,
    err,
  );
}

export function localQuickActivities(): ReturnType<typeof proxyLocalActivities<Activities>> {
  const local = proxyLocalActivities<Activities>(localQuickOptions());
  return new Proxy(local, {
    get(target, name, receiver) {
      const call: unknown = Reflect.get(target, name, receiver);
      if (typeof name !== 'string' || typeof call !== 'function') return call;
      return async (...args: unknown[]) => {
        try {
          return await call(...args);
        } catch (err) {
          throw located(name, err);
        }
      };
    },
  });
}

export function alertActivities() {
  return proxyActivities<Activities>(alertOptions());
}

/**
 * The daily key hygiene check: a few quick queries and key reads. Bounded to minutes, so a ledger
 * that is away delays the schedule little; the workflow tries again next turn.
 */
export function keyHygieneActivities() {
  return proxyActivities<Activities>({
    startToCloseTimeout: '1m',
    scheduleToCloseTimeout: '5m',
    retry: { ...retry, maximumAttempts: 3 },
  });
}

export function longActivities(heartbeatTimeout: Duration) {
  return proxyActivities<Activities>(longOptions(heartbeatTimeout));
}

export function uploadActivities(heartbeatTimeout: Duration, retryWindowSeconds: number) {
  return proxyActivities<Activities>(uploadOptions(heartbeatTimeout, retryWindowSeconds));
}
