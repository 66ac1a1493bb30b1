import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Failpoint } from '../../src/activities';
import { syncIntegration } from '../../src/workflows';
import { startTestStack, startWorker, type TestStack } from '../support/stack';

// A sync workflow that ends without closing its ledger run (terminated in the Web UI, timed out)
// would leave the run open and block every later sync. The next sync releases it: before a file
// exists the run is closed as failed and its window read again; once a file exists, that file is
// delivered first. Either way each record goes out once.

describe('a sync workflow terminated mid-run', { timeout: 120_000 }, () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> };
  // The failpoint that holds the first activity to reach it, until the test lets it go (with an error).
  let holdAt: Failpoint | null = null;
  let held: { reached: boolean; release: (err: Error) => void } | null = null;

  before(async () => {
    stack = await startTestStack();
    worker = await startWorker(stack, {
      failpoint: async (at) => {
        if (at !== holdAt || held) return;
        await new Promise<void>((_, reject) => {
          held = { reached: true, release: reject };
        });
      },
    });
  });

  after(async () => {
    held?.release(new Error('test over'));
    await worker?.stop();
    await stack?.close();
  });

  const runs = async () =>
    (
      await stack.pool.query(
        'SELECT run_key AS "runKey", status, last_error AS "lastError" FROM sync_run ORDER BY started_at',
      )
    ).rows as { runKey: string; status: string; lastError: string | null }[];

  async function terminateAt(point: Failpoint, workflowId: string) {
    holdAt = point;
    held = null;
    const handle = await stack.client.workflow.start(syncIntegration, {
      taskQueue: stack.taskQueue,
      workflowId,
      args: [{ integrationId: 'gl-journal-lines' }],
    });
    for (let i = 0; !held; i++) {
      if (i > 300) throw new Error(`the sync never reached ${point}`);
      await sleep(100);
    }
    await handle.terminate('terminated by an operator (test)');
    // The held activity fails after its workflow is gone; nothing waits for it.
    (held as unknown as { release: (err: Error) => void }).release(new Error('released after terminate'));
    holdAt = null;
    const { runId } = await handle.describe();
    return `${workflowId}/${runId}`;
  }

  it('mid-extraction: the next sync closes the run as failed, reads the window again and sends every line once', async () => {
    const lines = stack.sim.flatJournalLines().length;
    const abandoned = await terminateAt('mid-extraction', `abandoned-extract-${Date.now()}`);
    assert.equal((await runs()).find((r) => r.runKey === abandoned)?.status, 'staging', 'left open');

    const result = await stack.client.workflow.execute(syncIntegration, {
      taskQueue: stack.taskQueue,
      workflowId: `after-abandoned-extract-${Date.now()}`,
      args: [{ integrationId: 'gl-journal-lines' }],
    });
    assert.equal(result.sent, lines);
    const closed = (await runs()).find((r) => r.runKey === abandoned)!;
    assert.equal(closed.status, 'failed');
    assert.match(closed.lastError ?? '', /abandoned: workflow abandoned-extract-/);
    const { rows } = await stack.pool.query(
      'SELECT count(*)::int AS entries, count(DISTINCT record_id)::int AS records FROM ledger_entry',
    );
    assert.deepEqual(rows[0], { entries: lines, records: lines });
    assert.equal(readdirSync(stack.sshd.folder).length, 1);
  });

  it('between upload and commit: the next sync delivers that file first (no second copy), then its own window', async () => {
    const before = stack.sim.flatJournalLines().length;
    stack.sim.journals.createJournal({
      batchName: 'Abandoned accrual',
      headers: [
        {
          journalName: 'Abandoned accrual J1',
          periodName: 'Nov-26',
          accountingDate: '2026-11-26',
          lines: [
            { accountCombination: '101-20-60010-000', enteredDr: '42.10' },
            { accountCombination: '101-00-21500-000', enteredCr: '42.10' },
          ],
        },
      ],
    });
    const abandoned = await terminateAt('before-commit', `abandoned-commit-${Date.now()}`);
    assert.equal((await runs()).find((r) => r.runKey === abandoned)?.status, 'uploaded', 'left open');
    const filesBefore = readdirSync(stack.sshd.folder).length;

    const result = await stack.client.workflow.execute(syncIntegration, {
      taskQueue: stack.taskQueue,
      workflowId: `after-abandoned-commit-${Date.now()}`,
      args: [{ integrationId: 'gl-journal-lines' }],
    });
    assert.equal(result.resumed?.uploadedNow, false, 'the abandoned file was already on the server');
    assert.equal(result.sent, 0, 'its lines were committed with the abandoned file');
    assert.equal(readdirSync(stack.sshd.folder).length, filesBefore, 'no second copy, no new file');
    assert.equal((await runs()).find((r) => r.runKey === abandoned)?.status, 'committed');
    const { rows } = await stack.pool.query(
      'SELECT count(*)::int AS entries, count(DISTINCT record_id)::int AS records FROM ledger_entry',
    );
    assert.deepEqual(rows[0], { entries: before + 2, records: before + 2 });
  });
});
