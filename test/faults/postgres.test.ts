import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type PostgresServer, startPostgresServer } from '../../dev/postgresServer';
import type { SyncResult } from '../../src/shared';
import { startTestStack, type TestStack } from '../support/stack';
import { startSync } from '../support/sync';
import { startWorkerProcess, type WorkerProcess, writeStackConfig } from '../support/workerProcess';
import { assertInvariants, faultIntegration } from './invariants';

// The whole Postgres server restarted while the ledger's commit transaction is open: the
// transaction is lost and every pooled connection of the worker dies. The same worker process
// must live on, and Temporal's retry of the commit must reconnect and commit once. The server is
// this test's own (its own data folder and port): the shared cluster is not ours to restart.

const ID = 'pg-restart';

describe('faults: the Postgres server restarted', { timeout: 90_000 }, () => {
  let server: PostgresServer;
  let stack: TestStack;
  let worker: WorkerProcess | undefined;

  before(async () => {
    server = await startPostgresServer();
    stack = await startTestStack({
      postgresUrl: server.url,
      integrations: (simUrl, sshd) => [faultIntegration(simUrl, sshd, ID)],
    });
  });
  after(async () => {
    await worker?.stop();
    await stack?.close();
    await server?.stop();
  });

  const start = () => startSync(stack, ID, { heartbeatTimeout: '3s' });
  const alive = (w: WorkerProcess) => w.child.exitCode === null && w.child.signalCode === null;
  /** The workflow's result, or a failure naming how the worker died: no other worker would finish it. */
  const resultWhileAlive = async (w: WorkerProcess, result: Promise<unknown>) =>
    (await Promise.race([
      result,
      w.exited().then((how) => {
        throw new Error(`the worker died (${how.signal ?? how.code}):\n${w.output()}`);
      }),
    ])) as SyncResult;
  const serverStartedAt = async () =>
    (await stack.pool.query<{ t: string }>('SELECT pg_postmaster_start_time()::text AS t')).rows[0]!.t;

  it('restart with the commit transaction open: committed once on retry, the worker lives on', async () => {
    const w = startWorkerProcess(stack, writeStackConfig(stack), {
      ML_CONNECTOR_FAILPOINT: 'in-commit:pause',
    });
    worker = w;
    const handle = await start();
    while (!w.output().includes('"msg":"Failpoint reached"')) {
      assert.ok(alive(w), `the worker died before the commit:\n${w.output()}`);
      await sleep(50);
    }
    // The worker holds the commit transaction open: its ledger rows are written but not visible.
    const { rows: open } = await stack.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND state = 'idle in transaction'`,
    );
    assert.equal(open[0]!.n, 1, 'the commit transaction is open');
    const { rows: before } = await stack.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM ledger_entry WHERE integration_id = $1',
      [ID],
    );
    assert.equal(before[0]!.n, 0, 'nothing committed yet');
    const startedAt = await serverStartedAt();

    await server.restart();
    assert.notEqual(await serverStartedAt(), startedAt, 'a new postmaster');
    w.child.kill('SIGHUP'); // the commit goes on, on its dead connection

    const result = await resultWhileAlive(w, handle.result());
    assert.ok(alive(w), `the worker survived the restart:\n${w.output()}`);
    assert.equal(result.sent, stack.sim.flatJournalLines().length);
    // Temporal retried the commit: the attempt that committed was not the first.
    const history = await handle.fetchHistory();
    const commitScheduled = history.events?.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'commitRun',
    );
    assert.ok(commitScheduled);
    const commitStarted = history.events?.find(
      (e) =>
        e.activityTaskStartedEventAttributes &&
        String(e.activityTaskStartedEventAttributes.scheduledEventId) === String(commitScheduled.eventId),
    );
    assert.ok(
      (commitStarted?.activityTaskStartedEventAttributes?.attempt ?? 0) >= 2,
      'the commit was retried',
    );
    assert.equal(w.output().split('"msg":"Run committed"').length - 1, 1, 'committed once');
    await assertInvariants(stack, ID);

    // The next sync on the same worker delivers a changed line normally.
    const line = stack.sim.flatJournalLines()[0]!;
    stack.sim.journals.updateLine(Number(line.JeHeaderId), Number(line.JeLineNumber), {
      Description: 'changed after the restart',
    });
    const again = await resultWhileAlive(w, (await start()).result());
    assert.equal(again.sent, 1);
    assert.ok(again.file);
    await assertInvariants(stack, ID);
    assert.ok(alive(w), `the worker is still the same process:\n${w.output()}`);
  });
});
