import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import {
  type Alert,
  AlertConfigError,
  AlertDeliveryError,
  alertsSchema,
  createAlertSinks,
  createEmailSink,
  createWebhookSink,
  type RetryPolicy,
  sendAlert,
} from '../../src/alerts';

// Alerts to real receivers on loopback: an HTTP server playing a Slack incoming webhook, and an
// SMTP server (smtp-server, no TLS). Retries use millisecond backoff so the file stays fast.

const FAST: RetryPolicy = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const HOOK_PATH = '/services/T0001/B0001/hookPathToken42';
const HEADER_TOKEN = 'header-Token-9d8c7b6a';
const SMTP_PASSWORD = 'smtp-Password-1a2b3c';

const alert: Alert = {
  severity: 'error',
  integrationId: 'gl-journal-lines',
  title: 'Upload failed: host key mismatch',
  text: 'The server at sftp.partner.example offered a host key that is not the pinned one.',
  fields: { host: 'sftp.partner.example', file: 'gl-journal-lines_20261126T152556Z.csv', attempts: '5' },
  runKey: 'sync-gl-journal-lines-20261126T152556Z/run-1',
  workflowId: 'sync-gl-journal-lines-20261126T152556Z',
  at: '2026-11-26T15:25:56Z',
};

interface Received {
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** An HTTP receiver whose next replies are scripted (status codes, or 'hang'); then 200. */
class WebhookReceiver {
  readonly requests: Received[] = [];
  readonly delivered: Received[] = [];
  script: (number | 'hang')[] = [];
  private server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got = { headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
      this.requests.push(got);
      const next = this.script.shift() ?? 200;
      if (next === 'hang') return; // never answers; the sender's timeout must fire
      if (next === 200) this.delivered.push(got);
      res.writeHead(next, { 'content-type': 'text/plain' }).end(next === 200 ? 'ok' : 'no_service');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${HOOK_PATH}`;
  }

  reset(): void {
    this.requests.length = 0;
    this.delivered.length = 0;
    this.script = [];
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Mail {
  from: string | undefined;
  to: string[];
  user: string | undefined;
  raw: string;
}

async function startSmtp(): Promise<{ port: number; mails: Mail[]; stop(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true, // loopback only, and only for the auth test
    logger: false,
    onAuth(auth, _session, done) {
      if (auth.username === 'alerts' && auth.password === SMTP_PASSWORD)
        return done(null, { user: 'alerts' });
      return done(new Error('Invalid username or password'));
    },
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Enough of RFC 2045 quoted-printable for the test's ASCII bodies: soft breaks and =XX escapes. */
function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

const smtpConfig = (port: number) => ({
  host: '127.0.0.1',
  port,
  secure: false,
  requireStarttls: false,
  from: 'ml-connector@example.com',
  to: ['finance-ops@example.com', 'oncall@example.com'],
});

function assertNoSecrets(text: string): void {
  for (const s of [HOOK_PATH, 'hookPathToken42', HEADER_TOKEN, SMTP_PASSWORD]) {
    assert.ok(!text.includes(s), `leaks ${s}: ${text}`);
  }
}

describe('alerts', () => {
  const receiver = new WebhookReceiver();
  let hookUrl: string;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  before(async () => {
    hookUrl = await receiver.start();
    smtp = await startSmtp();
  });
  beforeEach(() => {
    receiver.reset();
    smtp.mails.length = 0;
  });
  after(async () => {
    await receiver.stop();
    await smtp.stop();
  });

  describe('webhook', () => {
    it('POSTs Slack-compatible JSON with the auth header named in the config', async () => {
      const config = alertsSchema.parse({
        webhook: {
          urlEnv: 'ALERT_WEBHOOK_URL',
          headerName: 'Authorization',
          headerValueEnv: 'ALERT_WEBHOOK_TOKEN',
        },
      });
      const sinks = await createAlertSinks(config, {
        env: { ALERT_WEBHOOK_URL: hookUrl, ALERT_WEBHOOK_TOKEN: HEADER_TOKEN },
        retry: FAST,
      });
      assert.deepEqual(
        sinks.map((s) => s.name),
        [`webhook ${new URL(hookUrl).host}`],
      );
      assert.deepEqual(await sendAlert(sinks, alert), [{ sink: sinks[0]!.name, ok: true }]);

      assert.equal(receiver.delivered.length, 1);
      const { headers, body } = receiver.delivered[0]!;
      assert.equal(headers.authorization, HEADER_TOKEN);
      assert.match(String(headers['content-type']), /^application\/json/);
      const msg = body as {
        text: string;
        blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[];
      };
      assert.equal(msg.text, ':rotating_light: ERROR gl-journal-lines: Upload failed: host key mismatch');
      assert.deepEqual(msg.blocks[0], {
        type: 'header',
        text: { type: 'plain_text', text: ':rotating_light: Upload failed: host key mismatch', emoji: true },
      });
      assert.equal(msg.blocks[1]!.text!.text, alert.text);
      const fields = msg.blocks[2]!.fields!.map((f) => f.text);
      assert.deepEqual(fields, [
        '*host*\nsftp.partner.example',
        '*file*\ngl-journal-lines_20261126T152556Z.csv',
        '*attempts*\n5',
        '*integration*\ngl-journal-lines',
        `*run*\n${alert.runKey}`,
        `*workflow*\n${alert.workflowId}`,
        '*at*\n2026-11-26T15:25:56Z',
      ]);
    });

    it('retries a receiver that fails twice, which then gets exactly one alert', async () => {
      receiver.script = [503, 500];
      const sink = createWebhookSink({ url: hookUrl, retry: FAST });
      await sink.send(alert);
      assert.equal(receiver.requests.length, 3);
      assert.equal(receiver.delivered.length, 1);
    });

    it('gives up after its attempts with a typed error that shows no secret', async () => {
      receiver.script = [503, 503, 503];
      const sink = createWebhookSink({
        url: hookUrl,
        header: { name: 'X-Token', value: HEADER_TOKEN },
        retry: FAST,
      });
      await assert.rejects(sink.send(alert), (err) => {
        assert.ok(err instanceof AlertDeliveryError);
        assert.equal(err.attempts, 3);
        assert.equal(err.status, 503);
        assert.match(
          err.message,
          /^webhook 127\.0\.0\.1:\d+: alert not delivered after 3 attempt\(s\): HTTP 503: no_service$/,
        );
        assertNoSecrets(`${err.message} ${JSON.stringify(err)}`);
        return true;
      });
      assert.equal(receiver.delivered.length, 0);
    });

    it('does not retry a 404 (a wrong URL stays wrong)', async () => {
      receiver.script = [404];
      const sink = createWebhookSink({ url: hookUrl, retry: FAST });
      await assert.rejects(
        sink.send(alert),
        (err) => err instanceof AlertDeliveryError && err.attempts === 1,
      );
      assert.equal(receiver.requests.length, 1);
    });

    it('times out a receiver that never answers', async () => {
      receiver.script = ['hang', 'hang'];
      const sink = createWebhookSink({ url: hookUrl, timeoutMs: 150, retry: { ...FAST, attempts: 2 } });
      await assert.rejects(sink.send(alert), /after 2 attempt\(s\): timed out after 0\.15 s/);
    });
  });

  describe('email', () => {
    it('sends a plain-text mail listing the fields', async () => {
      const sinks = await createAlertSinks(alertsSchema.parse({ email: smtpConfig(smtp.port) }), {
        retry: FAST,
      });
      assert.deepEqual(
        sinks.map((s) => s.name),
        [`email 127.0.0.1:${smtp.port}`],
      );
      const outcomes = await sendAlert(sinks, { ...alert, severity: 'warning' });
      assert.deepEqual(outcomes, [{ sink: sinks[0]!.name, ok: true }]);

      assert.equal(smtp.mails.length, 1);
      const mail = smtp.mails[0]!;
      assert.equal(mail.from, 'ml-connector@example.com');
      assert.deepEqual(mail.to, ['finance-ops@example.com', 'oncall@example.com']);
      const split = mail.raw.indexOf('\r\n\r\n');
      const head = mail.raw.slice(0, split).replace(/\r\n[ \t]+/g, ' '); // unfold long headers
      assert.match(
        head,
        /^Subject: \[ml-connector\] WARNING gl-journal-lines: Upload failed: host key mismatch$/m,
      );
      assert.match(head, /^Content-Type: text\/plain/m);
      assert.match(head, /^Content-Transfer-Encoding: quoted-printable$/m);
      const body = decodeQuotedPrintable(mail.raw.slice(split + 4)).replace(/\r\n/g, '\n');
      for (const line of [
        'WARNING: Upload failed: host key mismatch',
        alert.text,
        'host: sftp.partner.example',
        'file: gl-journal-lines_20261126T152556Z.csv',
        'attempts: 5',
        'integration: gl-journal-lines',
        `run: ${alert.runKey}`,
        `workflow: ${alert.workflowId}`,
        'at: 2026-11-26T15:25:56Z',
      ]) {
        assert.ok(body.includes(`${line}\n`), `body lacks "${line}":\n${body}`);
      }
    });

    it('logs in with the password from the credential store; a wrong one fails without showing it', async () => {
      const credentials = {
        get: async (name: string) => {
          assert.equal(name, 'smtp/alerts');
          return SMTP_PASSWORD;
        },
      };
      // Not through alertsSchema.parse, which refuses a password on a connection without TLS.
      const [good] = await createAlertSinks(
        { email: { ...smtpConfig(smtp.port), username: 'alerts', passwordCredential: 'smtp/alerts' } },
        { credentials, retry: FAST },
      );
      await good!.send(alert);
      assert.equal(smtp.mails[0]?.user, 'alerts');

      const bad = createEmailSink({
        smtp: smtpConfig(smtp.port),
        auth: { user: 'alerts', password: `${SMTP_PASSWORD}-wrong` },
        retry: FAST,
      });
      await assert.rejects(bad.send(alert), (err) => {
        assert.ok(err instanceof AlertDeliveryError);
        assert.equal(err.attempts, 1, 'a rejected login is not retried');
        assert.match(err.message, /EAUTH 535/);
        assertNoSecrets(`${err.message} ${JSON.stringify(err)}`);
        return true;
      });
    });
  });

  describe('several sinks', () => {
    it('a dead webhook does not stop the e-mail', async () => {
      const deadHook = `http://127.0.0.1:${await closedPort()}${HOOK_PATH}`;
      const sinks = await createAlertSinks(
        alertsSchema.parse({ webhook: { url: deadHook }, email: smtpConfig(smtp.port) }),
        { retry: FAST },
      );
      const [hook, mail] = await sendAlert(sinks, alert);
      assert.equal(hook?.ok, false);
      assert.equal(mail?.ok, true);
      assert.equal(smtp.mails.length, 1);
      if (hook && !hook.ok) {
        assert.match(hook.error.message, /after 3 attempt\(s\): network error \(ECONNREFUSED\)/);
        assertNoSecrets(hook.error.message);
      }
    });

    it('a dead mail relay does not stop the webhook', async () => {
      const sinks = await createAlertSinks(
        alertsSchema.parse({ webhook: { url: hookUrl }, email: smtpConfig(await closedPort()) }),
        { retry: FAST, timeoutMs: 2_000 },
      );
      const [hook, mail] = await sendAlert(sinks, alert);
      assert.equal(hook?.ok, true);
      assert.equal(receiver.delivered.length, 1);
      assert.equal(mail?.ok, false);
      if (mail && !mail.ok) {
        assert.match(
          mail.error.message,
          /^email 127\.0\.0\.1:\d+: alert not delivered after 3 attempt\(s\): ESOCKET \(ECONNREFUSED\)$/,
        );
      }
    });
  });

  describe('configuration', () => {
    it('reports every missing secret at once, naming variables only', async () => {
      const config = alertsSchema.parse({
        webhook: {
          urlEnv: 'ALERT_WEBHOOK_URL',
          headerName: 'Authorization',
          headerValueEnv: 'ALERT_WEBHOOK_TOKEN',
        },
        email: {
          ...smtpConfig(25),
          requireStarttls: true,
          username: 'alerts',
          passwordEnv: 'ALERT_SMTP_PASSWORD',
        },
      });
      await assert.rejects(createAlertSinks(config, { env: {} }), (err) => {
        assert.ok(err instanceof AlertConfigError);
        assert.deepEqual(err.problems, [
          'alerts.webhook.urlEnv: environment variable ALERT_WEBHOOK_URL is not set',
          'alerts.webhook.headerValueEnv: environment variable ALERT_WEBHOOK_TOKEN is not set',
          'alerts.email.passwordEnv: environment variable ALERT_SMTP_PASSWORD is not set',
        ]);
        return true;
      });
    });

    it('refuses secrets in the file and settings that would leak them', () => {
      const problems = (raw: unknown) => {
        const r = alertsSchema.safeParse(raw);
        return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      };
      assert.deepEqual(problems({ webhook: { url: 'http://hooks.example.com/x' } }), [
        'webhook.url: must be https (plain http only to a loopback address)',
      ]);
      assert.deepEqual(problems({ webhook: { url: 'https://user:pw@hooks.example.com/x' } }), [
        'webhook.url: must not hold a user or password; use headerName and headerValueEnv',
      ]);
      assert.deepEqual(
        problems({ webhook: { url: 'https://hooks.example.com/x', headerName: 'Authorization' } }),
        ['webhook.headerValueEnv: set headerName and headerValueEnv together'],
      );
      assert.deepEqual(
        problems({
          email: {
            ...smtpConfig(25),
            requireStarttls: true,
            username: 'alerts',
            passwordEnv: 'hunter2-the-password',
          },
        }),
        ['email.passwordEnv: must be the NAME of an environment variable (A-Z, 0-9, _), not the secret'],
      );
      assert.deepEqual(
        problems({ email: { ...smtpConfig(25), username: 'alerts', passwordEnv: 'SMTP_PASSWORD' } }),
        [
          'email.requireStarttls: would send the SMTP password unencrypted: set secure or requireStarttls to true',
        ],
      );
      assert.deepEqual(problems({ email: { host: 'smtp.example.com', from: 'a@example.com', to: [] } }), [
        'email.to: list at least one recipient',
      ]);
      const defaults = alertsSchema.parse({
        email: { host: 'smtp.example.com', from: 'a@example.com', to: ['b@example.com'] },
      });
      assert.deepEqual(defaults.email, {
        host: 'smtp.example.com',
        port: 587,
        secure: false,
        requireStarttls: true,
        from: 'a@example.com',
        to: ['b@example.com'],
      });
    });
  });
});
