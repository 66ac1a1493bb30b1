import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'pg';
import { createScratchDatabase } from '../../dev/postgres';
import {
  type CliIo,
  CredentialError,
  CredentialNotFoundError,
  CredentialStore,
  credentialsDelete,
  credentialsList,
  credentialsRotate,
  credentialsSet,
  Keyring,
  keyringFromEnv,
  Secret,
} from '../../src/credentials';
import { migrate } from '../../src/ledger';

// The credential store on a real Postgres (a scratch database per file): values round-trip, the
// table never holds a plaintext in any column or encoding, and key rotation re-seals every row.

const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const values = {
  'fusion/client-secret': 'fusion-Secret-4c1d9a77e2',
  'partner-acme/sftp-password': 'Sftp-Pässword-b83f0e12',
  'partner-acme/sftp-private-key':
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU-test-only-1f2e3d\n-----END OPENSSH PRIVATE KEY-----\n',
} as const;

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };

/** Every column of every credential row, as Postgres prints it, plus the whole row as JSON. */
async function tableAsText(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ line: string }>(
    `SELECT concat_ws('|', name, kind, key_id, encode(nonce, 'escape'), encode(ciphertext, 'escape'),
       encode(ciphertext, 'hex'), encode(ciphertext, 'base64'), nonce::text, ciphertext::text,
       created_at::text, updated_at::text) AS line FROM credential c
     UNION ALL SELECT row_to_json(c)::text FROM credential c`,
  );
  // And the raw bytes, in case a text rendering above hides a match.
  const raw = await pool.query<{ nonce: Buffer; ciphertext: Buffer }>(
    'SELECT nonce, ciphertext FROM credential',
  );
  for (const row of raw.rows) {
    for (const value of Object.values(values)) {
      assert.ok(!Buffer.concat([row.nonce, row.ciphertext]).includes(Buffer.from(value)));
    }
  }
  return rows.map((r) => r.line).join('\n');
}

function assertNoPlaintext(text: string): void {
  for (const value of Object.values(values)) {
    assert.ok(!text.includes(value), 'a plaintext is in the credential table');
    for (const piece of value.split('\n').filter((p) => p.length >= 8)) assert.ok(!text.includes(piece));
  }
}

function memoryIo(stdin: string | Buffer = ''): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    out,
    err,
  };
}

describe('CredentialStore on Postgres', () => {
  let db: Awaited<ReturnType<typeof createScratchDatabase>>;
  let pool: Pool;

  before(async () => {
    db = await createScratchDatabase(SERVER, 'mlc_cred');
    pool = new Pool({ connectionString: db.url, max: 4 });
    await migrate(pool);
  });

  after(async () => {
    await pool?.end();
    await db?.dispose();
  });

  it('sets, gets and lists; the list carries no values', async () => {
    const store = new CredentialStore(pool, new Keyring([k1]));
    await store.set('fusion/client-secret', 'fusion-client-secret', values['fusion/client-secret']);
    await store.set(
      'partner-acme/sftp-password',
      'sftp-password',
      new Secret(values['partner-acme/sftp-password']),
    );
    await store.set(
      'partner-acme/sftp-private-key',
      'sftp-private-key',
      values['partner-acme/sftp-private-key'],
    );
    for (const [name, value] of Object.entries(values)) assert.equal(await store.get(name), value);
    assert.equal(String(await store.getSecret('fusion/client-secret')), '[redacted]');

    const list = await store.list();
    assert.deepEqual(
      list.map(({ name, kind, keyId }) => ({ name, kind, keyId })),
      [
        { name: 'fusion/client-secret', kind: 'fusion-client-secret', keyId: 'k1' },
        { name: 'partner-acme/sftp-password', kind: 'sftp-password', keyId: 'k1' },
        { name: 'partner-acme/sftp-private-key', kind: 'sftp-private-key', keyId: 'k1' },
      ],
    );
    for (const row of list) assert.match(row.updatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assertNoPlaintext(JSON.stringify(list));
  });

  it('keeps no plaintext anywhere in the table', async () => {
    const text = await tableAsText(pool);
    assert.match(text, /partner-acme\/sftp-password/); // the query does see the rows
    assertNoPlaintext(text);
  });

  it('replaces a value in place, and names a missing credential', async () => {
    const store = new CredentialStore(pool, new Keyring([k1]));
    await store.set('generic/tmp', 'generic', 'first-value');
    await store.set('generic/tmp', 'generic', 'second-value');
    assert.equal(await store.get('generic/tmp'), 'second-value');
    assert.equal(await store.delete('generic/tmp'), true);
    assert.equal(await store.delete('generic/tmp'), false);
    await assert.rejects(store.get('generic/tmp'), (err) => {
      assert.ok(err instanceof CredentialNotFoundError);
      assert.equal(err.credentialName, 'generic/tmp');
      assert.match(err.message, /No credential named "generic\/tmp"/);
      return true;
    });
  });

  it('refuses a ciphertext moved onto another name (the name is bound in)', async () => {
    const store = new CredentialStore(pool, new Keyring([k1]));
    await store.set('generic/victim', 'generic', 'victim-value');
    await pool.query(
      `UPDATE credential SET nonce = src.nonce, ciphertext = src.ciphertext
       FROM credential src WHERE src.name = 'fusion/client-secret' AND credential.name = 'generic/victim'`,
    );
    await assert.rejects(store.get('generic/victim'), (err) => {
      assert.ok(err instanceof CredentialError && err.kind === 'decrypt-failed');
      assertNoPlaintext(err.message);
      return true;
    });
    await store.delete('generic/victim');
  });

  it('fails clearly with the wrong master key', async () => {
    const wrongKey = randomBytes(32);
    const store = new CredentialStore(pool, new Keyring([{ id: 'k1', key: wrongKey }]));
    await assert.rejects(store.get('partner-acme/sftp-password'), (err) => {
      assert.ok(err instanceof CredentialError);
      assert.equal(err.kind, 'decrypt-failed');
      assert.match(
        err.message,
        /Cannot decrypt credential "partner-acme\/sftp-password" with master key "k1"/,
      );
      assertNoPlaintext(err.message);
      for (const k of [wrongKey, k1.key]) assert.ok(!err.message.includes(k.toString('base64')));
      return true;
    });
  });

  it('rotates every row to the new active key in one go; the old key alone then reads nothing', async () => {
    // The operator's view: k2 becomes active, k1 stays listed until the rotation is done.
    const env = {
      ML_CONNECTOR_MASTER_KEYS: `k2:${k2.key.toString('base64')},k1:${k1.key.toString('base64')}`,
    };
    const store = new CredentialStore(pool, keyringFromEnv(env));
    const before = await pool.query<{ name: string; ciphertext: Buffer }>(
      'SELECT name, ciphertext FROM credential',
    );

    assert.deepEqual(await store.rotate(), { reencrypted: 3 });
    assert.deepEqual(await store.rotate(), { reencrypted: 0 });
    assert.deepEqual(
      (await store.list()).map((r) => r.keyId),
      ['k2', 'k2', 'k2'],
    );
    const afterRows = await pool.query<{ name: string; ciphertext: Buffer }>(
      'SELECT name, ciphertext FROM credential',
    );
    for (const row of afterRows.rows) {
      const old = before.rows.find((b) => b.name === row.name)!;
      assert.notDeepEqual(row.ciphertext, old.ciphertext);
    }
    assertNoPlaintext(await tableAsText(pool));

    const onlyNew = new CredentialStore(pool, new Keyring([k2]));
    for (const [name, value] of Object.entries(values)) assert.equal(await onlyNew.get(name), value);

    const onlyOld = new CredentialStore(pool, new Keyring([k1]));
    await assert.rejects(onlyOld.get('fusion/client-secret'), (err) => {
      assert.ok(err instanceof CredentialError && err.kind === 'unknown-key-id');
      assert.match(err.message, /Master key "k2" is not in the keyring \(it holds: k1\)/);
      return true;
    });
  });

  it('rolls a rotation back whole when one row is under a key the keyring lacks', async () => {
    const k3 = { id: 'k3', key: randomBytes(32) };
    const orphan = new CredentialStore(pool, new Keyring([{ id: 'k-lost', key: randomBytes(32) }]));
    await orphan.set('generic/orphan', 'generic', 'orphan-value');
    const store = new CredentialStore(pool, new Keyring([k3, k2]));
    await assert.rejects(
      store.rotate(),
      (err) => err instanceof CredentialError && err.kind === 'unknown-key-id',
    );
    assert.deepEqual(
      [...new Set((await store.list()).map((r) => r.keyId))].sort(),
      ['k-lost', 'k2'],
      'no row moved to k3',
    );
    await store.delete('generic/orphan');
  });

  describe('CLI functions', () => {
    const keyring = () => new Keyring([k2]);

    it('set reads the value from stdin (one trailing line break dropped) or a file', async () => {
      const store = new CredentialStore(pool, keyring());
      const io = memoryIo('cli-Passphrase-71aa\n');
      assert.equal(await credentialsSet(store, ['cli/passphrase', '--kind', 'sftp-passphrase'], io), 0);
      assert.equal(await store.get('cli/passphrase'), 'cli-Passphrase-71aa');
      assert.deepEqual(io.out, ['Stored credential cli/passphrase (sftp-passphrase).\n']);

      const dir = mkdtempSync(join(tmpdir(), 'mlc-cred-'));
      const file = join(dir, 'id_ed25519');
      writeFileSync(file, values['partner-acme/sftp-private-key'], { mode: 0o600 });
      const fileIo = memoryIo();
      assert.equal(
        await credentialsSet(store, ['cli/key', '--kind=sftp-private-key', '--from-file', file], fileIo),
        0,
      );
      assert.equal(
        await store.get('cli/key'),
        values['partner-acme/sftp-private-key'],
        'a key is kept byte for byte',
      );
    });

    it('set never takes a value from argv, and never echoes one back', async () => {
      const store = new CredentialStore(pool, keyring());
      const leaked = 'argv-Secret-5e5e5e';
      for (const args of [
        ['cli/x', '--kind', 'generic', leaked],
        ['cli/x', '--kind', 'generic', `--value=${leaked}`],
        ['cli/x', '--kind', leaked],
        ['cli/x', `-${leaked}`],
      ]) {
        const io = memoryIo('from-stdin');
        assert.equal(await credentialsSet(store, args, io), 2);
        const said = io.err.join('');
        assert.ok(!said.includes(leaked), said);
        assert.ok(!said.includes(leaked.slice(1)), said);
      }
      await assert.rejects(store.get('cli/x'), CredentialNotFoundError);
    });

    it('set refuses a terminal on stdin and an empty value', async () => {
      const store = new CredentialStore(pool, keyring());
      const tty = memoryIo('x');
      tty.stdin.isTTY = true;
      assert.equal(await credentialsSet(store, ['cli/y', '--kind', 'generic'], tty), 2);
      assert.match(tty.err.join(''), /pipe the value in/);
      const empty = memoryIo('\n');
      assert.equal(await credentialsSet(store, ['cli/y', '--kind', 'generic'], empty), 2);
      assert.match(empty.err.join(''), /the value is empty/);
    });

    it('list, rotate and delete print names and counts, never values', async () => {
      const store = new CredentialStore(pool, new Keyring([{ id: 'k4', key: randomBytes(32) }, k2]));
      const listIo = memoryIo();
      assert.equal(await credentialsList(store, [], listIo), 0);
      const listed = listIo.out.join('');
      assert.match(listed, /^NAME +KIND +KEY +UPDATED\n/);
      assert.match(listed, /cli\/passphrase +sftp-passphrase +k2 +\d{4}-/);
      assertNoPlaintext(listed);
      assert.ok(!listed.includes('cli-Passphrase-71aa'));

      const rotateIo = memoryIo();
      assert.equal(await credentialsRotate(store, [], rotateIo), 0);
      assert.deepEqual(rotateIo.out, ['Re-encrypted 5 credential(s) under the active key.\n']);

      const deleteIo = memoryIo();
      assert.equal(await credentialsDelete(store, ['cli/key'], deleteIo), 0);
      assert.equal(await credentialsDelete(store, ['cli/key'], deleteIo), 1);
      assert.match(deleteIo.err.join(''), /no credential named "cli\/key"/);
    });

    it('a wrong master key is reported as a message and exit code 1', async () => {
      const store = new CredentialStore(pool, new Keyring([{ id: 'k9', key: randomBytes(32) }]));
      await store.set('cli/other', 'generic', 'other-value');
      const io = memoryIo();
      assert.equal(await credentialsRotate(store, [], io), 1);
      assert.match(io.err.join(''), /^credentials: Master key "k4" is not in the keyring \(it holds: k9\)/);
    });
  });
});
