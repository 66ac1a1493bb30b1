import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { SshdInstance } from '../../dev/sshd';
import { integrationConfig, startTestStack, startWorker, type TestStack } from '../support/stack';
import { sync } from '../support/sync';

// Changes that offset paging and parent timestamps can lose: rows updated while a run pages
// (proved over two runs: nothing lost, nothing twice), and child rows that change without
// moving their parent's LastUpdateDate (found through the child-attribute filter).

function integrations(simUrl: string, sshd: SshdInstance) {
  const base = integrationConfig(simUrl, sshd, 'gl');
  return [
    { ...base, fusion: { ...base.fusion, pageSize: 5 } },
    {
      ...integrationConfig(simUrl, sshd, 'gl-no-child-filter'),
      fusion: { ...base.fusion, childChangeFilter: false },
    },
    {
      ...integrationConfig(simUrl, sshd, 'ap'),
      entity: 'invoices',
      format: { type: 'csv', decimalPlaces: 'currency' },
    },
  ];
}

describe('changes during and beside a run', { timeout: 180_000 }, () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> };

  /** Every data row of every file an integration delivered. */
  const deliveredRows = (prefix: string) =>
    readdirSync(stack.sshd.folder)
      .filter((f) => f.startsWith(`${prefix}_`))
      .flatMap((f) => (parse(readFileSync(join(stack.sshd.folder, f))) as string[][]).slice(1));

  before(async () => {
    stack = await startTestStack({ integrations });
    worker = await startWorker(stack);
  });
  after(async () => {
    await worker?.stop();
    await stack?.close();
  });

  it('rows updated while the run pages: over two runs, every line arrives exactly once', async () => {
    const lines = stack.sim.flatJournalLines();
    // After the first page, the first rows of the window move past its end (as an edit would):
    // with offset paging the rows behind them would slide into the page already read.
    stack.sim.faults.set({ updateDuringPaging: { resource: 'journalBatches', afterRequests: 1, count: 3 } });
    const first = await sync(stack, 'gl');
    stack.sim.faults.clear();
    assert.equal(first.sent, lines.length, 'the first run already has every line');
    const second = await sync(stack, 'gl');
    assert.equal(second.sent, 0, 'the moved batches carry no new line version: nothing twice');
    const rows = deliveredRows('gl');
    const keys = rows.map((r) => `${r[1]}|${r[0]}|${r[2]}`);
    assert.equal(new Set(keys).size, keys.length, 'no line delivered twice');
    assert.equal(keys.length, lines.length, 'no line lost');
    const { rows: ledger } = await stack.pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT record_id)::int AS ids FROM ledger_entry WHERE integration_id = 'gl'`,
    );
    assert.deepEqual(ledger[0], { n: lines.length, ids: lines.length });
  });

  it('a line changed without moving its header or batch is found by the child filter', async () => {
    await sync(stack, 'gl-no-child-filter'); // both integrations start from a full first delivery
    stack.sim.setChildChangeBumpsParents(false);
    try {
      // A batch the first test left alone (it moved the earliest ones into the overlap window).
      const line = stack.sim.flatJournalLines().at(-1)!;
      stack.sim.journals.updateLine(Number(line.JeHeaderId), Number(line.JeLineNumber), {
        Description: 'changed below the parent',
      });
      const found = await sync(stack, 'gl');
      assert.equal(found.sent, 1, 'the child filter finds the batch through its changed line');
      assert.ok(deliveredRows('gl').some((r) => r[11] === 'changed below the parent'));
      const missed = await sync(stack, 'gl-no-child-filter');
      assert.equal(
        missed.sent,
        0,
        'without the filter the parent stamp hides the change (why it is on by default)',
      );
    } finally {
      stack.sim.setChildChangeBumpsParents(true);
    }
  });

  it('an invoice line changed without moving the invoice: the whole invoice is sent again', async () => {
    const first = await sync(stack, 'ap');
    assert.ok(first.sent > 0);
    stack.sim.setChildChangeBumpsParents(false);
    try {
      const invoice = stack.sim.invoices.top.find(
        (i) => stack.sim.invoices.children(i, 'invoiceLines').length,
      )!;
      const lineNumber = stack.sim.invoices.children(invoice, 'invoiceLines')[0]!.LineNumber as number;
      stack.sim.invoices.update([invoice.InvoiceId as number, 'invoiceLines', lineNumber], {
        Description: 'line edited quietly',
      });
      const again = await sync(stack, 'ap');
      assert.equal(again.sent, 1);
      assert.ok(deliveredRows('ap').some((r) => r.includes('line edited quietly')));
    } finally {
      stack.sim.setChildChangeBumpsParents(true);
    }
  });
});
