import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { type SshdInstance, startSshd } from '../../dev/sshd';
import { deliverFile, type OutgoingFile, type SftpDestination, SftpError } from '../../src/sftp';
import { sshdDestination } from '../support/destination';

// Delivery on a real OpenSSH sshd (loopback): auth modes, host-key pinning, idempotent retry,
// markers, missing and read-only folders, a stopped server.

const PASSWORD_USER = { name: 'mlcsftp', password: `pw-${randomBytes(6).toString('hex')}` };

function outgoing(name: string, text: string): OutgoingFile {
  const bytes = Buffer.from(text);
  return {
    fileName: name,
    byteCount: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    open: () => Readable.from([bytes]),
  };
}

describe('SFTP delivery on real OpenSSH', () => {
  let sshd: SshdInstance;
  let base: SftpDestination;

  before(async () => {
    sshd = await startSshd({ passwordUser: PASSWORD_USER });
    base = sshdDestination(sshd);
  });
  after(async () => sshd?.dispose());

  const rejectsWith = (work: Promise<unknown>, kind: SftpError['kind']) =>
    assert.rejects(work, (err: unknown) => {
      assert.ok(err instanceof SftpError, String(err));
      assert.equal(err.kind, kind, err.message);
      return true;
    });

  it('delivers with key auth: temp name, size check, rename; no temporary file left', async () => {
    const file = outgoing('key-auth.csv', 'a,b\r\n1,2\r\n');
    const result = await deliverFile(base, file);
    assert.deepEqual(result, { remotePath: join(sshd.folder, 'key-auth.csv'), uploadedNow: true });
    assert.equal(readFileSync(join(sshd.folder, 'key-auth.csv'), 'utf8'), 'a,b\r\n1,2\r\n');
    assert.ok(!readdirSync(sshd.folder).some((n) => n.endsWith('.part')));
  });

  it('a retry finds the delivered file (same size and sha256) and does not upload it again', async () => {
    const file = outgoing('retry.csv', 'x\r\n');
    await deliverFile(base, file);
    const first = readFileSync(join(sshd.folder, 'retry.csv'));
    const again = await deliverFile(base, {
      ...file,
      open: () => assert.fail('must not read the file again'),
    });
    assert.equal(again.uploadedNow, false);
    assert.deepEqual(readFileSync(join(sshd.folder, 'retry.csv')), first);
  });

  it('refuses to overwrite a different file that already has the name', async () => {
    writeFileSync(join(sshd.folder, 'taken.csv'), 'someone else');
    await rejectsWith(deliverFile(base, outgoing('taken.csv', 'ours')), 'conflict');
    assert.equal(readFileSync(join(sshd.folder, 'taken.csv'), 'utf8'), 'someone else');
  });

  it('delivers with password auth', async () => {
    const result = await deliverFile(
      { ...base, username: PASSWORD_USER.name, credentials: { password: PASSWORD_USER.password } },
      outgoing('password-auth.csv', 'p\r\n'),
    );
    assert.equal(result.uploadedNow, true);
    assert.ok(existsSync(join(sshd.folder, 'password-auth.csv')));
  });

  it('a wrong password is an auth error (not retryable) and the message holds no password', async () => {
    await assert.rejects(
      deliverFile(
        { ...base, username: PASSWORD_USER.name, credentials: { password: 'wrong-pass-123' } },
        outgoing('never.csv', 'n'),
      ),
      (err: unknown) =>
        err instanceof SftpError &&
        err.kind === 'auth' &&
        !err.retryable &&
        !err.message.includes('wrong-pass-123'),
    );
  });

  it('refuses a server whose host key does not match the pin (not retryable)', async () => {
    const other = { sha256: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' };
    await assert.rejects(
      deliverFile({ ...base, hostKey: other }, outgoing('pinned.csv', 'n')),
      (err: unknown) => err instanceof SftpError && err.kind === 'host-key' && !err.retryable,
    );
    assert.ok(!existsSync(join(sshd.folder, 'pinned.csv')));
  });

  it('accepts a known_hosts line as the pin', async () => {
    const pub = readFileSync(join(sshd.dir, 'host_ed25519.pub'), 'utf8').trim();
    const line = `[127.0.0.1]:${sshd.port} ${pub}`;
    const result = await deliverFile(
      { ...base, hostKey: { knownHostsLine: line } },
      outgoing('known-hosts.csv', 'k'),
    );
    assert.equal(result.uploadedNow, true);
  });

  it('writes the sha256 sidecar and the done marker after the file', async () => {
    const file = outgoing('markers.csv', 'm\r\n');
    await deliverFile({ ...base, sha256Sidecar: true, doneFile: true }, file);
    assert.equal(
      readFileSync(join(sshd.folder, 'markers.csv.sha256'), 'utf8'),
      `${file.sha256}  markers.csv\n`,
    );
    assert.equal(readFileSync(join(sshd.folder, 'markers.csv.done')).length, 0);
  });

  it('a missing folder is a non-retryable error unless createFolder is on', async () => {
    const folder = join(sshd.folder, 'new', 'deep');
    await rejectsWith(deliverFile({ ...base, folder }, outgoing('f.csv', 'f')), 'no-such-path');
    await deliverFile({ ...base, folder, createFolder: true }, outgoing('f.csv', 'f'));
    assert.ok(existsSync(join(folder, 'f.csv')));
  });

  it('a folder the account may not write to is a permission error (not retryable)', async () => {
    const folder = join(sshd.folder, 'read-only');
    mkdirSync(folder);
    chmodSync(folder, 0o555);
    await rejectsWith(
      deliverFile(
        { ...base, folder, username: PASSWORD_USER.name, credentials: { password: PASSWORD_USER.password } },
        outgoing('ro.csv', 'r'),
      ),
      'permission',
    );
  });

  it('a stopped server is a retryable "unavailable" error', async () => {
    await sshd.stop();
    try {
      await assert.rejects(
        deliverFile(base, outgoing('down.csv', 'd')),
        (err: unknown) => err instanceof SftpError && err.kind === 'unavailable' && err.retryable,
      );
    } finally {
      await sshd.start();
    }
    assert.equal((await deliverFile(base, outgoing('down.csv', 'd'))).uploadedNow, true);
  });
});
