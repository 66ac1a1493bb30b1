import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { SyncResult } from '../../src/shared';
import { syncIntegration } from '../../src/workflows';
import { startTestStack, type TestStack } from '../support/stack';
import { startWorkerProcess, type WorkerProcess, writeStackConfig } from '../support/workerProcess';

// The worker process is killed (SIGKILL, by a failpoint) after the upload and before the
// commit; a new worker process finishes the run. The file must arrive once and the ledger
// must hold each record once.

async function ledgerCounts(stack: TestStack) {
  const { rows } = await stack.pool.query(
    `SELECT count(*)::int AS entries, count(DISTINCT (record_id, record_version))::int AS versions,
            count(DISTINCT file_id)::int AS files FROM ledger_entry`,
  );
  return rows[0] as { entries: number; versions: number; files: number };
}

describe('a worker killed between upload and commit', { timeout: 180_000 }, () => {
  let stack: TestStack;
  let configPath: string;
  const workers: WorkerProcess[] = [];

  before(async () => {
    stack = await startTestStack();
    configPath = writeStackConfig(stack);
  });

  after(async () => {
    for (const w of workers) await w.stop();
    await stack?.close();
  });

  async function runThroughCrash(failpoint: string, workflowId: string): Promise<SyncResult> {
    const doomed = startWorkerProcess(stack, configPath, { ML_CONNECTOR_FAILPOINT: failpoint });
    workers.push(doomed);
    const handle = await stack.client.workflow.start(syncIntegration, {
      taskQueue: stack.taskQueue,
      workflowId,
      args: [{ integrationId: 'gl-journal-lines', heartbeatTimeout: '3s' }],
    });
    const death = await doomed.exited();
    assert.equal(death.signal, 'SIGKILL', `the first worker died at ${failpoint}`);
    const rescuer = startWorkerProcess(stack, configPath);
    workers.push(rescuer);
    const result = await handle.result();
    await rescuer.stop();
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
