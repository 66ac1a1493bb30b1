// Every way a Fusion call can fail, as one closed set. Activities map each kind to retryable
// or not; nothing else in the code needs to read HTTP status codes.

export type FusionErrorKind =
  | 'auth' // credentials or token rejected (after one refresh): fix the configuration
  | 'forbidden' // authenticated, but the Fusion roles do not allow it
  | 'bad-request' // our query is wrong (unknown attribute, bad q): a bug or a config problem
  | 'not-found'
  | 'throttled' // 429: retry later
  | 'unavailable' // 502/503/504, timeouts, resets: retry later
  | 'server-error' // 500: not retried within the call (it may be our query); Temporal retries the activity
  | 'bad-response'; // the body is not what the REST framework promises

export class FusionError extends Error {
  constructor(
    readonly kind: FusionErrorKind,
    message: string,
    readonly status?: number,
    /** Seconds the server asked us to wait (Retry-After), when it said so. */
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FusionError';
  }

  get retryable(): boolean {
    return this.kind === 'throttled' || this.kind === 'unavailable';
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

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
