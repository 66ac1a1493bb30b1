import nodemailer from 'nodemailer';
import type { AlertSink } from './alert';
import { type Alert, alertPlainText, alertSubject } from './alert';
import { AlertDeliveryError, scrub } from './errors';
import { AttemptFailed, DEFAULT_RETRY, type RetryPolicy, withRetry } from './retry';
import type { EmailConfig } from './schema';

// Plain-text mail through one SMTP relay. Connection trouble and 4xx replies are retried with
// backoff; 5xx replies, rejected logins and TLS failures are not (a retry cannot fix them).

export interface EmailSinkOptions {
  smtp: Pick<EmailConfig, 'host' | 'port' | 'secure' | 'requireStarttls' | 'from' | 'to'>;
  auth?: { user: string; password: string };
  timeoutMs?: number;
  retry?: RetryPolicy;
}

const RETRYABLE_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ECONNRESET',
  'ECONNREFUSED',
]);

interface SmtpFailure {
  code?: string;
  /** The system error under ESOCKET / ECONNECTION, e.g. ECONNREFUSED. */
  originalCode?: string;
  responseCode?: number;
  response?: string;
}

export function createEmailSink(options: EmailSinkOptions): AlertSink {
  const { smtp } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const policy = options.retry ?? DEFAULT_RETRY;
  const name = `email ${smtp.host}:${smtp.port}`;
  const secrets = [options.auth?.password];
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: !smtp.secure && smtp.requireStarttls,
    auth: options.auth ? { user: options.auth.user, pass: options.auth.password } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // The message is our own text: no attachments, files or URLs are ever fetched.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });

  async function sendOnce(alert: Alert): Promise<void> {
    try {
      await transport.sendMail({
        from: { name: 'ml-connector', address: smtp.from },
        to: smtp.to,
        subject: alertSubject(alert),
        text: alertPlainText(alert),
      });
    } catch (err) {
      // Only the code and the server's reply are kept: the library's error object can hold the
      // connection options, password included.
      const e = err as SmtpFailure;
      const reply = e.response ? `: ${scrub(e.response, secrets).slice(0, 200)}` : '';
      const code = `${e.code ?? 'SMTP error'}${e.originalCode ? ` (${e.originalCode})` : ''}`;
      const what = `${code}${e.responseCode ? ` ${e.responseCode}` : ''}${reply}`;
      const transient =
        (e.code !== undefined && RETRYABLE_CODES.has(e.code)) ||
        (e.responseCode !== undefined && e.responseCode >= 400 && e.responseCode < 500);
      throw new AttemptFailed(what, transient, e.responseCode);
    }
  }

  return {
    name,
    async send(alert: Alert) {
      const outcome = await withRetry(policy, () => sendOnce(alert));
      if (!outcome.ok) {
        const { attempts, last } = outcome;
        throw new AlertDeliveryError(
          name,
          `${name}: alert not delivered after ${attempts} attempt(s): ${last.message}`,
          attempts,
          last.status,
        );
      }
    },
  };
}
