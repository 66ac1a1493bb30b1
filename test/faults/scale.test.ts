import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SyncResult } from '../../src/shared';
import { syncIntegration } from '../../src/workflows';
import { startTestStack, type TestStack } from '../support/stack';
import { startWorkerProcess, type WorkerProcess, writeStackConfig } from '../support/workerProcess';
import { assertInvariants, faultIntegration } from './invariants';

// Two worker processes on one task queue run ten integrations at once; one worker is killed in
// the middle of an extraction. The other finishes everything; every integration passes the check.

const IDS = Array.from({ length: 10 }, (_, i) => `fleet-${i}`);

describe('faults: two workers, ten integrations, one worker killed', { timeout: 240_000 }, () => {
  let stack: TestStack;
  const workers: WorkerProcess[] = [];

  before(async () => {
    stack = await startTestStack({ integrations: (u, s) => IDS.map((id) => faultIntegration(u, s, id)) });
  });
  after(async () => {
    for (const w of workers) await w.stop();
    await stack?.close();
  });

  it('all ten deliver exactly once', async () => {
    const config = writeStackConfig(stack);
    // The doomed worker is the only one polling when the runs start, so it is sure to take work and
    // die in the middle of it; the survivor joins while the runs are under way.
    const doomed = startWorkerProcess(stack, config, { ML_CONNECTOR_FAILPOINT: 'mid-extraction' });
    workers.push(doomed);
    await doomed.ready(); // the only worker polling when the runs start
    const handles = await Promise.all(
      IDS.map((id) =>
        stack.client.workflow.start(syncIntegration, {
          taskQueue: stack.taskQueue,
          workflowId: `fleet-${id}-${Date.now()}`,
          args: [{ integrationId: id, heartbeatTimeout: '3s' }],
        }),
      ),
    );
    const survivor = startWorkerProcess(stack, config);
    workers.push(survivor);
    const death = await doomed.exited();
    assert.equal(death.signal, 'SIGKILL', `one worker died mid-extraction:\n${doomed.output()}`);
    const results = (await Promise.all(handles.map((h) => h.result()))) as SyncResult[];
    const lines = stack.sim.flatJournalLines().length;
    for (const r of results) assert.equal(r.sent, lines, `${r.integrationId} sent every line`);
    for (const id of IDS) await assertInvariants(stack, id);
  });
});
