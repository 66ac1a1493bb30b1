import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SyncResult } from '../../src/shared';
import { syncIntegration } from '../../src/workflows';
import { startTestStack, startWorker, type TestStack } from '../support/stack';
import { sync } from '../support/sync';
import { assertInvariants, faultIntegration } from './invariants';

// Faults on the Fusion side, each on its own integration and ending with the invariant check:
// a 429 storm with Retry-After, bursts of 503, the token revoked while paging, rows updated while
// paging (over two runs), and poison records quarantined while the rest is delivered.

const IDS = ['throttled', 'unavailable', 'revoked', 'moving', 'poison'];

describe('faults: Fusion', { timeout: 300_000 }, () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> };

  before(async () => {
    stack = await startTestStack({ integrations: (u, s) => IDS.map((id) => faultIntegration(u, s, id)) });
    worker = await startWorker(stack);
  });
  after(async () => {
    await worker?.stop();
    await stack?.close();
  });

  it('a 429 storm with Retry-After: in-call waits, then Temporal retries after Retry-After', async () => {
    stack.sim.faults.set({ tooManyRequests: { count: 8, retryAfter: 1 } });
    try {
      const result = await sync(stack, 'throttled');
      assert.equal(result.sent, stack.sim.flatJournalLines().length);
    } finally {
      stack.sim.faults.clear();
    }
    assert.ok((stack.sim.stats.faults as Record<string, number>).tooManyRequests! >= 8);
    await assertInvariants(stack, 'throttled');
  });

  it('bursts of 503: retried until Fusion answers', async () => {
    stack.sim.faults.set({ serviceUnavailable: { count: 6 } });
    try {
      await sync(stack, 'unavailable');
    } finally {
      stack.sim.faults.clear();
    }
    await assertInvariants(stack, 'unavailable');
  });

  it('the token revoked mid-paging: refreshed, paging goes on', async () => {
    await sync(stack, 'revoked');
    // Changes in six batches: the next run pages (4 batches a page) more than once.
    const byBatch = new Map(stack.sim.flatJournalLines().map((l) => [l.JeBatchId, l]));
    for (const line of [...byBatch.values()].slice(0, 6)) {
      stack.sim.journals.updateLine(Number(line.JeHeaderId), Number(line.JeLineNumber), {
        Description: 'after revoke',
      });
    }
    const tokens = stack.sim.stats.tokensIssued;
    const pagesBefore = stack.sim.stats.requests.journalBatches ?? 0;
    stack.sim.faults.set({ latency: { ms: 150 } }); // slow enough to strike between two pages
    try {
      const running = stack.client.workflow.start(syncIntegration, {
        taskQueue: stack.taskQueue,
        workflowId: `fault-revoked-${Date.now()}`,
        args: [{ integrationId: 'revoked' }],
      });
      while ((stack.sim.stats.requests.journalBatches ?? 0) <= pagesBefore) await sleep(20);
      stack.sim.faults.set({ tokenRevoked: { count: 1 } }); // after the first page was served
      const result = (await (await running).result()) as SyncResult;
      assert.ok(result.sent >= 1);
    } finally {
      stack.sim.faults.clear();
    }
    assert.equal((stack.sim.stats.faults as Record<string, number>).tokenRevoked, 1);
    assert.ok(stack.sim.stats.tokensIssued > tokens, 'a new token after the revocation');
    await assertInvariants(stack, 'revoked');
  });

  it('rows updated while paging: over two runs nothing lost, nothing twice', async () => {
    stack.sim.faults.set({ updateDuringPaging: { resource: 'journalBatches', afterRequests: 1, count: 3 } });
    try {
      await sync(stack, 'moving');
    } finally {
      stack.sim.faults.clear();
    }
    await sync(stack, 'moving');
    await assertInvariants(stack, 'moving');
  });

  it('poison records (an invalid amount, a missing account) are quarantined and reported; the rest goes', async () => {
    const lines = stack.sim.journals.lines;
    const headers = [...new Set(lines.map((l) => l._JeHeaderId as number))];
    const badAmount = lines.find((l) => l._JeHeaderId === headers[2] && l.EnteredDr !== null)!;
    const badAccount = lines.find((l) => l._JeHeaderId === headers[5])!;
    badAmount.EnteredDr = 'twelve'; // what a broken extension column might send
    stack.sim.journals.updateLine(headers[2]!, badAmount.JeLineNumber as number, {});
    stack.sim.journals.updateLine(headers[5]!, badAccount.JeLineNumber as number, { AccountCombination: '' });
    const held = new Set(
      lines
        .filter((l) => l._JeHeaderId === headers[2] || l._JeHeaderId === headers[5])
        .map((l) => `${l._JeHeaderId}:${l.JeLineNumber}`),
    );
    const result = await sync(stack, 'poison');
    assert.equal(result.quarantined, held.size, 'both journals held whole');
    assert.equal(result.sent, lines.length - held.size, 'the rest delivered');
    const { rows } = await stack.pool.query<{ record_id: string; field: string; reason: string }>(
      `SELECT q.record_id, q.field, q.reason FROM quarantined_record q JOIN sync_run r USING (run_key)
       WHERE r.integration_id = 'poison'`,
    );
    const byField = new Map(rows.map((r) => [r.field, r]));
    assert.match(byField.get('EnteredDr')?.reason ?? '', /is not a decimal number: "twelve"/);
    assert.equal(byField.get('AccountCombination')?.reason, 'is missing');
    assert.ok(byField.has('journal balance'), 'their journals held with a balance report');
    await assertInvariants(stack, 'poison', { quarantined: held });
  });
});
