import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditRecords, reconcile } from '../../src/audit';
import { buildIntegrations } from '../../src/integrations';
import { previewNextFile } from '../../src/preview';
import { listRemoteFolder } from '../../src/sftp';
import type { SyncResult } from '../../src/shared';
import { replayWorkflowId } from '../../src/shared/workflowIds';
import { replayFile } from '../../src/workflows';
import { startTestStack, startWorker, type TestStack } from '../support/stack';
import { sync } from '../support/sync';

// The admin's verbs on real services: preview changes nothing, replay sends identical bytes,
// reconcile finds a deleted and an altered file, audit answers "which file, when" — the last also
// through the CLI as a process.

describe('preview, replay, reconcile, audit', { timeout: 180_000 }, () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> };
  const files: SyncResult['file'][] = [];

  const syncKeepingFile = async () => {
    const r = await sync(stack);
    if (r.file) files.push(r.file);
    return r;
  };
  const runtime = () => buildIntegrations(stack.config, stack.secrets).get('gl-journal-lines')!;
  const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

  before(async () => {
    stack = await startTestStack();
    worker = await startWorker(stack);
    await syncKeepingFile();
    const line = stack.sim.flatJournalLines()[2]!;
    stack.sim.journals.updateLine(Number(line.JeHeaderId), Number(line.JeLineNumber), {
      Description: 'second file',
    });
    await syncKeepingFile();
    assert.equal(files.length, 2);
  });
  after(async () => {
    await worker?.stop();
    await stack?.close();
  });

  it('preview shows what the next sync would send and changes nothing', async () => {
    const line = stack.sim.flatJournalLines()[4]!;
    stack.sim.journals.updateLine(Number(line.JeHeaderId), Number(line.JeLineNumber), {
      Description: 'previewed',
    });
    const snapshot = async () =>
      (
        await stack.pool.query(
          `SELECT (SELECT count(*) FROM ledger_entry)::int AS entries, (SELECT count(*) FROM sync_run)::int AS runs,
                  (SELECT count(*) FROM outbound_file)::int AS files, (SELECT count(*) FROM staged_record)::int AS staged,
                  (SELECT last_update_date::text FROM watermark) AS watermark`,
        )
      ).rows[0];
    const before = await snapshot();
    const remoteBefore = (await listRemoteFolder(runtime().sftp)).map((f) => f.name);
    const rt = runtime();
    const preview = await previewNextFile(stack.ledger, rt);
    await rt.fusion.close();
    assert.equal(preview.wouldSend, 1);
    assert.ok(preview.file && preview.file.bytes > 0);
    assert.match(preview.text, /previewed/);
    assert.deepEqual(await snapshot(), before, 'no ledger row, run, file, staging or watermark change');
    assert.deepEqual(
      (await listRemoteFolder(runtime().sftp)).map((f) => f.name),
      remoteBefore,
      'nothing uploaded',
    );
  });

  it('replay delivers the archived bytes again, identical, with the reason recorded', async () => {
    const file = files[0]!;
    const path = join(stack.sshd.folder, file.fileName);
    const original = sha(path);
    rmSync(path); // the partner lost it
    const replayed = await stack.client.workflow.execute(replayFile, {
      taskQueue: stack.taskQueue,
      workflowId: replayWorkflowId('gl-journal-lines', new Date()),
      args: [{ integrationId: 'gl-journal-lines', fileName: file.fileName, reason: 'partner lost the file' }],
    });
    assert.equal(replayed.uploadedNow, true);
    assert.equal(sha(path), original, 'byte-identical');
    assert.equal(sha(path), file.sha256);
    const { rows } = await stack.pool.query(
      `SELECT kind, uploaded_now, reason FROM file_delivery d JOIN outbound_file f USING (file_id)
       WHERE f.file_name = $1 ORDER BY delivery_id`,
      [file.fileName],
    );
    assert.deepEqual(rows.at(-1), { kind: 'replay', uploaded_now: true, reason: 'partner lost the file' });
    const { rows: entries } = await stack.pool.query('SELECT count(*)::int AS n FROM ledger_entry');
    assert.equal(entries[0].n, stack.sim.flatJournalLines().length + 1, 'a replay adds no ledger entries');
  });

  it('reconcile finds a file deleted and another altered on the server', async () => {
    rmSync(join(stack.sshd.folder, files[0]!.fileName));
    const second = join(stack.sshd.folder, files[1]!.fileName);
    const bytes = readFileSync(second);
    bytes[bytes.length - 3] = bytes[bytes.length - 3] === 0x41 ? 0x42 : 0x41; // same size, other content
    writeFileSync(second, bytes);
    writeFileSync(join(stack.sshd.folder, 'stranger.csv'), 'not ours');
    const result = await reconcile(
      stack.ledger,
      'gl-journal-lines',
      await listRemoteFolder(runtime().sftp, { hash: true }),
    );
    assert.deepEqual(
      result.missing.map((f) => f.fileName),
      [files[0]!.fileName],
    );
    assert.deepEqual(
      result.altered.map((f) => f.fileName),
      [files[1]!.fileName],
    );
    assert.deepEqual(
      result.extra.map((f) => f.name),
      ['stranger.csv'],
    );
  });

  it('audit answers which file carried a record and when, also through the CLI', async () => {
    const line = stack.sim.flatJournalLines()[2]!;
    const recordId = `${line.JeHeaderId}:${line.JeLineNumber}`;
    const found = await auditRecords(stack.ledger, { integrationId: 'gl-journal-lines', recordId });
    assert.deepEqual(
      found.records.map((r) => r.fileName),
      [files[0]!.fileName, files[1]!.fileName],
      'both versions, each in its file',
    );
    const configPath = join(stack.sshd.dir, 'admin.config.json');
    writeFileSync(configPath, JSON.stringify(stack.rawConfig));
    const cli = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(__dirname, '../../src/client/main.ts'),
        'audit',
        'records',
        '--record',
        recordId,
        '--format',
        'csv',
      ],
      {
        env: {
          ...process.env,
          ...stack.secretsEnv,
          DATABASE_URL: stack.databaseUrl,
          ML_CONNECTOR_CONFIG: configPath,
        },
        encoding: 'utf8',
      },
    );
    assert.equal(cli.status, 0, cli.stderr);
    assert.ok(cli.stdout.includes(files[1]!.fileName));
    assert.ok(cli.stdout.split('\r\n')[0]!.startsWith('integrationId,'), 'a CSV with a header row');
  });
});
