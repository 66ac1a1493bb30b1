import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { reconcile } from '../../src/audit';
import { buildIntegrations } from '../../src/integrations';
import { previewNextFile } from '../../src/preview';
import { listRemoteFolder } from '../../src/sftp';
import { integrationConfig, startTestStack, startWorker, type TestStack } from '../support/stack';
import { sync } from '../support/sync';

// sftp.compress: the file is compressed at render time (before PGP), the compressed bytes are
// archived and delivered, and what lands decompresses to exactly the rendered text (the preview's,
// which runs the same pipeline without compression).

const loadOpenPgp = () => import('openpgp');

describe('compressed delivery: gzip, zip, gzip under PGP', () => {
  let openpgp: Awaited<ReturnType<typeof loadOpenPgp>>;
  let partner: { privateKey: string; publicKey: string };
  let stack: TestStack;
  let worker: { stop(): Promise<void> };

  before(async () => {
    openpgp = await loadOpenPgp();
    partner = await openpgp.generateKey({
      userIDs: [{ name: 'partner', email: 'partner@example.com' }],
      type: 'ecc',
      curve: 'curve25519Legacy',
      format: 'armored',
    });
    stack = await startTestStack({
      integrations: (simUrl, sshd) =>
        (
          [
            ['gl-gzip', { compress: 'gzip' }],
            ['gl-zip', { compress: 'zip' }],
            ['gl-gzip-pgp', { compress: 'gzip', pgp: { recipientKeyEnv: 'PARTNER_PGP_KEY' } }],
          ] as const
        ).map(([id, sftp]) => {
          const base = integrationConfig(simUrl, sshd, id);
          return { ...base, sftp: { ...base.sftp, ...sftp } };
        }),
      secretsEnv: { PARTNER_PGP_KEY: partner.publicKey },
    });
    worker = await startWorker(stack);
  });
  after(async () => {
    await worker?.stop();
    await stack?.close();
  });

  /** The preview's text, then the sync that delivers the same window, and the bytes that landed. */
  async function previewThenSync(id: string) {
    const rt = buildIntegrations(stack.config, stack.secrets).get(id)!;
    let text: string;
    try {
      text = (await previewNextFile(stack.ledger, rt)).text;
    } finally {
      await rt.fusion.close();
    }
    const result = await sync(stack, id);
    assert.ok(result.file, 'a file was delivered');
    const landed = readFileSync(join(stack.sshd.folder, result.file.fileName));
    assert.equal(
      createHash('sha256').update(landed).digest('hex'),
      result.file.sha256,
      'the archived bytes landed',
    );
    assert.ok(text.length > 0);
    return { text, result, landed };
  }

  it('gzip: `.csv.gz` that gunzips to the rendered CSV', async () => {
    const { text, result, landed } = await previewThenSync('gl-gzip');
    assert.match(result.file!.fileName, /\.csv\.gz$/);
    assert.ok(landed.length < Buffer.byteLength(text), 'smaller than the CSV');
    assert.equal(gunzipSync(landed).toString('utf8'), text);
  });

  it('zip: one entry, named as the file with .csv, holding the rendered CSV; reconcile sees no difference', async () => {
    const { text, result, landed } = await previewThenSync('gl-zip');
    assert.match(result.file!.fileName, /\.zip$/);
    const entries = unzipSync(new Uint8Array(landed));
    assert.deepEqual(Object.keys(entries), [result.file!.fileName.replace(/\.zip$/, '.csv')]);
    assert.equal(Buffer.from(Object.values(entries)[0]!).toString('utf8'), text);
    const rt = buildIntegrations(stack.config, stack.secrets).get('gl-zip')!;
    try {
      const diff = await reconcile(stack.ledger, 'gl-zip', await listRemoteFolder(rt.sftp, { hash: true }));
      assert.deepEqual([diff.missing.length, diff.altered.length], [0, 0]);
    } finally {
      await rt.fusion.close();
    }
  });

  it('gzip under PGP: compressed first, then encrypted (decrypt, gunzip, the CSV)', async () => {
    const { text, result, landed } = await previewThenSync('gl-gzip-pgp');
    assert.match(result.file!.fileName, /\.csv\.gz\.pgp$/);
    const { data } = await openpgp.decrypt({
      message: await openpgp.readMessage({ binaryMessage: new Uint8Array(landed) }),
      decryptionKeys: await openpgp.readPrivateKey({ armoredKey: partner.privateKey }),
      format: 'binary',
    });
    assert.equal(gunzipSync(Buffer.from(data as Uint8Array)).toString('utf8'), text);
  });
});
