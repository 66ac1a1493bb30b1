import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { findTemporalCli } from '../../dev/temporal';
import { createAlertSinks } from '../../src/alerts';
import { integrationStatus, pauseIntegration, requestResync } from '../../src/client/integration';
import { forceResyncSignal, type IntegrationStatus } from '../../src/shared/integrationWorkflow';
import { integrationWorkflowId } from '../../src/shared/workflowIds';
import { integrationConfig, startTestStack, startWorker, type TestStack } from '../support/stack';
import { startWebhookReceiver } from '../support/webhook';

// The long-lived integration workflow on a real Temporal server: started with the Temporal CLI,
// syncing on a (seconds) cron schedule, forceResync by signal and by update, pause and resume,
// the status query, continue-as-new, and a deadline alert for a window with no file.

describe('the integration workflow', { timeout: 240_000 }, () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> };
  let alerts: string[] = [];
  let closeReceiver: () => Promise<void>;

  /** Polls the status query until `ok` holds (a deadline, not a fixed sleep). */
  async function statusUntil(what: string, ok: (s: IntegrationStatus) => boolean, ms = 60_000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const status = await integrationStatus(stack.client, 'gl').catch(() => null);
      if (status && ok(status)) return status;
      assert.ok(Date.now() < deadline, `timed out waiting for: ${what} (last: ${JSON.stringify(status)})`);
      await sleep(250);
    }
  }

  const resends = async () =>
    (
      await stack.pool.query<{ record_id: string }>(
        `SELECT record_id FROM ledger_entry WHERE integration_id = 'gl' AND is_resend ORDER BY entry_id`,
      )
    ).rows.map((r) => r.record_id);

  before(async () => {
    const receiver = await startWebhookReceiver();
    alerts = receiver.bodies;
    const hook = receiver.url;
    closeReceiver = receiver.close;
    stack = await startTestStack({
      config: { alerts: { webhook: { url: hook } } },
      integrations: (simUrl, sshd) => [
        {
          ...integrationConfig(simUrl, sshd, 'gl'),
          // Seconds-level cron so a test sees several runs; deadlines every 4 s.
          schedule: {
            cron: ['*/2 * * * * *'],
            timezone: 'Europe/Berlin',
            deadlines: [{ cutoff: '*/4 * * * * *', label: 'test cut-off' }],
          },
        },
      ],
    });
    worker = await startWorker(stack, {
      alertSinks: await createAlertSinks(stack.config.alerts!, { env: {} }),
    });
  });

  after(async () => {
    await stack?.client.workflow
      .getHandle(integrationWorkflowId('gl'))
      .terminate('test over')
      .catch(() => undefined);
    await worker?.stop();
    await stack?.close();
    await closeReceiver?.();
  });

  it('starts with the Temporal CLI and syncs on its schedule; status shows the run', async () => {
    execFileSync(findTemporalCli()!, [
      'workflow',
      'start',
      '--address',
      stack.temporal.address,
      '--type',
      'integrationWorkflow',
      '--task-queue',
      stack.taskQueue,
      '--workflow-id',
      integrationWorkflowId('gl'),
      '--search-attribute',
      'MlcIntegration="gl"',
      '--search-attribute',
      'MlcEntity="journalLines"',
      '--input',
      JSON.stringify({ integrationId: 'gl', maxTurns: 6 }),
    ]);
    const lines = stack.sim.flatJournalLines().length;
    // The next run is planned just after one ends: wait for that plan too.
    const status = await statusUntil(
      'a first scheduled sync and the next one planned',
      (s) => s.counts.runs >= 1 && s.nextRun !== null,
    );
    assert.equal(status.integrationId, 'gl');
    assert.equal(status.paused, false);
    assert.equal(status.counts.sent, lines);
    assert.ok(status.lastRun?.ok);
    assert.ok(status.lastFile?.fileName.startsWith('gl_'));
    assert.ok(
      status.watermark && status.nextRun && Date.parse(status.nextRun) > Date.parse(status.watermark),
    );
    assert.equal(status.lastError, null);
  });

  it('keeps its state across continue-as-new', async () => {
    const before = await integrationStatus(stack.client, 'gl');
    const { runId } = await stack.client.workflow.getHandle(integrationWorkflowId('gl')).describe();
    await statusUntil('a new run after continue-as-new', () => true);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const now = await stack.client.workflow.getHandle(integrationWorkflowId('gl')).describe();
      if (now.runId !== runId) break;
      assert.ok(Date.now() < deadline, 'never continued as new');
      await sleep(300);
    }
    const after = await integrationStatus(stack.client, 'gl');
    assert.ok(after.counts.runs >= before.counts.runs);
    assert.equal(after.counts.sent, before.counts.sent);
  });

  it('forceResync by signal resends the given record, recorded as a resend; the watermark stays', async () => {
    const line = stack.sim.flatJournalLines()[0]!;
    const recordId = `${line.JeHeaderId}:${line.JeLineNumber}`;
    const watermark = await stack.ledger.watermark('gl');
    await stack.client.workflow
      .getHandle(integrationWorkflowId('gl'))
      .signal(forceResyncSignal, { mode: 'records', recordIds: [recordId], reason: 'partner lost line 1' });
    await statusUntil('the resync to finish', (s) => s.counts.resyncs >= 1 && s.resync.current === null);
    assert.deepEqual(await resends(), [recordId]);
    const { rows } = await stack.pool.query(
      `SELECT reason, kind FROM sync_run WHERE kind = 'resend' AND integration_id = 'gl'`,
    );
    assert.equal(rows[0].reason, 'partner lost line 1');
    assert.ok((await stack.ledger.watermark('gl'))! >= watermark!, 'the live watermark did not go back');
  });

  it('forceResync as an update answers with an acknowledgement, rejects a bad request, and reports progress', async () => {
    // A rejected update leaves no trace in history; the reason comes back as the failure's cause.
    const refusal = (pattern: RegExp) => (err: unknown) => pattern.test(String((err as Error).cause ?? err));
    await assert.rejects(
      requestResync(stack.client, 'gl', { mode: 'since', since: 'yesterday', reason: 'x' }),
      refusal(/since must be/),
    );
    await assert.rejects(
      requestResync(stack.client, 'gl', { mode: 'all', reason: ' ' }),
      refusal(/needs a reason/),
    );
    const ack = await requestResync(stack.client, 'gl', {
      mode: 'range',
      from: '2026-10-01T00:00:00Z',
      to: '2026-10-02T00:00:00Z',
      windowHours: 6,
      reason: 'backfill of 1 October',
    });
    assert.equal(ack.accepted, true);
    const seen = await statusUntil(
      'a resync in progress or done',
      (s) => s.resync.current !== null || s.counts.resyncs >= 2,
    );
    if (seen.resync.current) assert.equal(seen.resync.current.request.mode, 'range');
    const done = await statusUntil(
      'the backfill to finish',
      (s) => s.counts.resyncs >= 2 && s.resync.current === null,
    );
    const { rows } = await stack.pool.query(
      `SELECT count(*)::int AS runs FROM sync_run WHERE kind = 'resend' AND reason = 'backfill of 1 October'`,
    );
    assert.equal(rows[0].runs, 4, 'four 6-hour windows');
    const october1 = stack.sim
      .flatJournalLines()
      .filter((l) => String(l.DefaultEffectiveDate) === '2026-10-01');
    assert.ok((await resends()).length >= 1 + october1.length, 'the day was sent again');
    assert.ok(done.counts.sent >= october1.length);
  });

  it('pause stops scheduled syncs (and deadline alerts); resume starts them again', async () => {
    await pauseIntegration(stack.client, 'gl', true);
    // A sync already running when the pause arrives finishes; only new ones are held back.
    const paused = await statusUntil('paused, no sync running', (s) => s.paused && !s.running);
    await sleep(5000); // more than two schedule periods
    const still = await integrationStatus(stack.client, 'gl');
    assert.equal(still.counts.runs, paused.counts.runs, 'no run while paused');
    await pauseIntegration(stack.client, 'gl', false);
    await statusUntil('a run after resume', (s) => !s.paused && s.counts.runs > still.counts.runs);
  });

  it('a deadline that passes without a new file sends an alert', async () => {
    // Nothing changes in Fusion, so the syncs deliver no file: the next cut-off has nothing since the last.
    const status = await statusUntil('a missed deadline', (s) => s.lastDeadlineMissed !== null, 30_000);
    assert.equal(status.lastDeadlineMissed?.label, 'test cut-off');
    assert.ok(alerts.some((a) => a.includes('missed its deadline') && a.includes('test cut-off')));
  });
});
