import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCheck, formatSummary } from '../../src/check/command';
import { ConfigError, parseConfig } from '../../src/config';
import {
  DEFAULT_KEY_HYGIENE,
  evaluateAge,
  evaluateExpiry,
  keyHygieneAlert,
  keyHygieneThresholds,
  needsAttention,
  storedCredentialRefs,
  worstStatus,
} from '../../src/keys';
import type { KeyHygieneItem } from '../../src/ledger';

// Key hygiene's pure part: dates and thresholds in, ok / warn / expired and days left out; the
// thresholds' defaults and overrides; which credentials have an age; the alert's wording.

const NOW = new Date('2026-12-02T12:00:00Z');
const at = (days: number) => new Date(NOW.getTime() + days * 86_400_000).toISOString();

describe('key hygiene evaluation', () => {
  it('an expiry: ok before the warning window, warn inside it, expired once past', () => {
    assert.deepEqual(evaluateExpiry(at(45), NOW, 30), {
      status: 'ok',
      dueAt: at(45),
      daysLeft: 45,
      detail: 'expires 2027-01-16 (in 45 days)',
    });
    assert.deepEqual(evaluateExpiry(at(10), NOW, 30), {
      status: 'warn',
      dueAt: at(10),
      daysLeft: 10,
      detail: 'expires 2026-12-12 (in 10 days)',
    });
    assert.equal(evaluateExpiry(at(30), NOW, 30).status, 'warn', 'the 30th day before is in the window');
    assert.equal(evaluateExpiry(at(0.25), NOW, 30).detail, 'expires 2026-12-02 (today)');
    assert.deepEqual(evaluateExpiry(at(-3), NOW, 30), {
      status: 'expired',
      dueAt: at(-3),
      daysLeft: -3,
      detail: 'expired 2026-11-29 (3 days ago)',
    });
    assert.equal(evaluateExpiry(NOW.toISOString(), NOW, 30).status, 'expired', 'at the instant it is gone');
  });

  it('a key that never expires is ok, with no date and no days left', () => {
    assert.deepEqual(evaluateExpiry(null, NOW, 30), {
      status: 'ok',
      dueAt: null,
      daysLeft: null,
      detail: 'does not expire',
    });
  });

  it('an age: ok within the maximum, warn past it, unknown without a date', () => {
    const words = { done: 'set', never: 'not stored' };
    assert.deepEqual(evaluateAge(at(-97), NOW, 90, words), {
      status: 'warn',
      dueAt: at(-7),
      daysLeft: -7,
      detail: 'set 97 days ago (2026-08-27); older than 90 days',
    });
    assert.deepEqual(evaluateAge(at(-20), NOW, 90, words), {
      status: 'ok',
      dueAt: at(70),
      daysLeft: 70,
      detail: 'set 20 days ago (2026-11-12); within 90 days',
    });
    assert.equal(evaluateAge(at(-90), NOW, 90, words).status, 'warn', 'exactly the maximum is too old');
    assert.equal(
      evaluateAge(NOW.toISOString(), NOW, 90, words).detail,
      'set today (2026-12-02); within 90 days',
    );
    assert.deepEqual(evaluateAge(null, NOW, 90, words), {
      status: 'unknown',
      dueAt: null,
      daysLeft: null,
      detail: 'not stored',
    });
  });

  it('only warn and expired need attention; the worst status wins', () => {
    assert.deepEqual(
      (['ok', 'warn', 'expired', 'unknown'] as const).map((status) => needsAttention({ status })),
      [false, true, true, false],
    );
    assert.equal(worstStatus([{ status: 'ok' }, { status: 'warn' }, { status: 'unknown' }]), 'warn');
    assert.equal(worstStatus([{ status: 'warn' }, { status: 'expired' }]), 'expired');
    assert.equal(worstStatus([]), 'ok');
  });
});

const integration = (extra: Record<string, unknown> = {}) => ({
  id: 'gl',
  entity: 'journalLines',
  fusion: {
    baseUrl: 'https://pod.example.com/fscmRestApi/resources/11.13.18.05',
    auth: {
      type: 'oauth',
      tokenUrl: 'https://idcs.example.com/oauth2/v1/token',
      clientId: 'c',
      clientSecretCredential: 'gl.fusion',
      scope: 's',
    },
  },
  sftp: {
    host: 'sftp.example.com',
    username: 'u',
    auth: { type: 'privateKey', privateKeyCredential: 'gl.sftp-key', passphraseEnv: 'SFTP_PASSPHRASE' },
    hostKey: { sha256: `SHA256:${'A'.repeat(43)}` },
    folder: '/out',
    pgp: { recipientKeyCredential: 'gl.partner-key', signingKeyCredential: 'gl.our-key' },
  },
  ...extra,
});

describe('key hygiene configuration', () => {
  it('defaults, then the top level, then the integration', () => {
    const config = parseConfig({
      keyHygiene: { warnDaysBeforeExpiry: 14, credentialMaxAgeDays: 60 },
      integrations: [integration({ keyHygiene: { credentialMaxAgeDays: 30 } }), integration({ id: 'other' })],
    });
    assert.deepEqual(DEFAULT_KEY_HYGIENE, {
      warnDaysBeforeExpiry: 30,
      credentialMaxAgeDays: 90,
      hostKeyConfirmMaxAgeDays: 30,
    });
    assert.deepEqual(keyHygieneThresholds(config, config.integrations[0]!), {
      warnDaysBeforeExpiry: 14,
      credentialMaxAgeDays: 30,
      hostKeyConfirmMaxAgeDays: 30,
    });
    assert.deepEqual(keyHygieneThresholds(config, config.integrations[1]!), {
      warnDaysBeforeExpiry: 14,
      credentialMaxAgeDays: 60,
      hostKeyConfirmMaxAgeDays: 30,
    });
  });

  it('is strict, and a bad value is named by its field', () => {
    const problems = (raw: Record<string, unknown>) => {
      try {
        parseConfig(raw);
        return [];
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.problems;
      }
    };
    const [one] = problems({ keyHygiene: { warnDays: 3 }, integrations: [integration()] });
    assert.match(one!, /^keyHygiene: unknown key "warnDays"/);
    const [two] = problems({ integrations: [integration({ keyHygiene: { credentialMaxAgeDays: 0 } })] });
    assert.match(two!, /^integrations\[0\]\.keyHygiene\.credentialMaxAgeDays: /);
  });

  it('credentials with an age are the stored secrets the integration names (not the partner public key)', () => {
    const config = parseConfig({ integrations: [integration()] });
    assert.deepEqual(storedCredentialRefs(config.integrations[0]!), [
      { name: 'gl.fusion', label: 'fusion client secret' },
      { name: 'gl.sftp-key', label: 'sftp private key' },
      { name: 'gl.our-key', label: 'our PGP signing key' },
    ]);
  });
});

describe('key hygiene alert and check lines', () => {
  const item = (over: Partial<KeyHygieneItem>): KeyHygieneItem => ({
    item: 'pgp:recipient',
    kind: 'pgp-key',
    label: "partner's PGP key (sftp.pgp recipient key)",
    subject: '0xABCDEF0123456789 Partner <p@example.com>',
    status: 'warn',
    datedAt: at(10),
    dueAt: at(10),
    daysLeft: 10,
    detail: 'expires 2026-12-12 (in 10 days)',
    ...over,
  });

  it('one alert for the items due: a warning, or an error when one has expired; none when all are ok', () => {
    const warn = keyHygieneAlert('gl', [item({}), item({ item: 'pgp:signing', status: 'ok' })]);
    assert.deepEqual(warn, {
      severity: 'warning',
      integrationId: 'gl',
      title: 'ml-connector: gl key hygiene: 1 item to renew',
      text: "WARN partner's PGP key (sftp.pgp recipient key) 0xABCDEF0123456789 Partner <p@example.com>: expires 2026-12-12 (in 10 days)",
      fields: { 'pgp:recipient': 'warn: expires 2026-12-12 (in 10 days)' },
    });
    const error = keyHygieneAlert('gl', [
      item({ status: 'expired', detail: 'expired 2026-11-29 (3 days ago)' }),
    ]);
    assert.equal(error?.severity, 'error');
    assert.equal(error?.title, 'ml-connector: gl has 1 expired key');
    assert.equal(keyHygieneAlert('gl', [item({ status: 'ok' })]), null);
  });

  it('check prints a warning with "!" and counts it apart; it does not fail', () => {
    assert.equal(
      formatCheck({ name: 'key sftp host key pin', status: 'warn', durationMs: 0, detail: 'warn: x' }),
      '! key sftp host key pin (0 ms) — warn: x',
    );
    assert.equal(
      formatSummary({
        integrationId: 'gl',
        ok: true,
        checks: [
          { name: 'a', status: 'pass', durationMs: 1 },
          { name: 'b', status: 'warn', durationMs: 0 },
        ],
      }),
      'gl: 1 passed, 1 to renew soon, 0 failed, 0 skipped',
    );
  });
});
