import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createKeyActivities } from '../../src/activities/keys';
import { createAlertSinks } from '../../src/alerts';
import { checkIntegration } from '../../src/check';
import { formatCheck } from '../../src/check/command';
import { statusReport } from '../../src/client/status';
import { parseConfig } from '../../src/config';
import { resolveSecrets } from '../../src/config/secrets';
import { CredentialStore, Keyring } from '../../src/credentials';
import { buildIntegrations, type IntegrationRuntime } from '../../src/integrations';
import type { KeyHygieneResult } from '../../src/shared/keyHygiene';
import { integrationWorkflowId } from '../../src/shared/workflowIds';
import {
  integrationConfig,
  SIM_CLIENT_SECRET,
  startTestStack,
  startWorker,
  type TestStack,
} from '../support/stack';
import { sync } from '../support/sync';
import { startWebhookReceiver } from '../support/webhook';

const loadOpenPgp = () => import('openpgp');

// Key hygiene on real components: PGP keys generated with openpgp (one expiring in 10 days, one
// expired), a real sync over OpenSSH sshd recording the host key pin's confirmation, a stored
// credential whose value the test dates 97 days back in Postgres, and the integration workflow
// sending the alert to a loopback webhook.

const DAY = 86_400_000;

describe('key hygiene', { timeout: 240_000 }, () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> };
  let alerts: string[] = [];
  let closeReceiver: () => Promise<void>;
  let soon: { publicKey: string; privateKey: string; keyId: string };
  let expired: { publicKey: string; keyId: string };
  let ours: { privateKey: string };

  before(async () => {
    const openpgp = await loadOpenPgp();
    const key = async (name: string, options: { keyExpirationTime?: number; date?: Date } = {}) => {
      const k = await openpgp.generateKey({
        userIDs: [{ name, email: `${name}@example.com` }],
        type: 'ecc',
        curve: 'curve25519Legacy',
        format: 'armored',
        ...options,
      });
      const keyId = (await openpgp.readKey({ armoredKey: k.publicKey })).getKeyID().toHex().toUpperCase();
      return { ...k, keyId };
    };
    soon = await key('partner-soon', { keyExpirationTime: 10 * 86_400 });
    // Made 30 days ago, valid one day: expired 29 days ago.
    expired = await key('partner-expired', {
      date: new Date(Date.now() - 30 * DAY),
      keyExpirationTime: 86_400,
    });
    ours = await key('ml-connector');

    const receiver = await startWebhookReceiver();
    alerts = receiver.bodies;
    const hook = receiver.url;
    closeReceiver = receiver.close;
    stack = await startTestStack({
      config: { alerts: { webhook: { url: hook } }, keyHygiene: { warnDaysBeforeExpiry: 14 } },
      integrations: (simUrl, sshd) => {
        const base = integrationConfig(simUrl, sshd, 'gl-soon');
        const pgp = (env: string) => ({
          ...base.sftp,
          pgp: { recipientKeyEnv: env, signingKeyEnv: 'OUR_KEY' },
        });
        return [
          {
            ...base,
            sftp: pgp('SOON_KEY'),
            schedule: { cron: ['0 0 1 1 *'], timezone: 'UTC' }, // a turn a year: the daily check comes first
          },
          { ...integrationConfig(simUrl, sshd, 'gl-expired'), sftp: pgp('EXPIRED_KEY') },
        ];
      },
      secretsEnv: { SOON_KEY: soon.publicKey, EXPIRED_KEY: expired.publicKey, OUR_KEY: ours.privateKey },
    });
    worker = await startWorker(stack, {
      alertSinks: await createAlertSinks(stack.config.alerts!, { env: {} }),
    });
  });

  after(async () => {
    await stack?.client.workflow
      .getHandle(integrationWorkflowId('gl-soon'))
      .terminate('test over')
      .catch(() => undefined);
    await worker?.stop();
    await stack?.close();
    await closeReceiver?.();
  });

  const runtime = (id: string): IntegrationRuntime => buildIntegrations(stack.config, stack.secrets).get(id)!;

  /** checkKeyHygiene as the worker runs it, in an activity context, on the stack's ledger. */
  function checkKeyHygiene(rt: IntegrationRuntime) {
    const activities = createKeyActivities({
      ledger: stack.ledger,
      integration: () => rt,
      alertSinks: [],
      workflowRunIsOpen: async () => false,
    });
    return new MockActivityEnvironment().run(activities.checkKeyHygiene, {
      integrationId: rt.config.id,
    }) as Promise<KeyHygieneResult>;
  }

  it('check: the partner key expiring in 10 days is a warning with its date and days left', async () => {
    const rt = runtime('gl-soon');
    try {
      const result = await checkIntegration(rt, { keyHygiene: { credentials: [], confirmations: [] } });
      const line = result.checks.find((c) => c.name === "key partner's PGP key (sftp.pgp recipient key)");
      assert.ok(line, JSON.stringify(result.checks));
      assert.equal(line.status, 'warn');
      const expiry = new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10);
      assert.match(
        line.detail!,
        new RegExp(
          `^warn: 0x${soon.keyId} partner-soon <partner-soon@example.com>: expires ${expiry} \\(in 10 days\\)$`,
        ),
      );
      assert.match(formatCheck(line), /^! key partner's PGP key/);
      const signing = result.checks.find((c) => c.name === 'key our PGP signing key (sftp.pgp signing key)');
      assert.equal(signing?.status, 'pass');
      assert.match(signing!.detail!, /ok: .*does not expire/);
      // The connection the check made matched the pin: the host key line says so.
      const pin = result.checks.find((c) => c.name === 'key sftp host key pin');
      assert.equal(pin?.status, 'pass', JSON.stringify(pin));
      assert.match(
        pin!.detail!,
        new RegExp(
          `ok: 127\\.0\\.0\\.1:${stack.sshd.port} ${stack.sshd.hostKeySha256.replace(/[+/]/g, '\\$&')}: last confirmed today`,
        ),
      );
      assert.ok(result.ok, 'a warning does not fail the check');
    } finally {
      await rt.fusion.close();
    }
  });

  it('check: an expired partner key is reported expired and fails the check', async () => {
    const rt = runtime('gl-expired');
    try {
      const result = await checkIntegration(rt, { keyHygiene: { credentials: [], confirmations: [] } });
      const line = result.checks.find((c) => c.name === "key partner's PGP key (sftp.pgp recipient key)");
      assert.equal(line?.status, 'fail');
      const expiry = new Date(Date.now() - 29 * DAY).toISOString().slice(0, 10);
      assert.match(
        line!.detail!,
        new RegExp(`^expired: 0x${expired.keyId} .*: expired ${expiry} \\(29 days ago\\)$`),
      );
      assert.equal(result.ok, false);
    } finally {
      await rt.fusion.close();
    }
  });

  it('a sync with an expired partner key fails naming the integration and the key; nothing is uploaded', async () => {
    const before = readdirSync(stack.sshd.folder);
    const err = await sync(stack, 'gl-expired').then(
      () => assert.fail('the sync should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError, String(err));
    const { rows } = await stack.pool.query<{ error: string }>(
      `SELECT last_error AS error FROM sync_run WHERE integration_id = 'gl-expired' AND status = 'failed'`,
    );
    assert.equal(rows.length, 1);
    assert.match(
      rows[0]!.error,
      new RegExp(
        `Integration "gl-expired": .*the partner's PGP key \\(sftp.pgp recipient key\\) 0x${expired.keyId} \\(partner-expired <partner-expired@example.com>\\) expired on `,
      ),
    );
    assert.deepEqual(readdirSync(stack.sshd.folder), before, 'nothing reached the server');
    const files = await stack.pool.query(`SELECT 1 FROM outbound_file WHERE integration_id = 'gl-expired'`);
    assert.equal(files.rowCount, 0, 'nothing was rendered');
  });

  it('a real sync records the host key pin confirmation; checkKeyHygiene reports it and alerts once a day', async () => {
    const result = await sync(stack, 'gl-soon');
    assert.ok(result.file);
    const confirmations = await stack.ledger.hostKeyConfirmations('gl-soon');
    assert.deepEqual(
      confirmations.map((c) => [c.destination, c.host, c.fingerprint]),
      [['sftp', `127.0.0.1:${stack.sshd.port}`, stack.sshd.hostKeySha256]],
    );
    assert.ok(Date.now() - Date.parse(confirmations[0]!.lastConfirmedAt) < DAY);

    const rt = runtime('gl-soon');
    try {
      const first = await checkKeyHygiene(rt);
      assert.equal(first.warn, 1);
      assert.equal(first.expired, 0);
      assert.ok(first.alert);
      assert.equal(first.alert.severity, 'warning');
      assert.match(
        first.alert.text,
        new RegExp(`WARN partner's PGP key \\(sftp.pgp recipient key\\) 0x${soon.keyId}`),
      );
      const items = await stack.ledger.keyHygieneItems('gl-soon');
      const pin = items.find((i) => i.item === 'host-key:sftp');
      assert.equal(pin?.status, 'ok');
      assert.match(pin!.detail, /^last confirmed today/);
      // The same day again: the finding is stored again, the alert is not sent twice.
      const again = await checkKeyHygiene(rt);
      assert.equal(again.warn, 1);
      assert.equal(again.alert, null);
    } finally {
      await rt.fusion.close();
    }
  });

  it('the integration workflow runs the daily check and sends its alert; status shows the keys', async () => {
    // A new day for the alert: as if yesterday's had gone out.
    await stack.pool.query(
      `UPDATE key_hygiene_item SET last_alerted_at = now() - interval '1 day' WHERE integration_id = 'gl-soon'`,
    );
    const seen = alerts.length;
    await stack.client.workflow.start('integrationWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: integrationWorkflowId('gl-soon'),
      args: [{ integrationId: 'gl-soon' }],
    });
    const deadline = Date.now() + 60_000;
    while (!alerts.slice(seen).some((a) => a.includes('key hygiene'))) {
      assert.ok(Date.now() < deadline, `no key hygiene alert: ${alerts.slice(seen).join('\n')}`);
      await sleep(250);
    }
    const alert = alerts.slice(seen).find((a) => a.includes('key hygiene'))!;
    assert.match(alert, new RegExp(`0x${soon.keyId}`));
    assert.match(alert, /expires \d{4}-\d{2}-\d{2} \(in 10 days\)/);
    assert.ok(!alert.includes('PRIVATE KEY') && !alert.includes('PUBLIC KEY'), 'no key material');

    const report = await statusReport(stack.client, stack.ledger, 'gl-soon');
    assert.equal(report.keys.status, 'warn');
    assert.deepEqual(
      report.keys.items.map((i) => [i.item, i.status]),
      [
        ['host-key:sftp', 'ok'],
        ['pgp:recipient', 'warn'],
        ['pgp:signing', 'ok'],
      ],
    );
    assert.equal(report.keys.items.find((i) => i.item === 'pgp:recipient')?.daysLeft, 10);
    const deadlineStatus = Date.now() + 30_000;
    for (;;) {
      const r = await statusReport(stack.client, stack.ledger, 'gl-soon');
      if (r.schedule?.lastKeyHygiene) {
        assert.equal(r.schedule.lastKeyHygiene.warn, 1);
        break;
      }
      assert.ok(Date.now() < deadlineStatus, 'the workflow status carries the last check');
      await sleep(250);
    }
  });

  it('a stored credential set 97 days ago is a warning naming it and its age', async () => {
    const oldKey = randomBytes(32);
    const keyring = new Keyring([{ id: 'test', key: oldKey }]);
    const store = new CredentialStore(stack.ledger.credentialsPool(), keyring);
    await store.set('gl-cred.fusion-secret', 'fusion-client-secret', SIM_CLIENT_SECRET);
    await stack.pool.query(
      `UPDATE credential SET updated_at = now() - interval '97 days' WHERE name = 'gl-cred.fusion-secret'`,
    );
    const raw = stack.rawConfig.integrations as Record<string, Record<string, Record<string, unknown>>>[];
    const fusion = raw[0]!.fusion!;
    const config = parseConfig({
      integrations: [
        {
          ...raw[1],
          id: 'gl-cred',
          sftp: { ...raw[1]!.sftp, pgp: undefined },
          fusion: {
            ...fusion,
            auth: {
              ...fusion.auth,
              clientSecretEnv: undefined,
              clientSecretCredential: 'gl-cred.fusion-secret',
            },
          },
        },
      ],
    });
    const secrets = await resolveSecrets(config, { env: stack.secretsEnv, credentials: store });
    const rt = buildIntegrations(config, secrets).get('gl-cred')!;
    try {
      const result = await checkKeyHygiene(rt);
      assert.equal(result.warn, 1);
      const items = await stack.ledger.keyHygieneItems('gl-cred');
      const cred = items.find((i) => i.item === 'credential:gl-cred.fusion-secret');
      assert.equal(cred?.status, 'warn');
      assert.equal(cred?.label, 'fusion client secret');
      assert.match(cred!.detail, /^set 97 days ago \(\d{4}-\d{2}-\d{2}\); older than 90 days$/);
      assert.ok(result.alert);
      assert.match(result.alert.text, /WARN fusion client secret gl-cred.fusion-secret: set 97 days ago/);
      assert.ok(!JSON.stringify(result).includes(SIM_CLIENT_SECRET), 'no secret in the result');
      // `credentials rotate` re-seals under another master key: the secret value's age stays.
      const rotated = new CredentialStore(
        stack.ledger.credentialsPool(),
        new Keyring([
          { id: 'next', key: randomBytes(32) },
          { id: 'test', key: oldKey },
        ]),
      );
      assert.equal((await rotated.rotate()).reencrypted, 1);
      await checkKeyHygiene(rt);
      const after = (await stack.ledger.keyHygieneItems('gl-cred')).find((i) => i.item === cred!.item);
      assert.equal(after?.status, 'warn');
      assert.match(after!.detail, /^set 97 days ago/);
    } finally {
      await rt.fusion.close();
    }
  });
});
