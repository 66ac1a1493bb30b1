import { ApplicationFailure } from '@temporalio/activity';
import { ConfigError } from '../config';
import { FusionError } from '../fusion';
import { RunInProgressError } from '../ledger';
import { SftpError } from '../sftp';
import { FAILURE_TYPES, type FailureType, fusionFailure, sftpFailure } from '../shared/failures';
import { RETRY_AFTER_CEILING_SECONDS } from '../shared/retryAfter';

// Known errors become typed ApplicationFailures: the type names the failure in the Web UI and
// in retry policies, and nonRetryable stops retries that cannot help. Both come from
// FAILURE_TYPES (src/shared/failures.ts), the table the workflows' retry policies are built from.

function typed(failure: FailureType, err: Error, cause?: Error): ApplicationFailure {
  return ApplicationFailure.create({
    type: failure.type,
    message: err.message,
    nonRetryable: !failure.retryable,
    cause,
  });
}

export function toApplicationFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof FusionError) {
    const failure = fusionFailure(err.kind);
    return ApplicationFailure.create({
      type: failure.type,
      message: err.message,
      // A permanent error (an exceeded limit) would fail again whatever its kind.
      nonRetryable: err.permanent || !failure.retryable,
      // Already bounded when parsed (fusion.limits.maxRetryAfterSeconds); the ceiling is a backstop.
      nextRetryDelay:
        err.retryAfterSeconds !== undefined
          ? `${Math.min(err.retryAfterSeconds, RETRY_AFTER_CEILING_SECONDS)}s`
          : undefined,
      cause: err,
    });
  }
  if (err instanceof SftpError) return typed(sftpFailure(err.kind), err, err);
  // The message says it all (a ConfigError lists its problems): no cause.
  if (err instanceof ConfigError) return typed(FAILURE_TYPES.config, err);
  if (err instanceof RunInProgressError) return typed(FAILURE_TYPES['run-in-progress'], err);
  return err;
}

/** Runs an activity body and rethrows its failure in typed form. */
export async function typedFailures<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw toApplicationFailure(err);
  }
}
