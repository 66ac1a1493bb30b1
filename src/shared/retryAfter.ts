// The one Retry-After parser (Fusion client, token endpoint, alert webhook). A server's answer
// decides how long we wait, so it is bounded here: no header may park a run for years.

/**
 * Retry-After as whole seconds, from delta-seconds or an HTTP date; undefined when absent or
 * unreadable. Never negative, and never more than `maxSeconds`.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  maxSeconds: number,
  now = Date.now(),
): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  let seconds: number;
  if (/^\d+$/.test(text)) {
    seconds = Number(text); // may be Infinity-large for a long digit string: clamped below
  } else {
    // An HTTP date names its day or month: Date.parse alone would also read "-1" or "1.5".
    if (!/[A-Za-z]{3}/.test(text)) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    seconds = Math.max(0, Math.ceil((at - now) / 1000));
  }
  return Math.min(seconds, Math.max(0, maxSeconds));
}

/** No configuration may let a server ask for a longer wait than this (fusion.limits.maxRetryAfterSeconds). */
export const RETRY_AFTER_CEILING_SECONDS = 3600;
