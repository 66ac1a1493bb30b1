import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  CredentialError,
  deriveKeyId,
  Keyring,
  keyringFromEnv,
  openValue,
  Secret,
  sealValue,
} from '../../src/credentials';
import { createLogger } from '../../src/observability/logger';

// The sealing itself, without a database: round trip, and every way a sealed value must refuse
// to open. Error messages are checked for the plaintext and for the key in every encoding.

const PLAINTEXT = 'p@ss-Wörd 9f3c1e…';
const newKey = () => randomBytes(32);

function leaks(message: string, ...keys: Buffer[]): boolean {
  return (
    message.includes(PLAINTEXT) ||
    keys.some(
      (k) =>
        message.includes(k.toString('base64')) ||
        message.includes(k.toString('base64url')) ||
        message.includes(k.toString('hex')),
    )
  );
}

function rejectsWith(fn: () => unknown, kind: CredentialError['kind'], ...keys: Buffer[]): CredentialError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CredentialError, `expected a CredentialError, got ${err}`);
    assert.equal(err.kind, kind);
    assert.ok(!leaks(err.message, ...keys), `message leaks: ${err.message}`);
    assert.ok(!leaks(inspect(err), ...keys), 'inspect(error) leaks');
    assert.equal(err.cause, undefined);
    return err;
  }
  assert.fail(`expected ${kind}`);
}

describe('sealValue / openValue (AES-256-GCM)', () => {
  const key = newKey();
  const keyring = new Keyring([{ id: 'k1', key }]);

  it('round-trips, with a fresh nonce each time', () => {
    const a = sealValue(keyring, 'partner-acme/sftp-password', PLAINTEXT);
    const b = sealValue(keyring, 'partner-acme/sftp-password', PLAINTEXT);
    assert.equal(a.keyId, 'k1');
    assert.equal(a.nonce.length, 12);
    assert.notDeepEqual(a.nonce, b.nonce);
    assert.notDeepEqual(a.ciphertext, b.ciphertext);
    assert.ok(!a.ciphertext.includes(Buffer.from(PLAINTEXT)));
    assert.equal(openValue(keyring, 'partner-acme/sftp-password', a), PLAINTEXT);
    assert.equal(openValue(keyring, 'partner-acme/sftp-password', b), PLAINTEXT);
  });

  it('refuses a tampered ciphertext, tag or nonce', () => {
    const sealed = sealValue(keyring, 'n', PLAINTEXT);
    for (const field of ['ciphertext', 'nonce'] as const) {
      for (const at of [0, sealed[field].length - 1]) {
        const altered = Buffer.from(sealed[field]);
        altered[at]! ^= 0x01;
        rejectsWith(() => openValue(keyring, 'n', { ...sealed, [field]: altered }), 'decrypt-failed', key);
      }
    }
    const truncated = { ...sealed, ciphertext: sealed.ciphertext.subarray(0, 10) };
    rejectsWith(() => openValue(keyring, 'n', truncated), 'decrypt-failed', key);
  });

  it('binds the name: a value moved to another name does not open', () => {
    const sealed = sealValue(keyring, 'fusion/client-secret', PLAINTEXT);
    const err = rejectsWith(() => openValue(keyring, 'sftp/password', sealed), 'decrypt-failed', key);
    assert.match(err.message, /sftp\/password/);
  });

  it('refuses the wrong key under the right ID', () => {
    const sealed = sealValue(keyring, 'n', PLAINTEXT);
    const impostorKey = newKey();
    const impostor = new Keyring([{ id: 'k1', key: impostorKey }]);
    const err = rejectsWith(() => openValue(impostor, 'n', sealed), 'decrypt-failed', key, impostorKey);
    assert.match(err.message, /"n" with master key "k1"/);
  });

  it('names an unknown key ID and the IDs it does hold', () => {
    const sealed = sealValue(keyring, 'n', PLAINTEXT);
    const otherKey = newKey();
    const other = new Keyring([{ id: 'k2', key: otherKey }]);
    const err = rejectsWith(() => openValue(other, 'n', sealed), 'unknown-key-id', key, otherKey);
    assert.match(err.message, /"k1" is not in the keyring \(it holds: k2\)/);
  });
});

describe('keyringFromEnv', () => {
  const k1 = newKey();
  const k2 = newKey();

  it('reads one key and derives a stable ID from it', () => {
    const ring = keyringFromEnv({ ML_CONNECTOR_MASTER_KEY: k1.toString('base64') });
    assert.equal(ring.activeKeyId, deriveKeyId(k1));
    assert.match(ring.activeKeyId, /^k-[0-9a-f]{12}$/);
    assert.equal(
      keyringFromEnv({ ML_CONNECTOR_MASTER_KEY: k1.toString('base64url') }).activeKeyId,
      ring.activeKeyId,
    );
  });

  it('reads a keyring, first entry active; a bare old key keeps its derived ID', () => {
    const ring = keyringFromEnv({
      ML_CONNECTOR_MASTER_KEYS: `k2:${k2.toString('base64')}, ${k1.toString('base64')}`,
    });
    assert.equal(ring.activeKeyId, 'k2');
    assert.deepEqual(ring.keyIds, ['k2', deriveKeyId(k1)]);
  });

  it('reads a key file (new lines, comments)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlc-key-'));
    const file = join(dir, 'master.keys');
    writeFileSync(file, `# active first\nk2:${k2.toString('base64')}\nk1:${k1.toString('base64')}\n`, {
      mode: 0o600,
    });
    const ring = keyringFromEnv({ ML_CONNECTOR_MASTER_KEY_FILE: file });
    assert.deepEqual(ring.keyIds, ['k2', 'k1']);
    const missing = rejectsWith(
      () => keyringFromEnv({ ML_CONNECTOR_MASTER_KEY_FILE: join(dir, 'nope') }),
      'no-master-key',
    );
    assert.match(missing.message, /cannot read .*nope \(ENOENT\)/);
  });

  it('says what to set when nothing is set, and refuses two sources at once', () => {
    const err = rejectsWith(() => keyringFromEnv({}), 'no-master-key');
    assert.match(err.message, /ML_CONNECTOR_MASTER_KEY .*openssl rand -base64 32/);
    const both = rejectsWith(
      () =>
        keyringFromEnv({
          ML_CONNECTOR_MASTER_KEY: k1.toString('base64'),
          ML_CONNECTOR_MASTER_KEYS: `k2:${k2.toString('base64')}`,
        }),
      'bad-master-key',
      k1,
      k2,
    );
    assert.match(both.message, /only one of ML_CONNECTOR_MASTER_KEYS and ML_CONNECTOR_MASTER_KEY\b/);
  });

  it('rejects a wrong-length key without printing it', () => {
    const short = randomBytes(24);
    const err = rejectsWith(
      () => keyringFromEnv({ ML_CONNECTOR_MASTER_KEY: short.toString('base64') }),
      'bad-master-key',
      short,
    );
    assert.match(
      err.message,
      /^ML_CONNECTOR_MASTER_KEY entry 1: not base64 of 32 bytes \(it decodes to 24\)/,
    );
    const typo = `${k1.toString('base64').slice(0, 20)}!${k1.toString('base64').slice(21)}`;
    const bad = rejectsWith(
      () => keyringFromEnv({ ML_CONNECTOR_MASTER_KEYS: `k1:${typo}` }),
      'bad-master-key',
      k1,
    );
    assert.ok(!bad.message.includes(typo));
    assert.match(bad.message, /entry 1 \(key "k1"\)/);
  });

  it('does not print a key pasted where the ID goes', () => {
    const swapped = `${k1.toString('base64')}:k1`; // base64 never holds ':', so this parses as id:key
    const err = rejectsWith(
      () => keyringFromEnv({ ML_CONNECTOR_MASTER_KEYS: swapped }),
      'bad-master-key',
      k1,
    );
    assert.match(err.message, /key ID before ':'/);
  });

  it('refuses a duplicate key ID', () => {
    const err = rejectsWith(
      () =>
        keyringFromEnv({ ML_CONNECTOR_MASTER_KEYS: `a:${k1.toString('base64')},a:${k2.toString('base64')}` }),
      'bad-master-key',
      k1,
      k2,
    );
    assert.match(err.message, /"a" is listed twice/);
  });

  it('shows only key IDs when a keyring is inspected or serialised', () => {
    const ring = new Keyring([
      { id: 'k2', key: k2 },
      { id: 'k1', key: k1 },
    ]);
    for (const shown of [inspect(ring, { showHidden: true, depth: 9 }), JSON.stringify(ring), String(ring)]) {
      assert.ok(!leaks(shown, k1, k2), shown);
    }
    assert.equal(JSON.stringify(ring), '{"activeKeyId":"k2","keyIds":["k2","k1"]}');
  });
});

describe('Secret', () => {
  const secret = new Secret(PLAINTEXT);
  const holder = { host: 'sftp.example.com', password: secret, nested: { deeper: [secret] } };

  it('prints [redacted] in String(), template literals, concatenation and JSON.stringify', () => {
    assert.equal(String(secret), '[redacted]');
    assert.equal(`${secret}`, '[redacted]');
    assert.equal(`x${secret}`, 'x[redacted]');
    assert.equal(JSON.stringify(secret), '"[redacted]"');
    assert.equal(
      JSON.stringify(holder),
      '{"host":"sftp.example.com","password":"[redacted]","nested":{"deeper":["[redacted]"]}}',
    );
  });

  it('prints [redacted] in util.inspect (so console.log), even with showHidden', () => {
    assert.equal(inspect(secret), '[redacted]');
    assert.ok(!inspect(holder, { showHidden: true, depth: 9 }).includes(PLAINTEXT));
    assert.deepEqual(Object.keys(secret), []);
    assert.ok(!JSON.stringify({ ...secret }).includes(PLAINTEXT));
  });

  it('never reaches a pino log line, under any key name', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger('info', sink);
    log.info({ connect: holder, innocuousName: secret }, 'connecting');
    log.error({ err: new Error(`failed for ${secret}`) }, 'failed');
    assert.equal(lines.length, 2);
    for (const line of lines) assert.ok(!line.includes(PLAINTEXT), line);
    assert.match(lines[0]!, /"innocuousName":"\[redacted\]"/);
    assert.match(lines[1]!, /failed for \[redacted\]/);
  });

  it('gives the value to whoever asks for it by name', () => {
    assert.equal(secret.reveal(), PLAINTEXT);
  });
});
