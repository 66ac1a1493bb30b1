import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { integrationConfig, startTestStack, startWorker, type TestStack } from '../support/stack';
import { sync } from '../support/sync';

const loadOpenPgp = () => import('openpgp');

// A partner that wants files encrypted to its OpenPGP key and signed with ours: the delivered
// file decrypts with the partner's private key, verifies with our public key, and is exactly
// the CSV the ledger recorded (its sha256).

describe('PGP-encrypted delivery', { timeout: 120_000 }, () => {
  let openpgp: Awaited<ReturnType<typeof loadOpenPgp>>;
  let partner: { privateKey: string; publicKey: string };
  let ours: { privateKey: string; publicKey: string };
  let stack: TestStack;
  let worker: { stop(): Promise<void> };

  before(async () => {
    openpgp = await loadOpenPgp();
    const key = (name: string) =>
      openpgp.generateKey({
        userIDs: [{ name, email: `${name}@example.com` }],
        type: 'ecc',
        curve: 'curve25519Legacy',
        format: 'armored',
      });
    partner = await key('partner');
    ours = await key('ml-connector');
    stack = await startTestStack({
      integrations: (simUrl, sshd) => {
        const base = integrationConfig(simUrl, sshd, 'gl-pgp');
        return [
          {
            ...base,
            sftp: { ...base.sftp, pgp: { recipientKeyEnv: 'PARTNER_PGP_KEY', signingKeyEnv: 'OUR_PGP_KEY' } },
          },
        ];
      },
      secretsEnv: { PARTNER_PGP_KEY: partner.publicKey, OUR_PGP_KEY: ours.privateKey },
    });
    worker = await startWorker(stack);
  });
  after(async () => {
    await worker?.stop();
    await stack?.close();
  });

  it('decrypts with the partner key, verifies with ours, and equals the recorded CSV bytes', async () => {
    const result = await sync(stack, 'gl-pgp');
    assert.ok(result.file);
    assert.match(result.file.fileName, /\.csv\.pgp$/);
    const encrypted = readFileSync(join(stack.sshd.folder, result.file.fileName));
    assert.equal(
      createHash('sha256').update(encrypted).digest('hex'),
      result.file.sha256,
      'delivered = archived bytes',
    );
    assert.ok(!encrypted.includes(Buffer.from('Batch,Journal')), 'no plain text on the wire');

    const { data, signatures } = await openpgp.decrypt({
      message: await openpgp.readMessage({ binaryMessage: encrypted }),
      decryptionKeys: await openpgp.readPrivateKey({ armoredKey: partner.privateKey }),
      verificationKeys: await openpgp.readKey({ armoredKey: ours.publicKey }),
      format: 'binary',
      expectSigned: true,
    });
    await signatures[0]!.verified;
    const plaintext = Buffer.from(data as Uint8Array);
    const { rows } = await stack.pool.query(`SELECT summary FROM outbound_file WHERE file_name = $1`, [
      result.file.fileName,
    ]);
    assert.equal(createHash('sha256').update(plaintext).digest('hex'), rows[0].summary.pgp.plaintext.sha256);
    const csv = parse(plaintext) as string[][];
    assert.equal(csv[0]![0], 'Batch');
    assert.equal(csv.length - 1, stack.sim.flatJournalLines().length);
  });
});
