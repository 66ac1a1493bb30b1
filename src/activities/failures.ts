import { ApplicationFailure } from '@temporalio/activity';
import { ConfigError } from '../config';
import { FusionError } from '../fusion';
import { RunInProgressError } from '../ledger';
import { SftpError } from '../sftp';
import { RETRY_AFTER_CEILING_SECONDS } from '../shared/retryAfter';

// Known errors become typed ApplicationFailures: the type names the failure in the Web UI and
// in retry policies, and nonRetryable stops retries that cannot help.

function pascal(kind: string): string {
  return kind.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

export function toApplicationFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof FusionError) {
    return ApplicationFailure.create({
      type: `Fusion${pascal(err.kind)}`,
      message: err.message,
      // A retry cannot fix credentials, roles, our own query or an exceeded limit; the rest may pass.
      nonRetryable: err.permanent || ['auth', 'forbidden', 'bad-request', 'not-found'].includes(err.kind),
      // Already bounded when parsed (fusion.limits.maxRetryAfterSeconds); the ceiling is a backstop.
      nextRetryDelay:
        err.retryAfterSeconds !== undefined
          ? `${Math.min(err.retryAfterSeconds, RETRY_AFTER_CEILING_SECONDS)}s`
          : undefined,
      cause: err,
    });
  }
  if (err instanceof SftpError) {
    return ApplicationFailure.create({
      type: `Sftp${pascal(err.kind)}`,
      message: err.message,
      nonRetryable: !err.retryable,
      cause: err,
    });
  }
  if (err instanceof ConfigError || err instanceof RunInProgressError) {
    return ApplicationFailure.create({ type: err.name, message: err.message, nonRetryable: true });
  }
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
