import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import type { PendingDestinationDelivery, SyncResult } from '../../src/shared';
import type { syncIntegration } from '../../src/workflows';
import { bundle, timeSkippingEnv } from './env';
import { FakeConnector } from './fakeActivities';

// The further-destination steps of syncIntegration on the time-skipping test server, with fake
// activities: each destination on its own and in order (one that fails is alerted once and its
// later files wait; the others go on), and none of these steps for an integration with `sftp` alone.

const HOURLY = { cron: ['0 * * * *'], timezone: 'UTC', deadlines: [] };

describe('syncIntegration: further destinations (time-skipping, fake activities)', {
  timeout: 120_000,
}, () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    await bundle();
    env = await timeSkippingEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  async function run(activities: Activities): Promise<SyncResult> {
    const integrationId = `dest-${randomUUID().slice(0, 8)}`;
    const taskQueue = `wf-${integrationId}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundle(),
      activities,
    });
    return worker.runUntil(
      env.client.workflow.execute<typeof syncIntegration>('syncIntegration', {
        taskQueue,
        workflowId: `sync-${integrationId}`,
        args: [{ integrationId }],
      }),
    );
  }

  it('with sftp alone, no destination step runs', async () => {
    const fake = new FakeConnector({ schedule: HOURLY, changes: [3] });
    const result = await run(fake.activities());
    assert.ok(result.file);
    assert.equal(result.destinations, undefined);
    assert.ok(!fake.calls.includes('pendingDestinationDeliveries'));
    assert.ok(!fake.calls.includes('uploadToDestination'));
  });

  it('one destination down: alerted once, its later file waits; the other gets both files; the run commits', async () => {
    const fake = new FakeConnector({ schedule: HOURLY, changes: [3] });
    const base = fake.activities();
    const uploads: string[] = [];
    // Before the run: file 1 is owed to bank (it was down). After the commit: file 2 to both.
    const owed: PendingDestinationDelivery[][] = [
      [{ fileId: '1', destinationId: 'bank', runKey: 'r1' }],
      [
        { fileId: '1', destinationId: 'bank', runKey: 'r1' },
        { fileId: '2', destinationId: 'auditor', runKey: 'r2' },
        { fileId: '2', destinationId: 'bank', runKey: 'r2' },
      ],
    ];
    const result = await run({
      ...base,
      integrationSettings: async (input) => ({
        ...(await base.integrationSettings(input)),
        destinations: [
          { id: 'auditor', uploadRetryWindowSeconds: 60 },
          { id: 'bank', uploadRetryWindowSeconds: 60 },
        ],
      }),
      pendingDestinationDeliveries: async () => owed.shift() ?? [],
      uploadToDestination: async ({ fileId, destinationId }) => {
        uploads.push(`${fileId}:${destinationId}`);
        if (destinationId === 'bank')
          throw ApplicationFailure.nonRetryable('connection refused (fake)', 'SftpAuth');
        return { fileId, destinationId, delivered: true, uploadedNow: true, remotePath: `/in/${fileId}` };
      },
    });
    assert.ok(result.file, 'the primary got the file');
    assert.ok(fake.calls.includes('commitRun'), 'the run committed');
    // bank tried once (its oldest file), then skipped for the rest of this sync.
    assert.deepEqual(uploads, ['1:bank', '2:auditor']);
    assert.deepEqual(
      result.destinations?.map((d) => [d.fileId, d.destinationId, d.delivered]),
      [
        ['1', 'bank', false],
        ['2', 'auditor', true],
        ['2', 'bank', false],
      ],
    );
    assert.match(result.destinations![2]!.error!, /^waiting/);
    assert.equal(fake.alerts.length, 1);
    assert.match(fake.alerts[0]!.title, /delivery to bank failed/);
    assert.equal(fake.alerts[0]!.fields.destination, 'bank');
    assert.equal(fake.failures.length, 0, 'no failed run');
  });
});
