import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { ScheduleSpec } from '../../src/schedule';
import {
  forceResyncSignal,
  forceResyncUpdate,
  pauseSignal,
  resumeSignal,
  statusQuery,
} from '../../src/shared/integrationWorkflow';
import { integrationWorkflowId, replayWorkflowId, syncWorkflowId } from '../../src/shared/workflowIds';
import type {
  integrationWorkflow,
  replayFile,
  resyncIntegration,
  syncIntegration,
} from '../../src/workflows';
import { LOCAL_QUICK_STEPS, RELEASE_ABANDONED_RUNS } from '../../src/workflows/syncIntegration';
import { bundle, HOUR, MINUTE, skipToMinute, timeSkippingEnv } from './env';
import { FakeConnector, type FakeOptions } from './fakeActivities';

// `npm run record-histories`: re-records the workflow histories in test/fixtures/histories that
// test/workflows/replay.test.ts replays against the current workflow code. Run it when a workflow
// gains a history shape worth keeping (a new workflow, a new branch); never to make a failing
// replay pass: a history that no longer replays is a running workflow a deploy would break (use
// patched() instead). Runs on the time-skipping test server with the fake activities (no other
// service). With `-- --pre-patch` it also records the `pre-patch-*` histories from the workflow
// code of the git commit just before the release-abandoned-runs patch appeared, so they take the
// patched() branch's old path (old code's histories: re-recording them is rarely needed), and the
// `pre-local-steps-*` syncs the same way from the code just before the local-quick-steps patch
// (the short calls then ran as activities). `pre-local-steps-sync-child`, `-resync-child` and
// `-replay-file` were recorded by this script before that patch and are kept as they are. The
// wake-during-planning patch has no such history: its old code's scenario did not finish on the
// test server.

const OUT = resolve(__dirname, '../fixtures/histories');
const INTEGRATION = 'gl-journal-lines';
const ROOT = resolve(__dirname, '../..');

/** The commit just before the one that added a patch ID to src/workflows. */
function revisionBefore(patchId: string): string {
  const added = execFileSync(
    'git',
    ['log', '--format=%H', '--reverse', '-S', `'${patchId}'`, '--', 'src/workflows'],
    {
      cwd: ROOT,
    },
  )
    .toString()
    .split('\n')[0];
  if (!added) throw new Error(`no commit adds patch ${patchId} to src/workflows`);
  return `${added}^`;
}

const HALF_PAST_DEADLINE: ScheduleSpec = {
  cron: ['0 * * * *'],
  timezone: 'UTC',
  deadlines: [{ cutoff: '30 * * * *', label: 'half past' }],
};

async function save(name: string, handle: WorkflowHandle, runId?: string) {
  const history = await (runId ? handle.client.getHandle(handle.workflowId, runId) : handle).fetchHistory();
  const json = JSON.stringify(JSON.parse(historyToJSON(history)), null, 2);
  writeFileSync(join(OUT, `${name}.json`), `${json}\n`);
  console.log(`recorded ${name}.json (${history.events?.length} events)`);
}

async function until(what: string, ok: () => Promise<boolean>) {
  const deadline = Date.now() + 30_000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function withWorker<T>(
  env: TestWorkflowEnvironment,
  workflowBundle: { code: string },
  options: FakeOptions,
  body: (taskQueue: string, fake: FakeConnector) => Promise<T>,
): Promise<T> {
  const fake = new FakeConnector(options);
  const taskQueue = `record-${Math.random().toString(36).slice(2)}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: fake.activities(),
  });
  return worker.runUntil(body(taskQueue, fake));
}

/** syncIntegration alone: a delivered file, and an upload that fails (recorded, alerted, rethrown). */
async function recordSyncs(env: TestWorkflowEnvironment, code: { code: string }, prefix: string) {
  const yearly: ScheduleSpec = { cron: ['0 0 1 1 *'], timezone: 'UTC', deadlines: [] };
  await withWorker(
    env,
    code,
    { schedule: yearly, changes: [3, 2], failUpload: (n) => n === 2 },
    async (tq) => {
      const ok = await env.client.workflow.start<typeof syncIntegration>('syncIntegration', {
        taskQueue: tq,
        workflowId: syncWorkflowId(INTEGRATION, new Date(await env.currentTimeMs())),
        args: [{ integrationId: INTEGRATION }],
      });
      await ok.result();
      await save(`${prefix}sync-delivered`, ok);
      const failed = await env.client.workflow.start<typeof syncIntegration>('syncIntegration', {
        taskQueue: tq,
        workflowId: syncWorkflowId(INTEGRATION, new Date(await env.currentTimeMs())),
        args: [{ integrationId: INTEGRATION }],
      });
      await failed.result().catch(() => {});
      await save(`${prefix}sync-upload-failed`, failed);
      const resync = await env.client.workflow.start<typeof resyncIntegration>('resyncIntegration', {
        taskQueue: tq,
        workflowId: `resync-${INTEGRATION}-recorded`,
        args: [
          {
            integrationId: INTEGRATION,
            request: { mode: 'range', from: '2026-02-01', to: '2026-02-03', reason: 'backfill' },
          },
        ],
      });
      await resync.result();
      await save(`${prefix}resync-range`, resync);
    },
  );
}

/**
 * integrationWorkflow through all it does: two scheduled syncs (children), a deadline met and one
 * missed (an alert), pause and resume, forceResync by update (a resync child reporting progress),
 * a refused forceResync signal, then continue-as-new (maxTurns).
 */
async function recordIntegration(env: TestWorkflowEnvironment, code: { code: string }, prefix: string) {
  await skipToMinute(env, 45);
  await withWorker(env, code, { schedule: HALF_PAST_DEADLINE, changes: [2, 0] }, async (tq, fake) => {
    const workflowId = integrationWorkflowId(INTEGRATION);
    const started = await env.client.workflow.start<typeof integrationWorkflow>('integrationWorkflow', {
      taskQueue: tq,
      workflowId,
      args: [{ integrationId: INTEGRATION, maxTurns: 8 }],
    });
    const handle = env.client.workflow.getHandle(workflowId);
    await env.sleep(2 * HOUR - 5 * MINUTE); // hh+1:00 sync, hh+1:30 met, hh+2:00 empty sync, hh+2:30 missed
    if (fake.alerts.length !== 1) throw new Error(`expected one deadline alert, got ${fake.alerts.length}`);
    await handle.signal(pauseSignal);
    await until('paused', async () => (await handle.query(statusQuery)).paused);
    await handle.signal(resumeSignal);
    await until('resumed', async () => !(await handle.query(statusQuery)).paused);
    await handle.signal(forceResyncSignal, { mode: 'all', reason: '' }); // refused: no reason
    await handle.executeUpdate(forceResyncUpdate, {
      args: [{ mode: 'all', reason: 'vendor lost the files' }],
    });
    await until(
      'continued as new',
      async () => (await handle.describe()).runId !== started.firstExecutionRunId,
    );
    await save(`${prefix}integration-workflow`, handle, started.firstExecutionRunId);
    await handle.terminate('recorded');
    if (prefix) return;
    const syncs = fake.syncs();
    await save('sync-child', env.client.workflow.getHandle(syncs[0]?.workflowId ?? ''));
    const resync = fake.runs.find((r) => r.kind === 'resend');
    await save('resync-child', env.client.workflow.getHandle(resync?.workflowId ?? ''));

    const replay = await env.client.workflow.start<typeof replayFile>('replayFile', {
      taskQueue: tq,
      workflowId: replayWorkflowId(INTEGRATION, new Date(await env.currentTimeMs())),
      args: [
        { integrationId: INTEGRATION, fileName: 'gl-journal-lines_20260101T000000Z.csv', reason: 'lost' },
      ],
    });
    await replay.result();
    await save('replay-file', replay);
  });
}

/** The workflow code of a past commit, bundled (src/workflows and src/shared are all it imports). */
async function pastBundle(rev: string): Promise<{ code: string; cleanup(): void }> {
  // Inside the repository, so the bundler resolves @temporalio/workflow from its node_modules.
  const dir = mkdtempSync(join(ROOT, '.history-src-'));
  try {
    const tar = execFileSync('git', ['archive', rev, 'src/workflows', 'src/shared'], { cwd: ROOT });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    const code = await bundle(join(dir, 'src/workflows/index.ts'));
    return { ...code, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** One test server per recording: what one leaves behind must not hold the next one's clock. */
async function withEnv(record: (env: TestWorkflowEnvironment) => Promise<void>) {
  const env = await timeSkippingEnv();
  try {
    await record(env);
  } finally {
    await env.teardown();
  }
}

async function withPast(rev: string, record: (code: { code: string }) => Promise<void>) {
  const past = await pastBundle(rev);
  try {
    await record(past);
  } finally {
    past.cleanup();
  }
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const current = await bundle();
  await withEnv((env) => recordSyncs(env, current, ''));
  await withEnv((env) => recordIntegration(env, current, ''));
  if (!process.argv.includes('--pre-patch')) return;
  await withPast(revisionBefore(LOCAL_QUICK_STEPS), (code) =>
    withEnv((env) => recordSyncs(env, code, 'pre-local-steps-')),
  );
  await withPast(revisionBefore(RELEASE_ABANDONED_RUNS), (code) =>
    withEnv((env) => recordSyncs(env, code, 'pre-patch-')),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
