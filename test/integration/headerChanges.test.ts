import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'csv-parse/sync';
import type { SyncResult } from '../../src/shared';
import { startTestStack, startWorker, type TestStack } from '../support/stack';
import { sync } from '../support/sync';

// Header-only changes: a journal header or batch changes a field the rendered row carries while
// no line changes. The lines whose rendered content changed go out again; the others do not.

describe('journal header and batch changes without line changes', () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> };
  let headerA = 0;
  let headerB = 0;
  let batchId = 0;

  // A sync's window ends at a whole second before its start: let the change's millisecond stamp
  // fall inside the next window.
  const afterThisSecond = () => sleep(1100 - (Date.now() % 1000));

  const rows = (result: SyncResult): string[][] => {
    assert.ok(result.file, 'a file was delivered');
    return (parse(readFileSync(join(stack.sshd.folder, result.file.fileName))) as string[][]).slice(1);
  };

  before(async () => {
    stack = await startTestStack({ stampPrecision: 'millisecond' });
    worker = await startWorker(stack);
    await sync(stack);
    const created = stack.sim.journals.createJournal({
      batchName: 'Header change batch',
      headers: ['A', 'B'].map((name) => ({
        journalName: `Journal ${name}`,
        periodName: 'Nov-26',
        accountingDate: '2026-11-30',
        lines: [
          { accountCombination: '101-10-60010-000', enteredDr: '25.00', description: `${name} debit` },
          { accountCombination: '101-10-21000-000', enteredCr: '25.00', description: `${name} credit` },
        ],
      })),
    });
    batchId = created.JeBatchId;
    [headerA, headerB] = created.JeHeaderIds as [number, number];
    await afterThisSecond();
    assert.equal((await sync(stack)).sent, 4);
  });

  after(async () => {
    await worker?.stop();
    await stack?.close();
  });

  it('a changed period on one header re-sends that header’s lines only, with the new period', async () => {
    stack.sim.journals.updateHeader(headerA, { PeriodName: 'Dec-26' });
    await afterThisSecond();
    const result = await sync(stack);
    assert.equal(result.sent, 2);
    const delivered = rows(result);
    assert.deepEqual(
      delivered.map((r) => [r[1], r[4]]),
      [
        ['Journal A', 'Dec-26'],
        ['Journal A', 'Dec-26'],
      ],
    );
  });

  it('a header field the file does not carry (its description) sends nothing', async () => {
    stack.sim.journals.updateHeader(headerB, { JournalDescription: 'Reworded, same journal' });
    await afterThisSecond();
    const result = await sync(stack);
    assert.equal(result.sent, 0);
    assert.ok(result.alreadySent >= 4, `${result.alreadySent} already sent`);
  });

  it('on a pod where a header change does not move the batch, the child filter still finds it', async () => {
    stack.sim.setChildChangeBumpsParents(false);
    try {
      stack.sim.journals.updateHeader(headerB, { JournalName: 'Journal B (renamed)' });
      await afterThisSecond();
      const result = await sync(stack);
      assert.equal(result.sent, 2);
      assert.deepEqual(
        rows(result).map((r) => r[1]),
        ['Journal B (renamed)', 'Journal B (renamed)'],
      );
    } finally {
      stack.sim.setChildChangeBumpsParents(true);
    }
  });

  it('a renamed batch re-sends every line of it, and the next sync nothing', async () => {
    stack.sim.journals.updateBatch(batchId, { BatchName: 'Header change batch (renamed)' });
    await afterThisSecond();
    const result = await sync(stack);
    assert.equal(result.sent, 4);
    assert.ok(rows(result).every((r) => r[0] === 'Header change batch (renamed)'));
    await afterThisSecond();
    assert.equal((await sync(stack)).sent, 0);
  });
});
