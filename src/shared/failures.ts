// Every failure an activity reports by name: its ApplicationFailure type (the Web UI, alerts and
// tests match on these strings: never rename one) and whether a Temporal retry can help. The
// activities (src/activities/failures.ts) and the workflows' retry policies both read this table.

/** Every way a Fusion call can fail, as one closed set. */
export type FusionErrorKind =
  | 'auth' // credentials or token rejected (after one refresh): fix the configuration
  | 'forbidden' // authenticated, but the Fusion roles do not allow it
  | 'bad-request' // our query is wrong (unknown attribute, bad q): a bug or a config problem
  | 'not-found'
  | 'throttled' // 429: retry later
  | 'unavailable' // 502/503/504, timeouts, resets: retry later
  | 'server-error' // 500: not retried within the call (it may be our query); Temporal retries the activity
  | 'bad-response' // the body is not what the REST framework promises
  | 'foreign-origin'; // a link leaves the configured pod: not followed, no credential sent

/** Every way a delivery can fail, as one closed set. */
export type SftpErrorKind =
  | 'unavailable' // refused, reset, timed out, server busy: retry with backoff
  | 'auth' // credentials rejected: no retry can help
  | 'host-key' // the server is not the one pinned: refuse, never retry
  | 'permission' // the account may not write there
  | 'no-such-path' // the folder does not exist
  | 'conflict' // a different file already has the final name
  | 'verify-failed'; // the remote size or hash is not what we sent

/** Every error an activity turns into a typed failure. */
export type ErrorKind =
  | 'config' // ConfigError
  | 'run-in-progress' // RunInProgressError
  | `fusion:${FusionErrorKind}`
  | `sftp:${SftpErrorKind}`;

export interface FailureType {
  readonly type: string;
  /** False: the same call would fail the same way, so Temporal must not retry it. */
  readonly retryable: boolean;
}

/** Exhaustive by its type: a new kind does not compile until it is given a type and a retry rule. */
export const FAILURE_TYPES: Readonly<Record<ErrorKind, FailureType>> = {
  config: { type: 'ConfigError', retryable: false },
  'run-in-progress': { type: 'RunInProgressError', retryable: false },
  // A retry cannot fix credentials, roles, our own query or a link off the pod; the rest may pass.
  'fusion:auth': { type: 'FusionAuth', retryable: false },
  'fusion:forbidden': { type: 'FusionForbidden', retryable: false },
  'fusion:bad-request': { type: 'FusionBadRequest', retryable: false },
  'fusion:not-found': { type: 'FusionNotFound', retryable: false },
  'fusion:foreign-origin': { type: 'FusionForeignOrigin', retryable: false },
  'fusion:throttled': { type: 'FusionThrottled', retryable: true },
  'fusion:unavailable': { type: 'FusionUnavailable', retryable: true },
  'fusion:server-error': { type: 'FusionServerError', retryable: true },
  'fusion:bad-response': { type: 'FusionBadResponse', retryable: true },
  'sftp:auth': { type: 'SftpAuth', retryable: false },
  'sftp:host-key': { type: 'SftpHostKey', retryable: false },
  'sftp:permission': { type: 'SftpPermission', retryable: false },
  'sftp:no-such-path': { type: 'SftpNoSuchPath', retryable: false },
  'sftp:conflict': { type: 'SftpConflict', retryable: false },
  'sftp:unavailable': { type: 'SftpUnavailable', retryable: true },
  'sftp:verify-failed': { type: 'SftpVerifyFailed', retryable: true },
};

export function fusionFailure(kind: FusionErrorKind): FailureType {
  return FAILURE_TYPES[`fusion:${kind}`];
}

export function sftpFailure(kind: SftpErrorKind): FailureType {
  return FAILURE_TYPES[`sftp:${kind}`];
}

/** The types no retry can help: every activity retry policy's nonRetryableErrorTypes. */
export const NON_RETRYABLE_TYPES: readonly string[] = Object.values(FAILURE_TYPES)
  .filter((f) => !f.retryable)
  .map((f) => f.type);
