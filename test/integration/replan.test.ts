import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { ensureTemporal, type TemporalInstance } from '../../dev/temporal';
import { integrationStatus } from '../../src/client/integration';
import { createLogger } from '../../src/observability/logger';
import type { IntegrationStatus } from '../../src/shared/integrationWorkflow';
import { integrationWorkflowId } from '../../src/shared/workflowIds';
import { replanScheduledIntegrations } from '../../src/temporal/replan';
import { integrationConfig, startTestStack, type TestStack } from '../support/stack';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

// What the worker does at start (src/worker.ts): every running integration workflow of a
// scheduled integration in its config is asked to plan again (the `replan` signal), so a changed
// schedule applies at once. On a real Temporal server; no worker polls the workflows' task queue,
// so their histories show exactly the signals this sent.

const id = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;
const SCHEDULE = { cron: ['0 6 * * *'], timezone: 'UTC', deadlines: [] };

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('info', destination), lines };
}

describe('re-planning the schedules at worker start', { timeout: 60_000 }, () => {
  let temporal: TemporalInstance;
  let connection: Connection;
  let client: Client;
  const taskQueue = `replan-${randomUUID()}`; // polled by no one

  before(async () => {
    temporal = await ensureTemporal();
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection });
  });
  after(async () => {
    await connection?.close();
    await temporal?.stop();
  });

  const start = (integrationId: string) =>
    client.workflow.start('integrationWorkflow', {
      taskQueue,
      workflowId: integrationWorkflowId(integrationId),
      args: [{ integrationId }],
    });
  const signalsOf = async (integrationId: string) => {
    const history = await client.workflow.getHandle(integrationWorkflowId(integrationId)).fetchHistory();
    return (history.events ?? []).flatMap((e) =>
      e.workflowExecutionSignaledEventAttributes?.signalName
        ? [e.workflowExecutionSignaledEventAttributes.signalName]
        : [],
    );
  };

  it('signals the running scheduled ones, skips the unscheduled, the closed and the never started', async () => {
    const running = id('running');
    const unscheduled = id('unscheduled');
    const closed = id('closed');
    const missing = id('missing');
    const handles = [await start(running), await start(unscheduled), await start(closed)];
    await handles[2]?.terminate('closed before the worker starts');
    const { logger, lines } = capturedLogger();
    try {
      const outcome = await replanScheduledIntegrations(
        client,
        {
          integrations: [
            { id: running, schedule: SCHEDULE },
            { id: unscheduled, schedule: undefined },
            { id: closed, schedule: SCHEDULE },
            { id: missing, schedule: SCHEDULE },
          ],
        },
        logger,
      );
      assert.deepEqual(outcome, {
        replanned: [running],
        notRunning: [closed, missing],
        failed: [],
        unchanged: [],
      });
      assert.deepEqual(await signalsOf(running), ['replan']);
      assert.deepEqual(await signalsOf(unscheduled), [], 'an integration without a schedule is not asked');
      assert.deepEqual(await signalsOf(closed), [], 'a closed run is not signalled');
      assert.deepEqual(
        lines.map((l) => [l.level, l.msg, l.integration, l.workflowId]),
        [['info', 'Schedule re-planned from the config', running, integrationWorkflowId(running)]],
        'one line per integration re-planned, nothing for the skipped',
      );
    } finally {
      for (const h of handles.slice(0, 2)) await h.terminate('test over').catch(() => {});
    }
  });

  it('signals only the integrations whose configuration changed, when told which', async () => {
    const changed = id('changed');
    const same = id('same');
    const handles = [await start(changed), await start(same)];
    const { logger } = capturedLogger();
    try {
      const outcome = await replanScheduledIntegrations(
        client,
        {
          integrations: [
            { id: changed, schedule: SCHEDULE },
            { id: same, schedule: SCHEDULE },
          ],
        },
        logger,
        { changed: new Set([changed]) },
      );
      assert.deepEqual(outcome, { replanned: [changed], notRunning: [], failed: [], unchanged: [same] });
      assert.deepEqual(await signalsOf(changed), ['replan']);
      assert.deepEqual(await signalsOf(same), [], 'an unchanged integration costs no signal');
    } finally {
      for (const h of handles) await h.terminate('test over').catch(() => {});
    }
  });

  it('logs a failure to signal and goes on with the next integration; it never throws', async () => {
    const running = id('running');
    const handle = await start(running);
    const { logger, lines } = capturedLogger();
    // A namespace this server does not have: the signal fails as an unreachable Temporal would.
    const elsewhere = new Client({ connection, namespace: `no-such-namespace-${randomUUID()}` });
    let calls = 0;
    const flaky = new Proxy(client, {
      get(target, prop, receiver) {
        if (prop !== 'workflow') return Reflect.get(target, prop, receiver);
        return (calls++ === 0 ? elsewhere : target).workflow;
      },
    });
    try {
      const broken = id('broken');
      const outcome = await replanScheduledIntegrations(
        flaky,
        {
          integrations: [
            { id: broken, schedule: SCHEDULE },
            { id: running, schedule: SCHEDULE },
          ],
        },
        logger,
      );
      assert.deepEqual(outcome.replanned, [running], 'the next integration is still re-planned');
      assert.deepEqual(outcome.failed, [broken]);
      assert.deepEqual(await signalsOf(running), ['replan']);
      const warning = lines.find((l) => l.level === 'warn');
      assert.equal(warning?.integration, broken);
      assert.match(String(warning?.msg), /Could not ask the integration workflow to re-plan/);
      assert.equal(typeof warning?.error, 'string');
    } finally {
      await handle.terminate('test over').catch(() => {});
    }
  });
});

describe('a worker process started with a changed schedule', { timeout: 240_000 }, () => {
  let stack: TestStack;
  // Its own integration ID: the Temporal server is shared, and other tests run an `integration-gl`.
  const gl = id('replan');
  const workers: WorkerProcess[] = [];
  const YEARLY = { cron: ['0 0 1 1 *'], timezone: 'UTC', deadlines: [] };
  const EVERY_2S = { cron: ['*/2 * * * * *'], timezone: 'UTC', deadlines: [] };

  before(async () => {
    stack = await startTestStack({
      integrations: (simUrl, sshd) => [{ ...integrationConfig(simUrl, sshd, gl), schedule: YEARLY }],
    });
  });
  after(async () => {
    for (const w of workers) await w.stop();
    await stack?.client.workflow
      .getHandle(integrationWorkflowId(gl))
      .terminate('test over')
      .catch(() => undefined);
    await stack?.close();
  });

  /** The stack's configuration with the integration's schedule replaced, as a worker's config file. */
  const configWith = (schedule: typeof YEARLY, name: string) => {
    const [integration] = stack.rawConfig.integrations as Record<string, unknown>[];
    const path = join(stack.sshd.dir, name);
    writeFileSync(path, JSON.stringify({ ...stack.rawConfig, integrations: [{ ...integration, schedule }] }));
    return path;
  };
  const statusUntil = async (what: string, ok: (s: IntegrationStatus) => boolean, worker: WorkerProcess) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = await integrationStatus(stack.client, gl).catch(() => null);
      if (status && ok(status)) return status;
      assert.ok(
        Date.now() < deadline,
        `timed out waiting for: ${what} (last: ${JSON.stringify(status)})\n${worker.tail()}`,
      );
      await sleep(250);
    }
  };

  it('plans with the new schedule at start: the sync runs now, not at the time the old one planned', async () => {
    await stack.client.workflow.start('integrationWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: integrationWorkflowId(gl),
      args: [{ integrationId: gl }],
    });
    const first = startWorkerProcess(stack, configWith(YEARLY, 'yearly.json'));
    workers.push(first);
    await first.ready();
    const planned = await statusUntil('planned by the yearly schedule', (s) => s.nextRun !== null, first);
    assert.ok(Date.parse(planned.nextRun ?? '') > Date.now() + 24 * 3_600_000, `far: ${planned.nextRun}`);
    await first.stop();

    const second = startWorkerProcess(stack, configWith(EVERY_2S, 'every-2s.json'));
    workers.push(second);
    await second.ready();
    const synced = await statusUntil('a sync of the new schedule', (s) => s.counts.runs >= 1, second);
    assert.equal(synced.counts.failures, 0, JSON.stringify(synced.lastError));
    const replanLines = second
      .output()
      .split('\n')
      .filter((l) => l.includes('Schedule re-planned from the config'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      replanLines.map((l) => [l.integration, l.workflowId]),
      [[gl, integrationWorkflowId(gl)]],
      'one line for the one integration re-planned',
    );
    await second.stop();

    // The same configuration again: nothing changed, so nothing is signalled.
    const replans = async () =>
      ((await stack.client.workflow.getHandle(integrationWorkflowId(gl)).fetchHistory()).events ?? []).filter(
        (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'replan',
      ).length;
    const before = await replans();
    const third = startWorkerProcess(stack, configWith(EVERY_2S, 'every-2s-again.json'));
    workers.push(third);
    await third.ready();
    const now = await statusUntil('the third worker answers', () => true, third);
    await statusUntil('a sync under the third worker', (s) => s.counts.runs > now.counts.runs, third);
    assert.equal(await replans(), before, 'an unchanged schedule is not re-planned at start');
    assert.ok(!third.output().includes('Schedule re-planned from the config'), third.tail());
  });
});
