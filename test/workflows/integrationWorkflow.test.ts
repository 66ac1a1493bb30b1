import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { ScheduleSpec } from '../../src/schedule';
import {
  forceResyncSignal,
  forceResyncUpdate,
  type IntegrationStatus,
  type IntegrationWorkflowInput,
  pauseSignal,
  replanSignal,
  resumeSignal,
  statusQuery,
} from '../../src/shared/integrationWorkflow';
import { integrationWorkflowId } from '../../src/shared/workflowIds';
import type { integrationWorkflow } from '../../src/workflows';
import { bundle, HOUR, MINUTE, skipToMinute, timeSkippingEnv } from './env';
import { FakeConnector, type FakeOptions, Gate, INITIAL_WATERMARK } from './fakeActivities';

// The long-lived integration workflow (src/workflows/integrationWorkflow.ts) on Temporal's
// time-skipping test server: hours of its cron schedule pass in a second or two. Its children
// (syncIntegration, resyncIntegration) are the real ones from the worker's bundle; only the
// activities are fakes (test/workflows/fakeActivities.ts, typed by the real Activities).
// Each test starts at a known minute past the hour (the server's clock skips there first).

const HOURLY: ScheduleSpec = { cron: ['0 * * * *'], timezone: 'UTC', deadlines: [] };
const HALF_PAST_DEADLINE: ScheduleSpec = {
  cron: ['0 * * * *'],
  timezone: 'UTC',
  deadlines: [{ cutoff: '30 * * * *', label: 'half past' }],
};
/** Once a year: the scheduled syncs stay out of the way of what a test looks at. */
const YEARLY: ScheduleSpec = { cron: ['0 0 1 1 *'], timezone: 'UTC', deadlines: [] };

const iso = (ms: number) => new Date(ms).toISOString();

/** A workflow time that must fall on `planned`: not before it, and only by task latency after it. */
function assertAtPlanned(actual: string, planned: number, what: string) {
  const t = Date.parse(actual);
  assert.ok(t >= planned && t < planned + 10_000, `${what}: ${actual}, planned ${iso(planned)}`);
}

describe('integrationWorkflow (time-skipping test server, fake activities)', { timeout: 300_000 }, () => {
  let env: TestWorkflowEnvironment;

  // A test server per test: time skipping is server-wide, and what one test leaves behind (a
  // terminated workflow's task still held) must not hold the next test's clock.
  before(async () => {
    await bundle();
  });
  beforeEach(async () => {
    env = await timeSkippingEnv();
  });
  afterEach(async () => {
    await env?.teardown();
  });

  interface Running {
    fake: FakeConnector;
    workflowId: string;
    firstRunId: string;
    status(): Promise<IntegrationStatus>;
    /** Polls the status query in real time (no time skipping) until `ok` holds. */
    statusUntil(what: string, ok: (s: IntegrationStatus) => boolean): Promise<IntegrationStatus>;
  }

  /** Runs `body` against a fresh integration workflow with its own worker, then terminates it. */
  async function withIntegration(
    options: FakeOptions & { input?: Partial<IntegrationWorkflowInput> },
    body: (w: Running) => Promise<void>,
  ) {
    const fake = new FakeConnector(options);
    const integrationId = `it-${randomUUID().slice(0, 8)}`;
    const taskQueue = `wf-${integrationId}`;
    const workflowId = integrationWorkflowId(integrationId);
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundle(),
      activities: fake.activities(),
    });
    await worker.runUntil(async () => {
      const started = await env.client.workflow.start<typeof integrationWorkflow>('integrationWorkflow', {
        taskQueue,
        workflowId,
        args: [{ integrationId, ...options.input }],
      });
      const handle = env.client.workflow.getHandle(workflowId); // the latest run, across continue-as-new
      const status = () => handle.query(statusQuery);
      const statusUntil = async (what: string, ok: (s: IntegrationStatus) => boolean) => {
        const deadline = Date.now() + 20_000;
        for (;;) {
          const s = await status();
          if (ok(s)) return s;
          assert.ok(Date.now() < deadline, `timed out waiting for: ${what} (last: ${JSON.stringify(s)})`);
          await sleep(50);
        }
      };
      try {
        await body({ fake, workflowId, firstRunId: started.firstExecutionRunId, status, statusUntil });
      } finally {
        await handle.terminate('test over').catch(() => {});
      }
    });
  }

  it('runs a sync (a syncIntegration child) at each planned time, and none in between', async () => {
    const start = await skipToMinute(env, 45);
    const firstHour = Math.ceil(start / HOUR) * HOUR;
    await withIntegration({ schedule: HOURLY, changes: [2, 0, 5] }, async (w) => {
      await env.sleep(10 * MINUTE);
      assert.equal(w.fake.syncs().length, 0, 'no sync before the first planned time');
      await env.sleep(3 * HOUR); // to hh+3:55
      const syncs = w.fake.syncs();
      assert.equal(syncs.length, 3, `three hours, three syncs: ${JSON.stringify(syncs)}`);
      syncs.forEach((s, i) => {
        assertAtPlanned(s.windowTo, firstHour + i * HOUR, `sync ${i + 1} window end`);
        assert.match(s.workflowId, new RegExp(`^sync-${w.workflowId.replace('integration-', '')}-`));
      });
      const status = await w.status();
      assert.deepEqual(status.counts, { runs: 3, failures: 0, sent: 7, quarantined: 0, resyncs: 0 });
      assert.equal(status.watermark, syncs[2]?.windowTo, 'the watermark of the last sync');
      assert.equal(status.lastRun?.ok, true);
      assert.equal(status.lastFile?.recordCount, 5, 'the last file: the third sync, five records');
      assert.equal(status.nextRun, iso(firstHour + 3 * HOUR), 'the next run is planned at the next hour');
      assert.equal(status.running, null);
      assert.equal(w.fake.alerts.length, 0);
    });
  });

  it('counts a failed sync (the sync records and alerts it) and goes on with the schedule', async () => {
    const start = await skipToMinute(env, 45);
    const firstHour = Math.ceil(start / HOUR) * HOUR;
    await withIntegration({ schedule: HOURLY, changes: [2, 4], failUpload: (n) => n === 1 }, async (w) => {
      await env.sleep(2 * HOUR);
      const syncs = w.fake.syncs();
      assert.equal(syncs.length, 2);
      assertAtPlanned(syncs[1]?.windowTo ?? '', firstHour + HOUR, 'the sync after the failure');
      assert.deepEqual(
        w.fake.failures.map((f) => [f.stage, f.reason]),
        [['upload', 'SftpAuth: authentication failed (fake)']],
      );
      assert.deepEqual(
        w.fake.alerts.map((a) => [a.severity, a.title]),
        [['error', `ml-connector: ${w.workflowId.replace('integration-', '')} failed at upload`]],
      );
      const status = await w.status();
      assert.deepEqual(status.counts, { runs: 2, failures: 1, sent: 4, quarantined: 0, resyncs: 0 });
      assert.equal(status.lastError?.message, 'SftpAuth: authentication failed (fake)');
      assert.equal(status.lastRun?.ok, true, 'the second sync delivered');
      assert.equal(status.lastFile?.recordCount, 4);
    });
  });

  it('alerts when a deadline passes with no file delivered since its window opened, and only then', async () => {
    const start = await skipToMinute(env, 45);
    const h1 = Math.ceil(start / HOUR) * HOUR;
    // hh+1:00 sync delivers a file → the hh+1:30 deadline (since hh:30) is met;
    // hh+2:00 sync finds nothing → the hh+2:30 deadline (since hh+1:30) is missed.
    await withIntegration({ schedule: HALF_PAST_DEADLINE, changes: [3, 0] }, async (w) => {
      await env.sleep(h1 + 40 * MINUTE - start);
      assert.equal(w.fake.files().length, 1);
      assert.equal(w.fake.alerts.length, 0, 'the first deadline is met by the first sync’s file');
      const status = await w.status();
      assert.deepEqual(status.nextDeadline, {
        at: iso(h1 + HOUR + 30 * MINUTE),
        since: iso(h1 + 30 * MINUTE),
        label: 'half past',
      });
      await env.sleep(HOUR); // to hh+2:40
      assert.equal(w.fake.syncs().length, 2);
      assert.equal(w.fake.files().length, 1, 'the second sync had nothing to send');
      assert.equal(w.fake.alerts.length, 1, JSON.stringify(w.fake.alerts));
      const alert = w.fake.alerts[0];
      const integrationId = w.workflowId.replace('integration-', '');
      assert.equal(alert?.severity, 'warning');
      assert.equal(alert?.title, `ml-connector: ${integrationId} missed its deadline (half past)`);
      assert.deepEqual(alert?.fields, {
        deadline: iso(h1 + HOUR + 30 * MINUTE),
        since: iso(h1 + 30 * MINUTE),
        paused: 'false',
      });
      assert.equal(alert?.workflowId, w.workflowId);
      assert.ok(
        (alert?.scheduledAt ?? 0) >= h1 + HOUR + 30 * MINUTE &&
          (alert?.scheduledAt ?? 0) < h1 + HOUR + 30 * MINUTE + 10_000,
        `sent at the deadline: ${iso(alert?.scheduledAt ?? 0)}`,
      );
      assert.deepEqual((await w.status()).lastDeadlineMissed, {
        at: iso(h1 + HOUR + 30 * MINUTE),
        label: 'half past',
      });
    });
  });

  it('paused, runs no sync and raises no deadline alert; resumed, syncs at the next planned time', async () => {
    const start = await skipToMinute(env, 45);
    const h1 = Math.ceil(start / HOUR) * HOUR;
    await withIntegration({ schedule: HALF_PAST_DEADLINE, changes: [] }, async (w) => {
      await w.statusUntil('the workflow is up', () => true);
      await env.client.workflow.getHandle(w.workflowId).signal(pauseSignal);
      await w.statusUntil('paused', (s) => s.paused);
      await env.sleep(2 * HOUR); // to hh+2:45: two planned syncs and two deadlines pass
      assert.equal(w.fake.syncs().length, 0, 'no sync while paused');
      assert.equal(w.fake.alerts.length, 0, 'no deadline alert while paused');
      const paused = await w.status();
      assert.equal(paused.paused, true);
      assert.equal(paused.counts.runs, 0);
      assert.equal(paused.lastDeadlineMissed, null);

      await env.client.workflow.getHandle(w.workflowId).signal(resumeSignal);
      const resumed = await w.statusUntil('resumed', (s) => !s.paused);
      assert.equal(resumed.nextRun, iso(h1 + 2 * HOUR), 'the next planned time, not now');
      assert.equal(w.fake.syncs().length, 0, 'resuming does not sync at once');
      await env.sleep(20 * MINUTE); // to hh+3:05
      const syncs = w.fake.syncs();
      assert.equal(syncs.length, 1);
      assertAtPlanned(syncs[0]?.windowTo ?? '', h1 + 2 * HOUR, 'the first sync after resume');
    });
  });

  it('replan: a schedule changed since the wait was planned applies at once, not at the old planned time', async () => {
    const start = await skipToMinute(env, 45);
    const h1 = Math.ceil(start / HOUR) * HOUR;
    await withIntegration({ schedule: YEARLY, changes: [2] }, async (w) => {
      const planned = await w.statusUntil('planned', (s) => s.nextRun !== null);
      assert.ok(Date.parse(planned.nextRun ?? '') > h1 + 24 * HOUR, `far away: ${planned.nextRun}`);
      w.fake.schedule = HOURLY; // the operator changes the config; the wait planned by the old one goes on
      await env.sleep(HOUR); // to hh+1:45: past hh+1:00, a time of the new schedule
      assert.equal(w.fake.syncs().length, 0, 'without replan the old plan holds');
      assert.equal((await w.status()).nextRun, planned.nextRun);

      await env.client.workflow.getHandle(w.workflowId).signal(replanSignal);
      const replanned = await w.statusUntil('re-planned', (s) => s.nextRun !== planned.nextRun);
      assert.equal(replanned.nextRun, iso(h1 + HOUR), 'the next time of the new schedule (hh+2:00)');
      assert.equal(w.fake.syncs().length, 0, 'replan plans; it does not sync at once');
      await env.sleep(20 * MINUTE); // to hh+2:05
      const syncs = w.fake.syncs();
      assert.equal(syncs.length, 1, JSON.stringify(syncs));
      assertAtPlanned(syncs[0]?.windowTo ?? '', h1 + HOUR, 'the sync of the new schedule');
      assert.equal((await w.status()).counts.runs, 1);
    });
  });

  it('forceResync by update: acknowledged with its queue position, run as resync children one at a time', async () => {
    await withIntegration({ schedule: YEARLY }, async (w) => {
      const gate = new Gate();
      w.fake.resendGate = gate;
      const handle = env.client.workflow.getHandle(w.workflowId);
      const first = await handle.executeUpdate(forceResyncUpdate, {
        args: [{ mode: 'all', reason: 'the vendor lost the files' }],
      });
      assert.deepEqual(first, { accepted: true, position: 0 });
      const running = await w.statusUntil('the first resync runs', () => gate.waiting === 1);
      assert.equal(running.resync.current?.request.reason, 'the vendor lost the files');
      assert.match(running.resync.current?.workflowId ?? '', /^resync-it-/);

      const second = await handle.executeUpdate(forceResyncUpdate, {
        args: [{ mode: 'records', recordIds: ['300100', '300101'], reason: 'fixed amounts' }],
      });
      assert.deepEqual(second, { accepted: true, position: 1 }, 'one resync ahead of it');
      assert.equal((await w.status()).resync.queued, 1);
      assert.equal(w.fake.resends.length, 1, 'the second waits for the first');

      gate.open();
      const done = await w.statusUntil('both resyncs done', (s) => s.counts.resyncs === 2);
      assert.deepEqual(
        w.fake.resends.map((r) => [r.reason, r.window.from, r.recordIds]),
        [
          ['the vendor lost the files', INITIAL_WATERMARK, undefined],
          ['fixed amounts', INITIAL_WATERMARK, ['300100', '300101']],
        ],
      );
      assert.equal(done.counts.sent, 3 + 2, 'a whole-history resend (3, the fake) and two records');
      assert.equal(done.counts.runs, 0, 'resyncs are not scheduled runs');
      assert.deepEqual(done.resync, { current: null, queued: 0 });
      assert.equal(w.fake.syncs().length, 0);
    });
  });

  it('a forceResync that comes while the workflow plans its next wait starts at once', async () => {
    // The loop plans (an activity), then waits for a signal or the planned time; a request that
    // came during the planning must end that wait, not sit until the next planned time (a year here).
    await withIntegration({ schedule: YEARLY }, async (w) => {
      const handle = env.client.workflow.getHandle(w.workflowId);
      await w.statusUntil('planned', (s) => s.nextRun !== null);
      const gate = new Gate();
      w.fake.planGate = gate;
      await handle.signal(resumeSignal); // ends the wait: the workflow plans again, and waits at the gate
      await w.statusUntil('planning', () => gate.waiting === 1);
      const ack = await handle.executeUpdate(forceResyncUpdate, {
        args: [{ mode: 'all', reason: 'asked during planning' }],
      });
      assert.deepEqual(ack, { accepted: true, position: 0 });
      gate.open();
      const done = await w.statusUntil('the resync done', (s) => s.counts.resyncs === 1);
      assert.deepEqual(
        w.fake.resends.map((r) => r.reason),
        ['asked during planning'],
      );
      assert.equal(done.resync.queued, 0);
    });
  });

  it('forceResync by signal runs too; a bad request is refused (update: validator, signal: lastError)', async () => {
    await withIntegration({ schedule: YEARLY }, async (w) => {
      const handle = env.client.workflow.getHandle(w.workflowId);
      await assert.rejects(
        handle.executeUpdate(forceResyncUpdate, { args: [{ mode: 'all', reason: ' ' }] }),
        (err: unknown) =>
          err instanceof WorkflowUpdateFailedError && /needs a reason/.test(String(err.cause?.message)),
      );
      await handle.signal(forceResyncSignal, {
        mode: 'range',
        from: '2026-03-01',
        to: '2026-02-01',
        reason: 'backwards',
      });
      const refused = await w.statusUntil('the signal refused', (s) => s.lastError !== null);
      assert.equal(refused.lastError?.message, 'forceResync refused: from must be before to');
      assert.equal(w.fake.resends.length, 0, 'neither bad request started a resync');

      await handle.signal(forceResyncSignal, {
        mode: 'range',
        from: '2026-02-01T00:00:00Z',
        to: '2026-02-03T00:00:00Z',
        reason: 'backfill February',
      });
      const done = await w.statusUntil('the signalled resync done', (s) => s.counts.resyncs === 1);
      assert.deepEqual(
        w.fake.resends.map((r) => r.window),
        [
          { from: '2026-02-01T00:00:00.000Z', to: '2026-02-02T00:00:00.000Z' },
          { from: '2026-02-02T00:00:00.000Z', to: '2026-02-03T00:00:00.000Z' },
        ],
        'a range resync runs in day windows',
      );
      assert.equal(done.counts.sent, 6);
    });
  });

  it('continues as new after maxTurns, carrying its state (counts, last file, pause)', async () => {
    const start = await skipToMinute(env, 45);
    const h1 = Math.ceil(start / HOUR) * HOUR;
    await withIntegration({ schedule: HOURLY, changes: [2, 3], input: { maxTurns: 2 } }, async (w) => {
      const handle = env.client.workflow.getHandle(w.workflowId);
      await env.sleep(20 * MINUTE); // turn 0: the hh+1:00 sync
      assert.equal(w.fake.syncs().length, 1);
      await handle.signal(pauseSignal); // turn 1 (a signal ends a wait): then continue-as-new
      const deadline = Date.now() + 20_000;
      while ((await handle.describe()).runId === w.firstRunId) {
        assert.ok(Date.now() < deadline, 'no new run after maxTurns');
        await sleep(50);
      }
      const carried = await w.status();
      assert.equal(carried.paused, true);
      assert.equal(carried.counts.runs, 1);
      const first = await env.client.workflow.getHandle(w.workflowId, w.firstRunId).describe();
      assert.equal(first.status.name, 'CONTINUED_AS_NEW');
      const latest = await handle.describe();
      assert.notEqual(latest.runId, w.firstRunId);
      assert.equal(latest.status.name, 'RUNNING');
      assert.equal(carried.lastFile?.recordCount, 2, 'the last file, from the first run');
      assert.equal(carried.watermark, w.fake.syncs()[0]?.windowTo);

      await env.sleep(2 * HOUR); // still paused in the new run
      assert.equal(w.fake.syncs().length, 1, 'the pause survived continue-as-new');
      await handle.signal(resumeSignal);
      await w.statusUntil('resumed', (s) => !s.paused);
      await env.sleep(HOUR);
      assert.equal(w.fake.syncs().length, 2);
      assertAtPlanned(w.fake.syncs()[1]?.windowTo ?? '', h1 + 3 * HOUR, 'the sync after resume');
      const status = await w.status();
      assert.deepEqual(status.counts, { runs: 2, failures: 0, sent: 5, quarantined: 0, resyncs: 0 });
    });
  });
});
