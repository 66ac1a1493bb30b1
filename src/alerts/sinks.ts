import type { Alert, AlertSink } from './alert';
import { createEmailSink } from './email';
import { AlertConfigError, AlertDeliveryError } from './errors';
import type { RetryPolicy } from './retry';
import { type AlertsConfig, webhookUrlProblem } from './schema';
import { createWebhookSink } from './webhook';

// Where alerts go: every configured sink gets every alert, and one sink failing never stops the
// others. Secrets named by the config are resolved once, here, so a missing one fails at start.

export type SinkOutcome = { sink: string; ok: true } | { sink: string; ok: false; error: AlertDeliveryError };

export interface AlertSinkDeps {
  env?: NodeJS.ProcessEnv;
  /** The credential store (or anything with its `get`), for email.passwordCredential. */
  credentials?: { get(name: string): Promise<string> };
  /** Per-attempt timeout; 10 s unless a test wants less. */
  timeoutMs?: number;
  retry?: RetryPolicy;
}

export async function createAlertSinks(config: AlertsConfig, deps: AlertSinkDeps = {}): Promise<AlertSink[]> {
  const env = deps.env ?? process.env;
  const problems: string[] = [];
  const fromEnv = (variable: string, where: string): string => {
    const value = env[variable];
    if (!value) problems.push(`${where}: environment variable ${variable} is not set`);
    return value ?? '';
  };
  const sinks: AlertSink[] = [];
  const common = { timeoutMs: deps.timeoutMs, retry: deps.retry };

  const { webhook, email } = config;
  if (webhook) {
    const url = webhook.url ?? fromEnv(webhook.urlEnv!, 'alerts.webhook.urlEnv');
    const urlProblem = url ? webhookUrlProblem(url) : undefined;
    if (urlProblem) problems.push(`alerts.webhook: the URL ${urlProblem}`);
    const header =
      webhook.headerName && webhook.headerValueEnv
        ? {
            name: webhook.headerName,
            value: fromEnv(webhook.headerValueEnv, 'alerts.webhook.headerValueEnv'),
          }
        : undefined;
    if (url && !urlProblem) sinks.push(createWebhookSink({ url, header, ...common }));
  }

  if (email) {
    let password: string | undefined;
    if (email.passwordEnv) password = fromEnv(email.passwordEnv, 'alerts.email.passwordEnv');
    if (email.passwordCredential) {
      if (!deps.credentials) {
        problems.push('alerts.email.passwordCredential: no credential store is available to read it from');
      } else {
        try {
          password = await deps.credentials.get(email.passwordCredential);
        } catch (err) {
          // The store's errors name the credential or key, never a value.
          problems.push(`alerts.email.passwordCredential: ${(err as Error).message}`);
        }
      }
    }
    const auth = email.username && password ? { user: email.username, password } : undefined;
    sinks.push(createEmailSink({ smtp: email, auth, ...common }));
  }

  if (problems.length) throw new AlertConfigError('Alert settings are incomplete:', problems);
  return sinks;
}

/** Sends to every sink at once; reports each outcome and never throws. */
export async function sendAlert(sinks: readonly AlertSink[], alert: Alert): Promise<SinkOutcome[]> {
  const settled = await Promise.allSettled(sinks.map((s) => s.send(alert)));
  return settled.map((result, i): SinkOutcome => {
    const sink = sinks[i]!.name;
    if (result.status === 'fulfilled') return { sink, ok: true };
    const error =
      result.reason instanceof AlertDeliveryError
        ? result.reason
        : new AlertDeliveryError(sink, `${sink}: unexpected ${(result.reason as Error)?.name ?? 'error'}`, 1);
    return { sink, ok: false, error };
  });
}

export type { AlertSink } from './alert';
