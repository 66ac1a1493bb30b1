import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SyncResult } from '../../src/shared';
import { startTestStack, type TestStack } from '../support/stack';
import { startSync } from '../support/sync';
import { startWorkerProcess, type WorkerProcess, writeStackConfig } from '../support/workerProcess';
import { assertInvariants, faultIntegration } from './invariants';

// A worker process killed (SIGKILL) mid-extraction, mid-upload and between upload and commit,
// then a new one started; and the ledger's Postgres connections dropped at the commit. Each
// scenario is one integration and ends with the invariant check.

const SCENARIOS = [
  { id: 'kill-mid-extraction', failpoint: 'mid-extraction' },
  { id: 'kill-mid-upload', failpoint: 'mid-upload' },
  { id: 'kill-before-commit', failpoint: 'before-commit' },
  { id: 'drop-db-at-commit', failpoint: 'before-commit:drop-db' },
];

describe('faults: the worker and the database', { timeout: 120_000 }, () => {
  let stack: TestStack;
  let configPath: string;
  const workers: WorkerProcess[] = [];

  before(async () => {
    stack = await startTestStack({
      integrations: (simUrl, sshd) => SCENARIOS.map((s) => faultIntegration(simUrl, sshd, s.id)),
    });
    configPath = writeStackConfig(stack);
  });
  after(async () => {
    for (const w of workers) await w.stop();
    await stack?.close();
  });

  const start = (integrationId: string) => startSync(stack, integrationId, { heartbeatTimeout: '3s' });

  for (const scenario of SCENARIOS) {
    it(`${scenario.id}: the run completes, nothing lost, nothing twice`, async () => {
      const kill = !scenario.failpoint.endsWith(':drop-db');
      const faulty = startWorkerProcess(stack, configPath, { ML_CONNECTOR_FAILPOINT: scenario.failpoint });
      workers.push(faulty);
      const handle = await start(scenario.id);
      if (kill) {
        const death = await faulty.exited();
        assert.equal(
          death.signal,
          'SIGKILL',
          `the worker died at ${scenario.failpoint}:\n${faulty.output()}`,
        );
        workers.push(startWorkerProcess(stack, configPath));
      }
      const result = (await handle.result()) as SyncResult;
      assert.equal(result.sent, stack.sim.flatJournalLines().length);
      await assertInvariants(stack, scenario.id);
      // A second sync after the fault sends nothing new.
      const again = (await (await start(scenario.id)).result()) as SyncResult;
      assert.equal(again.sent, 0);
      await assertInvariants(stack, scenario.id);
      for (const w of workers.splice(0)) await w.stop();
    });
  }
});
