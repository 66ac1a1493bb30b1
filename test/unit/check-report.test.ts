import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { CheckRecorder, checkFileName } from '../../src/check';
import { formatCheck, formatSummary } from '../../src/check/command';
import { hostKeyFingerprint } from '../../src/sftp';
import { hostKeyMismatch, knownHostsKey } from '../../src/sftp/hostKey';

// The check's lines and results: one line per check, secrets scrubbed from every detail, and the
// host-key mismatch message in the pin's own form.

/** An ed25519 public key as the SSH wire blob a server presents (string type, string key). */
function sshEd25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const type = Buffer.from('ssh-ed25519');
  const withLength = (b: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(b.length);
    return Buffer.concat([length, b]);
  };
  return Buffer.concat([withLength(type), withLength(raw)]);
}

describe('check results', () => {
  it('prints one line per check: mark, name, duration, detail', () => {
    assert.equal(
      formatCheck({ name: 'fusion token', status: 'pass', durationMs: 12, detail: 'ok' }),
      '✓ fusion token (12 ms) — ok',
    );
    assert.equal(
      formatCheck({ name: 'sftp connect a@b:22', status: 'fail', durationMs: 40, detail: 'refused' }),
      '✗ sftp connect a@b:22 (40 ms) — refused',
    );
    assert.equal(
      formatCheck({ name: 'sftp write /out', status: 'skip', durationMs: 0, detail: 'not connected' }),
      '- sftp write /out (skipped) — not connected',
    );
    assert.equal(
      formatSummary({
        integrationId: 'gl',
        ok: false,
        checks: [
          { name: 'a', status: 'pass', durationMs: 1 },
          { name: 'b', status: 'fail', durationMs: 1 },
          { name: 'c', status: 'skip', durationMs: 0 },
          { name: 'd', status: 'skip', durationMs: 0 },
        ],
      }),
      'gl: 1 passed, 1 failed, 2 skipped',
    );
  });

  it('a failing check fails the whole, a skipped one does not; secret values never reach a detail', async () => {
    const printed: string[] = [];
    const recorder = new CheckRecorder({ onResult: (r) => printed.push(formatCheck(r)) });
    recorder.hide(['s3cr3t-value', 'abc']);
    assert.equal(await recorder.run('one', async () => 'saw s3cr3t-value'), true);
    recorder.skip('two', 'not run');
    assert.equal(recorder.ok, true);
    assert.equal(
      await recorder.run('three', async () => {
        throw new Error('server echoed s3cr3t-value\n back');
      }),
      false,
    );
    assert.equal(recorder.ok, false);
    assert.deepEqual(
      recorder.results.map((r) => [r.name, r.status, r.detail]),
      [
        ['one', 'pass', 'saw ***'],
        ['two', 'skip', 'not run'],
        ['three', 'fail', 'server echoed *** back'],
      ],
    );
    assert.ok(!printed.join('\n').includes('s3cr3t-value'));
  });

  it('names the test file uniquely, hidden and shaped like a temporary that listings skip', () => {
    const a = checkFileName();
    assert.match(a, /^\.ml-connector-check\.[0-9a-f]{16}\.part$/);
    assert.notEqual(a, checkFileName());
  });

  it('a host-key mismatch shows the presented key beside the pin, in the pin’s form', () => {
    const presented = sshEd25519Blob();
    const other = sshEd25519Blob();
    const fingerprint = hostKeyFingerprint(presented);
    assert.match(fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.equal(
      hostKeyMismatch(presented, { sha256: `${hostKeyFingerprint(other)}=` }).split(';')[0],
      `the server presented ${fingerprint}, the pin (sftp.hostKey.sha256) is ${hostKeyFingerprint(other)}`,
    );
    assert.equal(knownHostsKey(presented), `ssh-ed25519 ${presented.toString('base64')}`);
    const line = `[sftp.example]:22 ${knownHostsKey(other)} comment`;
    assert.equal(
      hostKeyMismatch(presented, { knownHostsLine: line }).split(';')[0],
      `the server presented ssh-ed25519 ${presented.toString('base64')} (${fingerprint}), ` +
        `the pin (sftp.hostKey.knownHostsLine) is ${hostKeyFingerprint(other)}`,
    );
    assert.match(
      hostKeyMismatch(
        presented,
        { sha256: hostKeyFingerprint(other) },
        { who: 'it', setting: 'sftp.jumpHost.hostKey' },
      ),
      /^it presented SHA256:\S+, the pin \(sftp\.jumpHost\.hostKey\.sha256\) is SHA256:\S+; compare it with/,
    );
  });
});
