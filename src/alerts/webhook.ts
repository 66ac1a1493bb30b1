import { request } from 'undici';
import { parseRetryAfter } from '../shared/retryAfter';
import type { Alert, AlertSink } from './alert';
import { AlertConfigError, AlertDeliveryError, scrub } from './errors';
import { AttemptFailed, DEFAULT_RETRY, type RetryPolicy, withRetry } from './retry';
import { webhookUrlProblem } from './schema';
import { slackMessage } from './slack';

// POSTs the Slack-compatible JSON, retrying network errors, 408, 429 and 5xx with backoff.
// Redirects are not followed, so the auth header never goes to a host we were not given.

export interface WebhookSinkOptions {
  url: string;
  header?: { name: string; value: string };
  timeoutMs?: number;
  retry?: RetryPolicy;
}

// backoffMs() waits at most 30 s whatever the server says; the parser need not allow more.
function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const seconds = parseRetryAfter(value, 30);
  return seconds === undefined ? undefined : seconds * 1000;
}

export function createWebhookSink(options: WebhookSinkOptions): AlertSink {
  // Checked here too, and without quoting the URL: new URL()'s own error would carry it.
  const problem = webhookUrlProblem(options.url);
  if (problem) throw new AlertConfigError(`The alert webhook URL ${problem}`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const policy = options.retry ?? DEFAULT_RETRY;
  // Only the origin is ever shown: a Slack webhook's path is its token.
  const name = `webhook ${new URL(options.url).host}`;
  const secrets = [options.url, new URL(options.url).pathname, options.header?.value];
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (options.header) headers[options.header.name.toLowerCase()] = options.header.value;

  async function postOnce(body: string): Promise<void> {
    let status: number;
    let reply: string;
    let retryAfter: string | string[] | undefined;
    try {
      const res = await request(options.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      status = res.statusCode;
      retryAfter = res.headers['retry-after'];
      reply = await res.body.text();
    } catch (err) {
      const e = err as { name?: string; code?: string };
      const what =
        e.name === 'TimeoutError'
          ? `timed out after ${timeoutMs / 1000} s`
          : `network error (${e.code ?? e.name})`;
      throw new AttemptFailed(what, true);
    }
    if (status >= 200 && status < 300) return;
    const retryable = status === 408 || status === 429 || status >= 500;
    const detail = reply.trim() ? `: ${scrub(reply, secrets).slice(0, 200)}` : '';
    throw new AttemptFailed(`HTTP ${status}${detail}`, retryable, status, retryAfterMs(retryAfter));
  }

  return {
    name,
    async send(alert: Alert) {
      const body = JSON.stringify(slackMessage(alert));
      const outcome = await withRetry(policy, () => postOnce(body));
      if (!outcome.ok) {
        const { attempts, last } = outcome;
        throw new AlertDeliveryError(
          name,
          `${name}: alert not delivered after ${attempts} attempt(s): ${scrub(last.message, secrets)}`,
          attempts,
          last.status,
        );
      }
    },
  };
}
