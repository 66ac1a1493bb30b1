import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { type SshdInstance, startSshd } from '../../dev/sshd';
import { createAlertSinks } from '../../src/alerts';
import { auditFiles, reconcileDestination } from '../../src/audit';
import { statusReport } from '../../src/client/status';
import { buildIntegrations } from '../../src/integrations';
import { listRemoteFolder } from '../../src/sftp';
import type { DestinationRetry, SyncResult } from '../../src/shared';
import { retryWorkflowId } from '../../src/shared/workflowIds';
import { replayFile, retryDelivery } from '../../src/workflows';
import { integrationConfig, startTestStack, startWorker, type TestStack } from '../support/stack';
import { sync } from '../support/sync';
import { startWebhookReceiver } from '../support/webhook';

// Several destinations on real OpenSSH servers: one render, the primary (`sftp`) on the stack's
// sshd, `bank` on a second sshd with gzip, `auditor` in another folder of the first. With `bank`
// down the run still commits and the others get their file; `bank` alone is recorded failed and
// alerted, and the retry (then the next sync) gives it only what it lacks, each file once.

const ID = 'gl-multi';

const filesIn = (folder: string) =>
  readdirSync(folder)
    .filter((n) => n.startsWith(`${ID}_`))
    .sort();

describe('several destinations', { timeout: 300_000 }, () => {
  let stack: TestStack;
  let bank: SshdInstance;
  let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let worker: { stop(): Promise<void> };
  let auditorFolder: string;

  const addJournal = async () => {
    const n = randomUUID().slice(0, 8);
    stack.sim.journals.createJournal({
      batchName: `Destinations batch ${n}`,
      headers: [
        {
          journalName: `Destinations journal ${n}`,
          periodName: 'Nov-26',
          accountingDate: '2026-11-26',
          lines: [
            { accountCombination: '101-20-60010-000', enteredDr: '12.50' },
            { accountCombination: '101-00-21500-000', enteredCr: '12.50' },
          ],
        },
      ],
    });
    await sleep(1100); // the new rows' stamps fall before the next window's end
  };

  const rows = async (destinationId: string) =>
    (
      await stack.pool.query<{
        status: string;
        attempts: number;
        last_error: string | null;
        run_key: string;
      }>(
        `SELECT d.status, d.attempts, d.last_error, f.run_key FROM file_destination d JOIN outbound_file f USING (file_id)
         WHERE d.destination_id = $1 ORDER BY d.file_id`,
        [destinationId],
      )
    ).rows;

  before(async () => {
    webhook = await startWebhookReceiver();
    bank = await startSshd();
    stack = await startTestStack({
      config: { alerts: { webhook: { url: webhook.url } } },
      integrations: (simUrl, sshd) => {
        const base = integrationConfig(simUrl, sshd, ID);
        auditorFolder = join(sshd.folder, 'auditor');
        return [
          {
            ...base,
            destinations: [
              {
                id: 'bank',
                host: bank.host,
                port: bank.port,
                username: bank.username,
                auth: { type: 'privateKey', privateKeyEnv: 'BANK_SFTP_KEY' },
                hostKey: { sha256: bank.hostKeySha256 },
                folder: bank.folder,
                compress: 'gzip',
                retryWindowMinutes: 1,
                connectTimeoutSeconds: 3,
              },
              { id: 'auditor', ...base.sftp, folder: auditorFolder, createFolder: true },
            ],
          },
        ];
      },
      secretsEnv: { BANK_SFTP_KEY: bank.privateKey },
    });
    worker = await startWorker(stack, {
      alertSinks: await createAlertSinks(stack.config.alerts!, { env: {} }),
    });
  });

  after(async () => {
    await worker?.stop();
    await stack?.close();
    await bank?.dispose();
    await webhook?.close();
  });

  it('one render, every destination gets the file: the primary and auditor the CSV, bank its gzip', async () => {
    const result = await sync(stack, ID, { heartbeatTimeout: '5s' });
    assert.ok(result.file);
    const primary = readFileSync(join(stack.sshd.folder, result.file.fileName));
    assert.deepEqual(filesIn(stack.sshd.folder), [result.file.fileName]);
    assert.deepEqual(filesIn(auditorFolder), [result.file.fileName]);
    assert.deepEqual(readFileSync(join(auditorFolder, result.file.fileName)), primary);
    assert.deepEqual(filesIn(bank.folder), [`${result.file.fileName}.gz`]);
    assert.deepEqual(gunzipSync(readFileSync(join(bank.folder, `${result.file.fileName}.gz`))), primary);
    assert.deepEqual(
      result.destinations?.map((d) => [d.destinationId, d.delivered, d.uploadedNow]),
      [
        ['auditor', true, true],
        ['bank', true, true],
      ],
    );
    assert.deepEqual(
      (await rows('bank')).map((r) => [r.status, r.attempts]),
      [['delivered', 1]],
    );
    assert.equal(webhook.received.length, 0, 'no alert');
  });

  it('bank down: the run commits, the primary and auditor get the file, bank alone fails and alerts', async () => {
    await addJournal();
    const watermarkBefore = await stack.ledger.watermark(ID);
    await bank.stop();
    const result = await sync(stack, ID, { heartbeatTimeout: '5s' });
    assert.ok(result.file, 'the run delivered its file');
    assert.ok(result.sent > 0);
    assert.ok(result.watermark > (watermarkBefore ?? ''), 'the watermark moved');
    assert.equal(filesIn(stack.sshd.folder).length, 2);
    assert.equal(filesIn(auditorFolder).length, 2);
    assert.equal(filesIn(bank.folder).length, 1, 'bank did not get the second file');
    const bankOutcome = result.destinations?.find((d) => d.destinationId === 'bank');
    assert.equal(bankOutcome?.delivered, false);
    assert.match(bankOutcome?.error ?? '', /\S/);
    assert.equal(result.destinations?.find((d) => d.destinationId === 'auditor')?.delivered, true);

    const bankRows = await rows('bank');
    assert.deepEqual(
      bankRows.map((r) => r.status),
      ['delivered', 'failed'],
    );
    assert.ok(bankRows[1]!.attempts >= 1);
    assert.match(bankRows[1]!.last_error ?? '', /\S/);
    assert.deepEqual(
      (await rows('auditor')).map((r) => r.status),
      ['delivered', 'delivered'],
    );
    // One alert, for bank only; no failed run (the run committed).
    assert.equal(webhook.received.length, 1);
    const alert = JSON.stringify(webhook.received[0]);
    assert.match(alert, /delivery to bank failed/);
    assert.doesNotMatch(alert, /auditor/);
    assert.deepEqual(await stack.ledger.failedRuns(ID), []);

    // status and the overview name each destination.
    const overview = await stack.ledger.destinationOverview(ID);
    assert.deepEqual(
      overview.map((o) => [o.destinationId, o.delivered, o.failed]),
      [
        ['auditor', 2, 0],
        ['bank', 1, 1],
      ],
    );
    assert.match(overview.find((o) => o.destinationId === 'bank')?.lastError ?? '', /\S/);
  });

  it('retry delivers to bank only what it lacks; the next sync sends no file twice', async () => {
    await bank.start();
    const failed = (await rows('bank'))[1]!;
    const retried = (await stack.client.workflow.execute(retryDelivery, {
      taskQueue: stack.taskQueue,
      workflowId: retryWorkflowId(failed.run_key),
      args: [{ integrationId: ID, runKey: failed.run_key, heartbeatTimeout: '5s' }],
    })) as DestinationRetry;
    assert.deepEqual(
      retried.destinations.map((d) => [d.destinationId, d.delivered]),
      [['bank', true]],
    );
    assert.equal(filesIn(bank.folder).length, 2);
    assert.equal(filesIn(stack.sshd.folder).length, 2, 'the primary got nothing again');
    assert.equal(filesIn(auditorFolder).length, 2, 'auditor got nothing again');

    await addJournal();
    const next: SyncResult = await sync(stack, ID, { heartbeatTimeout: '5s' });
    assert.ok(next.file);
    assert.deepEqual(
      next.destinations?.map((d) => [d.destinationId, d.delivered]),
      [
        ['auditor', true],
        ['bank', true],
      ],
      'only the new file went out',
    );
    assert.equal(filesIn(stack.sshd.folder).length, 3);
    assert.equal(filesIn(auditorFolder).length, 3);
    assert.equal(filesIn(bank.folder).length, 3);
    assert.deepEqual(
      (await rows('bank')).map((r) => r.status),
      ['delivered', 'delivered', 'delivered'],
    );
  });

  it('a worker that dies after uploading to a destination: the retry finds the file there, sends nothing twice', async () => {
    await worker.stop();
    let afterUploads = 0;
    worker = await startWorker(stack, {
      alertSinks: await createAlertSinks(stack.config.alerts!, { env: {} }),
      // The first after-upload is the primary's; the second, auditor's (its outcome lost).
      failpoint: (at) => {
        if (at === 'after-upload' && ++afterUploads === 2)
          throw new Error('worker died after upload (failpoint)');
      },
    });
    await addJournal();
    const result = await sync(stack, ID, { heartbeatTimeout: '5s' });
    assert.ok(result.file);
    assert.deepEqual(
      result.destinations?.map((d) => [d.destinationId, d.delivered, d.uploadedNow]),
      [
        ['auditor', true, false],
        ['bank', true, true],
      ],
    );
    assert.equal(filesIn(stack.sshd.folder).length, 4);
    assert.equal(filesIn(auditorFolder).length, 4);
    assert.equal(filesIn(bank.folder).length, 4);
  });

  it('audit files and reconcile see each destination with its own bytes', async () => {
    const files = await auditFiles(stack.ledger, { integrationId: ID });
    assert.equal(files.length, 4);
    for (const f of files) {
      assert.deepEqual(
        f.destinations?.map((d) => [d.destination, d.status]),
        [
          ['auditor', 'delivered'],
          ['bank', 'delivered'],
        ],
      );
      const auditor = f.destinations!.find((d) => d.destination === 'auditor')!;
      const bankCopy = f.destinations!.find((d) => d.destination === 'bank')!;
      assert.equal(auditor.sha256, f.sha256, 'auditor gets the file as it is');
      assert.notEqual(bankCopy.sha256, f.sha256, 'bank gets its gzip');
      assert.match(bankCopy.remotePath, /\.csv\.gz$/);
    }
    const status = await statusReport(stack.client, stack.ledger, ID, async () => false);
    assert.deepEqual(
      status.destinations?.map((d) => [d.destinationId, d.delivered, d.failed, d.pending]),
      [
        ['primary', 4, 0, 0],
        ['auditor', 4, 0, 0],
        ['bank', 4, 0, 0],
      ],
    );
    const rt = buildIntegrations(stack.config, stack.secrets).get(ID)!;
    try {
      for (const d of rt.destinations) {
        const listing = await listRemoteFolder(d.sftp, { hash: true });
        const result = await reconcileDestination(stack.ledger, ID, d.id, listing);
        assert.equal(result.matched.length, 4, d.id);
        assert.deepEqual(
          result.matched.map((m) => m.verifiedBy),
          ['sha256', 'sha256', 'sha256', 'sha256'],
        );
        assert.deepEqual([result.missing, result.altered, result.pending], [[], [], []], d.id);
      }
    } finally {
      await rt.fusion.close();
    }
  });

  it('replay --destination bank: its own archived bytes again, under its name there, logged with the reason', async () => {
    const [first] = await auditFiles(stack.ledger, { integrationId: ID });
    const bankCopy = first!.destinations!.find((d) => d.destination === 'bank')!;
    const name = bankCopy.remotePath.split('/').pop()!;
    const landed = readFileSync(join(bank.folder, name));
    unlinkSync(join(bank.folder, name)); // the partner lost it
    const replayed = await stack.client.workflow.execute(replayFile, {
      taskQueue: stack.taskQueue,
      workflowId: `replay-${ID}-${randomUUID()}`,
      args: [{ integrationId: ID, fileName: first!.fileName, reason: 'bank lost it', destination: 'bank' }],
    });
    assert.equal(replayed.fileName, name);
    assert.equal(replayed.uploadedNow, true);
    assert.deepEqual(readFileSync(join(bank.folder, name)), landed, 'the same bytes as first delivered');
    assert.equal(filesIn(stack.sshd.folder).length, 4, 'the primary got nothing');
    const log = await stack.ledger.fileDeliveries(first!.fileId, 10);
    assert.deepEqual(
      log.filter((d) => d.kind === 'replay').map((d) => [d.destination, d.reason]),
      [['bank', 'bank lost it']],
    );
  });
});
