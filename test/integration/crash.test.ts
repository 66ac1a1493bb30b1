import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SyncResult } from '../../src/shared';
import { syncIntegration } from '../../src/workflows';
import { startTestStack, type TestStack } from '../support/stack';

// The worker process is killed (SIGKILL, by a failpoint) after the upload and before the
// commit; a new worker process finishes the run. The file must arrive once and the ledger
// must hold each record once.

function startWorkerProcess(stack: TestStack, configPath: string, failpoint?: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../src/worker.ts')], {
    env: {
      ...process.env,
      ...stack.secretsEnv,
      DATABASE_URL: stack.databaseUrl,
      TEMPORAL_ADDRESS: stack.temporal.address,
      ML_CONNECTOR_CONFIG: configPath,
      ML_CONNECTOR_TASK_QUEUE: stack.taskQueue,
      ML_CONNECTOR_FAILPOINT: failpoint ?? '',
      LOG_LEVEL: 'warn',
      ML_CONNECTOR_METRICS_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Worker logs go to the test's stderr: a failure here is read from them.
  child.stdout?.pipe(process.stderr);
  child.stderr?.pipe(process.stderr);
  return child;
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function ledgerCounts(stack: TestStack) {
  const { rows } = await stack.ledger.pool.query(
    `SELECT count(*)::int AS entries, count(DISTINCT (record_id, record_version))::int AS versions,
            count(DISTINCT file_id)::int AS files FROM ledger_entry`,
  );
  return rows[0] as { entries: number; versions: number; files: number };
}

describe('a worker killed between upload and commit', { timeout: 180_000 }, () => {
  let stack: TestStack;
  let configPath: string;
  const children: ChildProcess[] = [];

  before(async () => {
    stack = await startTestStack();
    configPath = join(stack.sshd.dir, 'ml-connector.config.json');
    writeFileSync(configPath, JSON.stringify(stack.rawConfig));
  });

  after(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await stack?.close();
  });

  async function runThroughCrash(failpoint: string, workflowId: string): Promise<SyncResult> {
    const doomed = startWorkerProcess(stack, configPath, failpoint);
    children.push(doomed);
    const handle = await stack.client.workflow.start(syncIntegration, {
      taskQueue: stack.taskQueue,
      workflowId,
      args: [{ integrationId: 'gl-journal-lines', heartbeatTimeout: '3s' }],
    });
    const death = await exitOf(doomed);
    assert.equal(death.signal, 'SIGKILL', `the first worker died at ${failpoint}`);
    const rescuer = startWorkerProcess(stack, configPath);
    children.push(rescuer);
    const result = await handle.result();
    rescuer.kill('SIGTERM');
    await exitOf(rescuer);
    return result;
  }

  it('after the file is renamed into place: the retry finds it and uploads no second copy', async () => {
    const lines = stack.sim.flatJournalLines().length;
    const result = await runThroughCrash('after-upload', `crash-after-upload-${Date.now()}`);
    assert.ok(result.file);
    assert.equal(result.file.uploadedNow, false, 'the retried upload found the file already delivered');
    assert.deepEqual(
      readdirSync(stack.sshd.folder),
      [result.file.fileName],
      'one file, no temporary leftovers',
    );
    assert.equal(result.sent, lines);
    assert.deepEqual(await ledgerCounts(stack), { entries: lines, versions: lines, files: 1 });
  });

  it('after the upload activity completed: the commit runs once on the new worker', async () => {
    const before = stack.sim.flatJournalLines().length;
    stack.sim.journals.createJournal({
      batchName: 'Late accrual',
      headers: [
        {
          journalName: 'Late accrual J1',
          periodName: 'Nov-26',
          accountingDate: '2026-11-26',
          lines: [
            { accountCombination: '101-20-60010-000', enteredDr: '300.10' },
            { accountCombination: '101-00-21500-000', enteredCr: '300.10' },
          ],
        },
      ],
    });
    const result = await runThroughCrash('before-commit', `crash-before-commit-${Date.now()}`);
    assert.ok(result.file);
    assert.equal(result.file.uploadedNow, true);
    assert.equal(result.sent, 2, 'only the two new lines');
    assert.equal(readdirSync(stack.sshd.folder).length, 2);
    assert.deepEqual(await ledgerCounts(stack), { entries: before + 2, versions: before + 2, files: 2 });
  });
});
