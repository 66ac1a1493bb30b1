import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { type SshdInstance, startSshd } from '../../dev/sshd';
import {
  deliverFile,
  listRemoteFolder,
  type OutgoingFile,
  placeFile,
  type SftpDestination,
  SftpError,
  temporaryName,
} from '../../src/sftp';
import { openSftp, type SftpSession } from '../../src/sftp/connect';
import { sshdDestination } from '../support/destination';

// Delivery on a real OpenSSH sshd (loopback): auth modes, host-key pinning, idempotent retry,
// markers, missing and read-only folders, a stopped server; concurrent deliveries, planted links
// and failed attempts.

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
    assert.deepEqual(result, {
      remotePath: join(sshd.folder, 'key-auth.csv'),
      uploadedNow: true,
      hostKey: sshd.hostKeySha256,
    });
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

describe('SFTP delivery under races and planted links (real OpenSSH)', () => {
  let sshd: SshdInstance;
  let base: SftpDestination;

  before(async () => {
    sshd = await startSshd();
    base = sshdDestination(sshd);
  });
  after(async () => sshd?.dispose());

  const conflictNaming = (path: string) => (err: unknown) => {
    assert.ok(err instanceof SftpError, String(err));
    assert.equal(err.kind, 'conflict', err.message);
    assert.ok(!err.retryable);
    assert.ok(err.message.includes(path), err.message);
    return true;
  };
  /** Every temporary of `name` in the folder, old style or per attempt. */
  const temporaries = (name: string) => readdirSync(sshd.folder).filter((n) => n.startsWith(`.${name}.`));
  /** A file outside the delivery folder, for links to point at. */
  const outside = (name: string, text: string) => {
    const path = join(sshd.dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('two concurrent deliveries of one file: both succeed, one uploads, one file, no temporary left', async () => {
    for (let round = 0; round < 4; round++) {
      const name = `race-${round}.csv`;
      const text = `${'r'.repeat(64 * 1024)}\r\n`;
      const file = outgoing(name, text);
      // Each source holds its last bytes until both attempts are uploading, so both have passed
      // the first check for the final name and race to the rename.
      let opened = 0;
      let bothUploading!: () => void;
      const gate = new Promise<void>((resolve) => {
        bothUploading = resolve;
      });
      const gated: OutgoingFile = {
        ...file,
        open: () => {
          if (++opened === 2) bothUploading();
          return Readable.from(
            (async function* () {
              yield Buffer.from(text.slice(0, 1000));
              await gate;
              yield Buffer.from(text.slice(1000));
            })(),
          );
        },
      };
      const destination = { ...base, sha256Sidecar: true, doneFile: true };
      const results = await Promise.all([deliverFile(destination, gated), deliverFile(destination, gated)]);
      assert.equal(opened, 2, 'both attempts uploaded');
      assert.deepEqual(results.map((r) => r.uploadedNow).sort(), [false, true]);
      assert.equal(readFileSync(join(sshd.folder, name), 'utf8'), text);
      assert.equal(readFileSync(join(sshd.folder, `${name}.sha256`), 'utf8'), `${file.sha256}  ${name}\n`);
      assert.equal(readFileSync(join(sshd.folder, `${name}.done`)).length, 0);
      assert.deepEqual(temporaries(name), []);
    }
  });

  it('a file that appears between the last check and the rename is never replaced', async () => {
    const session = await openSftp(base);
    try {
      for (const [name, winner, outcome] of [
        ['late-same.csv', 'late\r\n', 'already there'],
        ['late-other.csv', 'someone else\r\n', 'conflict'],
      ] as const) {
        // Just before the rename, another writer puts its file at the final name.
        const racing: SftpSession = {
          ...session,
          op: (what, work, seconds) => {
            if (what.startsWith('renaming ')) writeFileSync(join(sshd.folder, name), winner);
            return session.op(what, work, seconds);
          },
        };
        const place = placeFile(racing, sshd.folder, name, outgoing(name, 'late\r\n'), {
          highWaterMark: 64 * 1024,
        });
        if (outcome === 'already there') assert.equal(await place, false);
        else await assert.rejects(place, conflictNaming(join(sshd.folder, name)));
        assert.equal(readFileSync(join(sshd.folder, name), 'utf8'), winner);
        assert.deepEqual(temporaries(name), []);
      }
    } finally {
      await session.end();
    }
  });

  it('a link planted at the final name is a conflict and its target is untouched', async () => {
    const target = outside('outside-target.txt', 'not yours');
    const link = join(sshd.folder, 'linked.csv');
    symlinkSync(target, link);
    await assert.rejects(deliverFile(base, outgoing('linked.csv', 'ours\r\n')), conflictNaming(link));
    assert.equal(readFileSync(target, 'utf8'), 'not yours');
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.deepEqual(temporaries('linked.csv'), []);

    // Not even a link to a file holding exactly our bytes counts as delivered.
    const twin = outside('outside-twin.txt', 'twin\r\n');
    symlinkSync(twin, join(sshd.folder, 'twin.csv'));
    await assert.rejects(deliverFile(base, outgoing('twin.csv', 'twin\r\n')), conflictNaming('twin.csv'));
    // A dangling link is not followed to create its target.
    const nowhere = join(sshd.dir, 'nowhere.txt');
    symlinkSync(nowhere, join(sshd.folder, 'dangling.csv'));
    await assert.rejects(deliverFile(base, outgoing('dangling.csv', 'd')), conflictNaming('dangling.csv'));
    assert.ok(!existsSync(nowhere));
  });

  it('links planted at the sidecar and done names are conflicts; their targets are untouched', async () => {
    for (const suffix of ['.sha256', '.done']) {
      const name = `marker-link${suffix.replace('.', '-')}.csv`;
      const target = outside(`outside${suffix}`, 'keep');
      symlinkSync(target, join(sshd.folder, `${name}${suffix}`));
      await assert.rejects(
        deliverFile({ ...base, sha256Sidecar: true, doneFile: true }, outgoing(name, 'm\r\n')),
        conflictNaming(`${name}${suffix}`),
      );
      assert.equal(readFileSync(target, 'utf8'), 'keep');
      assert.deepEqual(temporaries(name), []);
    }
  });

  it('a link planted at the old temporary name does not matter: it is neither used nor followed', async () => {
    const target = outside('outside-part.txt', 'untouched');
    const planted = join(sshd.folder, '.old-part.csv.part');
    symlinkSync(target, planted);
    const result = await deliverFile(base, outgoing('old-part.csv', 'fine\r\n'));
    assert.equal(result.uploadedNow, true);
    assert.equal(readFileSync(join(sshd.folder, 'old-part.csv'), 'utf8'), 'fine\r\n');
    assert.ok(lstatSync(join(sshd.folder, 'old-part.csv')).isFile());
    assert.equal(readFileSync(target, 'utf8'), 'untouched');
    assert.deepEqual(temporaries('old-part.csv'), ['.old-part.csv.part']);
  });

  it('a failed attempt leaves no temporary file: size check failed, source aborted mid-stream', async () => {
    const short = { ...outgoing('short.csv', 'abc'), byteCount: 10 };
    await assert.rejects(deliverFile(base, short), (err: unknown) => {
      assert.ok(err instanceof SftpError && err.kind === 'verify-failed', String(err));
      return true;
    });
    assert.ok(!existsSync(join(sshd.folder, 'short.csv')));
    assert.deepEqual(temporaries('short.csv'), []);

    const aborted: OutgoingFile = {
      ...outgoing('aborted.csv', 'x'.repeat(300_000)),
      open: () =>
        Readable.from(
          (async function* () {
            yield Buffer.alloc(100_000, 0x78);
            await new Promise((resolve) => setTimeout(resolve, 50));
            throw new Error('archive read failed');
          })(),
        ),
    };
    await assert.rejects(deliverFile(base, aborted), SftpError);
    assert.ok(!existsSync(join(sshd.folder, 'aborted.csv')));
    assert.deepEqual(temporaries('aborted.csv'), []);
  });

  it('temporary names are per attempt, and listings skip them', async () => {
    const a = temporaryName('t.csv');
    assert.match(a, /^\.t\.csv\.[0-9a-f]{8}\.part$/);
    assert.notEqual(a, temporaryName('t.csv'));
    writeFileSync(join(sshd.folder, a), 'half');
    writeFileSync(join(sshd.folder, 't.csv'), 'whole');
    const names = (await listRemoteFolder(base)).map((f) => f.name);
    assert.ok(names.includes('t.csv'));
    assert.ok(!names.some((n) => n.endsWith('.part')), names.join(', '));
  });
});
