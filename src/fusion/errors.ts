import { type FusionErrorKind, fusionFailure } from '../shared/failures';

// Every way a Fusion call can fail is a FusionErrorKind (src/shared/failures.ts, with its
// ApplicationFailure type and whether Temporal retries it); nothing else reads HTTP status codes.

export type { FusionErrorKind };

export class FusionError extends Error {
  constructor(
    readonly kind: FusionErrorKind,
    message: string,
    readonly status?: number,
    /** Seconds the server asked us to wait (Retry-After), when it said so. */
    readonly retryAfterSeconds?: number,
    options?: {
      cause?: unknown;
      /**
       * The same request would fail the same way (a limit was exceeded, a link leaves the pod):
       * Temporal must not retry the activity either.
       */
      permanent?: boolean;
    },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FusionError';
    this.permanent = options?.permanent ?? false;
  }

  readonly permanent: boolean;

  /**
   * Whether the call itself tries again (src/fusion/retry.ts): only a kind FAILURE_TYPES lets
   * Temporal retry (src/shared/failures.ts), and of those only an answer that says "later".
   */
  get retryable(): boolean {
    return (
      !this.permanent &&
      fusionFailure(this.kind).retryable &&
      (this.kind === 'throttled' || this.kind === 'unavailable')
    );
  }
}

export function kindForStatus(status: number): FusionErrorKind {
  if (status === 401) return 'auth';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 429) return 'throttled';
  if (status === 500 || status === 501 || status === 505) return 'server-error';
  if (status >= 500) return 'unavailable';
  return 'bad-request';
}

/** At most this many characters of a server's own text go into an error message. */
export const MAX_DETAIL_CHARS = 300;

/**
 * A server's text made fit for an error message (which reaches Temporal history, the ledger and
 * alerts): known secrets blanked, control characters and runs of white space collapsed, bounded.
 */
export function safeDetail(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  out = out.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  return out.length > MAX_DETAIL_CHARS ? `${out.slice(0, MAX_DETAIL_CHARS)}…` : out;
}
