import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { syncIntegration } from '../../src/workflows';
import { integrationConfig, startTestStack, startWorker, type TestStack } from '../support/stack';

// The real CLI (src/client/main.ts in its own process) against a real Temporal server and a real
// worker: what a user sees when a command fails (the cause, not "Workflow execution failed"),
// its exit code, and an answer within seconds when no worker polls the task queue.

const MAIN = join(__dirname, '../../src/client/main.ts');
const API_KEY = `tk-${randomUUID()}`;

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

describe('the CLI on a real Temporal server', { timeout: 240_000 }, () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> };
  let baseEnv: Record<string, string>;

  /** Runs the CLI asynchronously: the in-process worker must keep answering meanwhile. */
  function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: { ...baseEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    // A CLI that hangs is a failure too: stopped after a minute, its status then null.
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    return new Promise((resolve) =>
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr, ms: Date.now() - started });
      }),
    );
  }

  const show = (r: CliRun) => `rc ${r.status} after ${r.ms} ms\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

  before(async () => {
    stack = await startTestStack({
      // A schedule that does not fire during the test (1 January): `start` needs one.
      integrations: (simUrl, sshd) => [
        { ...integrationConfig(simUrl, sshd), schedule: { cron: ['0 0 1 1 *'] } },
      ],
    });
    worker = await startWorker(stack);
    const configPath = join(stack.sshd.dir, 'cli.config.json');
    writeFileSync(configPath, JSON.stringify(stack.rawConfig));
    baseEnv = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: stack.databaseUrl,
      TEMPORAL_ADDRESS: stack.temporal.address,
      ML_CONNECTOR_CONFIG: configPath,
      ML_CONNECTOR_TASK_QUEUE: stack.taskQueue,
      // No profile file from the machine's home directory.
      HOME: stack.sshd.dir,
    };
  });

  after(async () => {
    await worker?.stop();
    await stack?.close();
  });

  it('--help prints the usage with the exit codes and exits 0', async () => {
    for (const args of [['--help'], ['help'], ['-h']]) {
      const r = await cli(args);
      assert.equal(r.status, 0, show(r));
      assert.match(r.stdout, /^usage: ml-connector <command>/);
      assert.match(r.stdout, /exit codes:/);
      assert.match(r.stdout, /2 +a usage mistake/);
      assert.equal(r.stderr, '');
    }
  });

  it('sync of an unknown integration prints the worker configuration’s answer, exit 1', async () => {
    const r = await cli(['sync', 'no-such-integration']);
    assert.equal(r.status, 1, show(r));
    assert.match(
      r.stderr,
      /^error: No integration "no-such-integration" in the configuration\. Known: gl-journal-lines\n/,
    );
    assert.match(
      r.stderr,
      /\n {2}\(workflow sync-no-such-integration-\S+, activity integrationSettings, failure type ConfigError\)\n$/,
    );
    assert.doesNotMatch(r.stderr, /Workflow execution failed/);
  });

  let firstRunKey = '';

  it('a second sync while one runs names the open run, exit 1; the first then finishes', async () => {
    // Every Fusion call slow (10 s, within the 60 s request timeout): the first sync stays in
    // its extract step, its run open, while the second CLI starts.
    stack.sim.faults.set({ latency: { ms: 10_000 } });
    const first = cli(['sync', 'gl-journal-lines']);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const open = await stack.ledger.openRunOf('gl-journal-lines');
      if (open) break;
      assert.ok(Date.now() < deadline, 'the first sync never opened its run');
      await sleep(100);
    }
    const second = await cli(['sync', 'gl-journal-lines']);
    stack.sim.faults.set({});
    assert.equal(second.status, 1, show(second));
    assert.match(
      second.stderr,
      /^error: Integration "gl-journal-lines" already has an open run \(sync-gl-journal-lines-\S+\)\. Let it finish/,
    );
    assert.match(
      second.stderr,
      /\(workflow sync-gl-journal-lines-\S+, activity stageChanges, failure type RunInProgressError\)/,
    );
    const done = await first;
    assert.equal(done.status, 0, show(done));
    firstRunKey = (JSON.parse(done.stdout) as { runKey: string }).runKey;
    assert.ok(firstRunKey.startsWith('sync-gl-journal-lines-'));
  });

  it('retry of a run that was delivered says there is nothing to retry, exit 1', async () => {
    assert.ok(firstRunKey, 'needs the run of the test before');
    const r = await cli(['retry', 'gl-journal-lines', firstRunKey]);
    assert.equal(r.status, 1, show(r));
    assert.match(r.stderr, new RegExp(`^error: Run ${firstRunKey} has no failed delivery to retry\\n`));
    assert.match(r.stderr, /\n {2}\(workflow retry-\S+, failure type NothingToRetry\)\n$/);
  });

  it('with no worker on the task queue, sync says so within seconds (exit 1) and status says why it has no schedule', async () => {
    const idle = `idle-${randomUUID()}`;
    const sync = await cli(['sync', 'gl-journal-lines'], { ML_CONNECTOR_TASK_QUEUE: idle });
    assert.equal(sync.status, 1, show(sync));
    assert.match(sync.stderr, new RegExp(`^error: No worker is polling task queue "${idle}"`));
    // Before, sync waited forever and status failed after 30 s; the CLI's own start takes a few s.
    assert.ok(sync.ms < 20_000, show(sync));
    // A started workflow whose worker is gone: the status query would wait 30 s for an answer.
    await stack.client.workflow.start(syncIntegration, {
      taskQueue: idle,
      workflowId: 'integration-gl-journal-lines',
      args: [{ integrationId: 'gl-journal-lines' }],
    });
    try {
      // status reads the ledger first: it answers, and says why the workflow's part is missing.
      const status = await cli(['status', 'gl-journal-lines'], { ML_CONNECTOR_TASK_QUEUE: idle });
      assert.equal(status.status, 0, show(status));
      const report = JSON.parse(status.stdout);
      assert.equal(report.schedule, null);
      assert.match(report.scheduleError, new RegExp(`^no worker polls task queue "${idle}"`));
      assert.doesNotMatch(status.stderr, /Failed to query Workflow/);
      assert.ok(status.ms < 20_000, show(status));
    } finally {
      await stack.client.workflow
        .getHandle('integration-gl-journal-lines')
        .terminate('test over')
        .catch(() => undefined);
    }
  });

  it('an unreachable Temporal is named with its address, quickly, and no API key is printed', async () => {
    const r = await cli(['sync', 'gl-journal-lines'], {
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      TEMPORAL_API_KEY: API_KEY,
    });
    assert.equal(r.status, 1, show(r));
    assert.match(r.stderr, /^error: Cannot reach Temporal at 127\.0\.0\.1:1/);
    assert.ok(!r.stderr.includes(API_KEY) && !r.stdout.includes(API_KEY), 'the API key stays out');
    assert.ok(r.ms < 25_000, show(r));
  });

  it('start --all starts every scheduled integration once; a second run finds them running', async () => {
    const suffix = randomUUID().slice(0, 8);
    const [base] = stack.rawConfig.integrations as Record<string, unknown>[];
    const ids = ['all-a', 'all-b', 'all-none'].map((n) => `${n}-${suffix}`);
    const configPath = join(stack.sshd.dir, `start-all-${suffix}.json`);
    writeFileSync(
      configPath,
      JSON.stringify({
        ...stack.rawConfig,
        integrations: ids.map((id, i) => {
          const { schedule, ...rest } = { ...base, id } as Record<string, unknown>;
          return i < 2 ? { ...rest, schedule } : rest;
        }),
      }),
    );
    // A task queue no worker polls: the test's worker does not know these integrations.
    const env = { ML_CONNECTOR_CONFIG: configPath, ML_CONNECTOR_TASK_QUEUE: `start-all-${suffix}` };
    try {
      const first = await cli(['start', '--all'], env);
      assert.equal(first.status, 0, show(first));
      assert.match(first.stderr, /^warning: no worker polls task queue "start-all-/);
      const outcome = JSON.parse(first.stdout);
      assert.deepEqual(
        [outcome.started, outcome.running, outcome.unscheduled, outcome.failed],
        [ids.slice(0, 2), [], [ids[2]], []],
      );
      for (const id of ids.slice(0, 2)) {
        const { status } = await stack.client.workflow.getHandle(`integration-${id}`).describe();
        assert.equal(status.name, 'RUNNING', id);
      }
      const again = await cli(['start', '--all'], env);
      assert.equal(again.status, 0, show(again));
      assert.deepEqual(
        JSON.parse(again.stdout).running,
        ids.slice(0, 2),
        'already running: left as they are',
      );
      const both = await cli(['start', ids[0]!, '--all'], env);
      assert.equal(both.status, 2, show(both));
      assert.match(both.stderr, /^ml-connector start: give either <integration> or --all/);
    } finally {
      for (const id of ids.slice(0, 2))
        await stack.client.workflow
          .getHandle(`integration-${id}`)
          .terminate('test over')
          .catch(() => undefined);
    }
  });

  it('start, status, pause and resync through the CLI; a rejected resync prints why, exit 1', async () => {
    const missing = await cli(['status', 'no-such-integration']);
    assert.equal(missing.status, 1, show(missing));
    // The configuration answers first (status reads it before Temporal).
    assert.match(
      missing.stderr,
      /^No integration "no-such-integration" in the configuration\. Known: gl-journal-lines\n/,
    );
    const start = await cli(['start', 'gl-journal-lines']);
    assert.equal(start.status, 0, show(start));
    assert.equal(JSON.parse(start.stdout).workflowId, 'integration-gl-journal-lines');
    try {
      const status = await cli(['status', 'gl-journal-lines']);
      assert.equal(status.status, 0, show(status));
      assert.equal(JSON.parse(status.stdout).integrationId, 'gl-journal-lines');
      const pause = await cli(['pause', 'gl-journal-lines']);
      assert.equal(pause.status, 0, show(pause));
      assert.deepEqual(JSON.parse(pause.stdout), { integrationId: 'gl-journal-lines', paused: true });
      assert.equal(pause.stderr, '', 'a worker polls: no warning');
      const bad = await cli(['resync', 'gl-journal-lines', '--since', '1 May', '--reason', 'test']);
      assert.equal(bad.status, 1, show(bad));
      assert.equal(
        bad.stderr,
        'error: since must be a date or an RFC 3339 time with a zone\n  (workflow integration-gl-journal-lines)\n',
      );
      const usage = await cli(['resync', 'gl-journal-lines', '--all']);
      assert.equal(usage.status, 2, show(usage));
      assert.match(usage.stderr, /^ml-connector resync needs --reason/);
    } finally {
      await stack.client.workflow
        .getHandle('integration-gl-journal-lines')
        .terminate('test over')
        .catch(() => undefined);
    }
  });
});
