import type { Duration } from '@temporalio/common';
import { proxyActivities, type RetryPolicy } from '@temporalio/workflow';
import type { Activities } from '../activities';

// Named activity-option presets. Failure types a retry cannot fix are listed once, here.

export const NON_RETRYABLE = [
  'ConfigError',
  'RunInProgressError',
  'FusionAuth',
  'FusionForbidden',
  'FusionBadRequest',
  'FusionNotFound',
  'SftpAuth',
  'SftpHostKey',
  'SftpPermission',
  'SftpNoSuchPath',
  'SftpConflict',
];

const retry: RetryPolicy = {
  initialInterval: '2s',
  backoffCoefficient: 2,
  maximumInterval: '2m',
  nonRetryableErrorTypes: NON_RETRYABLE,
};

/**
 * Short calls (settings, lookups, failure records, the token). Their timeout is also how long a
 * call held by a worker that died waits before another worker takes it: keep it short.
 */
export function quickActivities() {
  return proxyActivities<Activities>({
    startToCloseTimeout: '30s',
    retry: { ...retry, maximumAttempts: 10 },
  });
}

/** Alerts: a webhook or mail relay may be slow and is retried inside the call; give it longer. */
export function alertActivities() {
  return proxyActivities<Activities>({ startToCloseTimeout: '2m', retry: { ...retry, maximumAttempts: 5 } });
}

/** Extraction, rendering and the commit: long, heartbeating, so a dead worker is noticed fast. */
export function longActivities(heartbeatTimeout: Duration) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '2h',
    heartbeatTimeout,
    retry: { ...retry, maximumAttempts: 20 },
  });
}

/** The upload: retried with exponential backoff for the integration's retry window, then it fails. */
export function uploadActivities(heartbeatTimeout: Duration, retryWindowSeconds: number) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '1h',
    scheduleToCloseTimeout: `${retryWindowSeconds}s`,
    heartbeatTimeout,
    retry,
  });
}
