import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { Decimal } from 'decimal.js';
import { findTemporalCli } from '../../dev/temporal';
import type { SyncResult } from '../../src/shared';
import { syncWorkflowId } from '../../src/shared/workflowIds';
import { startTestStack, startWorker, type TestStack } from '../support/stack';
import { sync } from '../support/sync';

// End to end on real services: simulator → Temporal workflow → CSV on OpenSSH sftp → Postgres ledger.

const CSV_HEADER = [
  'Batch',
  'Journal',
  'Line',
  'Ledger',
  'Period',
  'Accounting Date',
  'GL Account',
  'Cost Centre',
  'Entered DR',
  'Entered CR',
  'Currency',
  'Description',
];

type SimLine = Record<string, unknown>;

function amountCell(value: unknown): string {
  return value === null || value === undefined ? '' : new Decimal(String(value)).toFixed(2);
}

/** The CSV row the simulator's own data says we should have written for this line. */
function expectedRow(line: SimLine): string[] {
  return [
    String(line.BatchName),
    String(line.JournalName),
    String(line.JeLineNumber),
    String(line.LedgerName),
    String(line.PeriodName),
    String(line.DefaultEffectiveDate),
    String(line.AccountCombination),
    String(line.AccountCombination).split('-')[1]!,
    amountCell(line.EnteredDr),
    amountCell(line.EnteredCr),
    String(line.CurrencyCode),
    line.Description === null ? '' : String(line.Description),
  ];
}

async function simLines(stack: TestStack): Promise<SimLine[]> {
  const res = await fetch(`${stack.simUrl}/__sim/journalLines`);
  // Amounts as raw text, so nothing here passes through a binary float.
  const text = (await res.text()).replace(
    /"(EnteredDr|EnteredCr|AccountedDr|AccountedCr)":(-?[\d.]+)/g,
    '"$1":"$2"',
  );
  return (JSON.parse(text) as { items: SimLine[] }).items;
}

function deliveredFiles(stack: TestStack): string[] {
  return readdirSync(stack.sshd.folder).sort();
}

function readCsv(stack: TestStack, name: string): string[][] {
  return parse(readFileSync(join(stack.sshd.folder, name)), { relax_column_count: false }) as string[][];
}

describe('sync of GL journal lines, end to end', () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> };

  before(async () => {
    stack = await startTestStack();
    worker = await startWorker(stack);
  });

  after(async () => {
    await worker?.stop();
    await stack?.close();
  });

  it('delivers every journal line as a CSV whose every field matches Fusion, amounts exact', async () => {
    const lines = await simLines(stack);
    const result = await sync(stack);
    assert.ok(result.file, 'a file was delivered');
    assert.equal(result.sent, lines.length);
    assert.equal(result.quarantined, 0);
    assert.deepEqual(deliveredFiles(stack), [result.file.fileName]);
    assert.match(result.file.fileName, /^gl-journal-lines_\d{8}T\d{6}Z_[0-9a-f]{8}\.csv$/);

    const rows = readCsv(stack, result.file.fileName);
    assert.deepEqual(rows[0], CSV_HEADER);
    const byKey = new Map(rows.slice(1).map((r) => [`${r[1]}|${r[0]}|${r[2]}`, r]));
    assert.equal(byKey.size, lines.length, 'one row per journal line, none twice');
    for (const line of lines) {
      const row = byKey.get(`${line.JournalName}|${line.BatchName}|${line.JeLineNumber}`);
      assert.deepEqual(row, expectedRow(line), `row of line ${line.JeHeaderId}:${line.JeLineNumber}`);
    }
    // The seed holds one amount beyond float-safe precision; it must arrive digit for digit.
    assert.ok(rows.some((r) => r[8] === '98765432109876.54'));

    const bytes = readFileSync(join(stack.sshd.folder, result.file.fileName));
    const ledger = await stack.pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT record_id)::int AS ids, min(f.byte_count)::int AS bytes,
              min(f.sha256) AS sha, min(f.file_name) AS name
       FROM ledger_entry l JOIN outbound_file f USING (file_id)`,
    );
    assert.deepEqual(ledger.rows[0], {
      n: lines.length,
      ids: lines.length,
      bytes: bytes.length,
      sha: result.file.sha256,
      name: result.file.fileName,
    });
    assert.equal(await stack.ledger.watermark('gl-journal-lines'), result.windowTo);
  });

  it('sends nothing again when nothing changed', async () => {
    const before = deliveredFiles(stack);
    const result = await sync(stack);
    assert.equal(result.sent, 0);
    assert.equal(result.file, null);
    assert.deepEqual(deliveredFiles(stack), before);
    const { rows } = await stack.pool.query('SELECT count(*)::int AS n FROM ledger_entry');
    assert.equal(rows[0].n, (await simLines(stack)).length);
  });

  it('sends exactly the one line that changed', async () => {
    const target = (await simLines(stack))[5]!;
    const res = await fetch(
      `${stack.simUrl}/__sim/journalLines/${target.JeHeaderId}/${target.JeLineNumber}`,
      {
        method: 'PATCH',
        body: JSON.stringify({
          Description: 'Corrected, "after review"',
          AccountCombination: '101-30-61000-000',
        }),
      },
    );
    assert.equal(res.status, 200);
    const before = deliveredFiles(stack);
    const result = await sync(stack);
    assert.equal(result.sent, 1);
    assert.ok(result.file);
    assert.deepEqual(deliveredFiles(stack), [...before, result.file.fileName].sort());
    const rows = readCsv(stack, result.file.fileName);
    assert.equal(rows.length, 2, 'header and one line');
    const changed = (await simLines(stack)).find(
      (l) => l.JeHeaderId === target.JeHeaderId && l.JeLineNumber === target.JeLineNumber,
    )!;
    assert.deepEqual(rows[1], expectedRow(changed));
    assert.equal(rows[1]![6], '101-30-61000-000');
    assert.equal(rows[1]![7], '30', 'the cost centre comes from the new account');
    const { rows: versions } = await stack.pool.query(
      'SELECT count(*)::int AS n FROM ledger_entry WHERE record_id = $1',
      [`${target.JeHeaderId}:${target.JeLineNumber}`],
    );
    assert.equal(versions[0].n, 2, 'both versions of the line are in the ledger');
  });

  it('runs when started with the Temporal CLI line the README shows', async () => {
    const cli = findTemporalCli();
    assert.ok(cli, 'the temporal CLI is installed');
    const target = (await simLines(stack))[0]!;
    await fetch(`${stack.simUrl}/__sim/journalLines/${target.JeHeaderId}/${target.JeLineNumber}`, {
      method: 'PATCH',
      body: JSON.stringify({ Description: 'Started from the CLI' }),
    });
    const workflowId = syncWorkflowId('gl-journal-lines', new Date());
    execFileSync(cli, [
      'workflow',
      'start',
      '--address',
      stack.temporal.address,
      '--type',
      'syncIntegration',
      '--task-queue',
      stack.taskQueue,
      '--workflow-id',
      workflowId,
      '--input',
      '{"integrationId":"gl-journal-lines"}',
    ]);
    const result = (await stack.client.workflow.getHandle(workflowId).result()) as SyncResult;
    assert.equal(result.sent, 1);
    assert.ok(result.file);
    const rows = readCsv(stack, result.file.fileName);
    assert.equal(rows[1]![11], 'Started from the CLI');
  });

  it('quarantines a journal that no longer balances, whole, with a report, and sends none of it', async () => {
    const target = (await simLines(stack)).find((l) => l.EnteredDr !== null && l.JeLineNumber === 1)!;
    const journal = (await simLines(stack)).filter((l) => l.JeHeaderId === target.JeHeaderId);
    const res = await fetch(`${stack.simUrl}/__sim/journalLines/${target.JeHeaderId}/1`, {
      method: 'PATCH',
      body: JSON.stringify({ EnteredDr: '1234.5' }),
    });
    assert.equal(res.status, 200);
    const before = deliveredFiles(stack);
    const result = await sync(stack);
    assert.equal(result.sent, 0);
    assert.equal(result.file, null);
    assert.equal(result.quarantined, journal.length, 'every line of the journal is held');
    assert.deepEqual(deliveredFiles(stack), before);
    const { rows } = await stack.pool.query(
      `SELECT DISTINCT field, reason FROM quarantined_record WHERE record_id LIKE $1`,
      [`${target.JeHeaderId}:%`],
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0].field, 'journal balance');
    assert.match(rows[0].reason, new RegExp(`journal ${target.JeHeaderId} .*entered DR .* CR .* difference`));
  });

  it('a hostile record never stops the sync: bad text and deep nesting are quarantined, the rest is sent', async () => {
    const lines = await simLines(stack);
    // Three lines of three batches other than the first (the unbalanced journal above).
    const batches = [...new Set(lines.map((l) => String(l.JeBatchId)))].slice(-3);
    const [bad, deep, good] = batches.map((b) => lines.find((l) => String(l.JeBatchId) === b)!);
    let nested: unknown = 'bottom';
    for (let i = 0; i < 40; i++) nested = { a: nested };
    for (const [line, Description] of [
      [bad!, 'Caf\uFFFD'],
      [deep!, nested],
      [good!, 'Still delivered'],
    ] as const) {
      const res = await fetch(`${stack.simUrl}/__sim/journalLines/${line.JeHeaderId}/${line.JeLineNumber}`, {
        method: 'PATCH',
        body: JSON.stringify({ Description }),
      });
      assert.equal(res.status, 200);
    }
    const result = await sync(stack);
    assert.ok(result.file, 'the run delivered a file');
    assert.equal(result.watermark, result.windowTo, 'and moved the watermark');
    const rows = readCsv(stack, result.file.fileName);
    assert.ok(rows.some((r) => r[11] === 'Still delivered'));
    const quarantined = async (recordId: string) =>
      (
        await stack.pool.query(
          'SELECT field, reason, payload FROM quarantined_record WHERE run_key = $1 AND record_id = $2',
          [result.runKey, recordId],
        )
      ).rows;
    const [badRow] = await quarantined(`${bad!.JeHeaderId}:${bad!.JeLineNumber}`);
    assert.deepEqual([badRow?.field, badRow?.reason], ['Description', 'invalid UTF-8 (U+FFFD)']);
    const deepBatch = lines.filter((l) => l.JeBatchId === deep!.JeBatchId);
    for (const l of deepBatch) {
      const [row] = await quarantined(`${l.JeHeaderId}:${l.JeLineNumber}`);
      assert.match(String(row?.field), /^journalHeaders\[\d+\]\.journalLines\[\d+\]\.Description(\.a){16}$/);
      assert.match(String(row?.reason), /nested deeper than 16 levels/);
    }
  });
});
