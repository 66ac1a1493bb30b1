import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase, LOCAL_POSTGRES } from '../../dev/postgres';

// `npm run demo -- --keep` as a user runs it: the demo in its own process syncs twice, then keeps
// its services and worker running and prints how to use them; a printed command works against
// them from another process; SIGTERM ends the demo and closes every port it opened.

const REPO = resolve(__dirname, '../..');
const READY = '» Waiting for Ctrl-C or SIGTERM.';

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(join(REPO, 'bin/ml-connector'), args, { cwd: REPO, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', fail);
    child.once('exit', (status) => done({ status, stdout, stderr }));
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** The `export NAME=value` lines of the printed block (values are plain or single-quoted). */
function printedEnv(output: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [, name, value] of output.matchAll(/^ {2}export (\w+)=('(?:[^']|'\\'')*'|\S+)/gm)) {
    env[name!] = value!.startsWith("'") ? value!.slice(1, -1).replaceAll("'\\''", "'") : value!;
  }
  return env;
}

const port = (output: string, pattern: RegExp) => {
  const found = pattern.exec(output);
  assert.ok(found, `no ${pattern} in the demo's output:\n${output}`);
  return Number(found[1]);
};

describe('npm run demo -- --keep', { timeout: 300_000 }, () => {
  let dir: string;
  let db: { url: string; dispose(): Promise<void> };
  let demo: ChildProcess;
  let output = '';
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlc-demo-'));
    db = await createScratchDatabase(process.env.DATABASE_URL ?? LOCAL_POSTGRES, 'mlc_demo');
    demo = spawn(process.execPath, ['--import', 'tsx', 'dev/demo.ts', '--keep'], {
      cwd: REPO,
      env: {
        ...process.env,
        ML_CONNECTOR_DEMO_DIR: dir,
        DATABASE_URL: db.url,
        ML_CONNECTOR_TASK_QUEUE: `demo-${randomUUID()}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((done) => demo.once('exit', (code, signal) => done({ code, signal })));
    const keep = (d: Buffer) => {
      output += d.toString();
    };
    demo.stdout?.on('data', keep);
    demo.stderr?.on('data', keep);
    await Promise.race([
      new Promise<void>((done) => {
        const check = () => {
          if (output.includes(READY)) {
            demo.stdout?.off('data', check);
            done();
          }
        };
        demo.stdout?.on('data', check);
      }),
      exited.then(({ code, signal }) => {
        throw new Error(`the demo exited (${signal ?? code}) before keeping its services:\n${output}`);
      }),
    ]);
  });

  after(async () => {
    if (demo.exitCode === null && demo.signalCode === null) {
      demo.kill('SIGKILL');
      await exited;
    }
    await db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the services, prints how to use them, and a printed command works', async () => {
    const block = output.slice(output.indexOf('» Keeping the services running (--keep)'));
    assert.match(block, /» Commands to try:\n {2}bin\/ml-connector status gl-journal-lines\n/);
    for (const command of ['sync gl-journal-lines', 'audit files', 'check gl-journal-lines', 'ui'])
      assert.match(block, new RegExp(`^ {2}bin/ml-connector ${command}`, 'm'));
    const env = printedEnv(block);
    assert.equal(env.ML_CONNECTOR_CONFIG, join(dir, 'ml-connector.demo.json'));
    assert.equal(env.FUSION_CLIENT_SECRET, 'sim-secret'); // the simulator's own throwaway secret
    assert.ok(env.TEMPORAL_ADDRESS && env.ML_CONNECTOR_TASK_QUEUE, block);
    // DATABASE_URL as given may hold a password: the demo does not print it.
    assert.equal(env.DATABASE_URL, undefined);
    assert.ok(!output.includes(db.url), 'the given DATABASE_URL was printed');
    if (process.env.TEMPORAL_ADDRESS)
      assert.match(block, /TEMPORAL_ADDRESS \S+ is a server the demo did not start/);

    // From another process, with the printed environment: the kept worker runs a third sync.
    const cliEnv = { ...process.env, ...env, DATABASE_URL: db.url };
    const sync = await run(['sync', 'gl-journal-lines'], cliEnv);
    assert.equal(sync.status, 0, `sync failed:\n${sync.stdout}\n${sync.stderr}`);
    const status = await run(['status', 'gl-journal-lines'], cliEnv);
    assert.equal(status.status, 0, `status failed:\n${status.stdout}\n${status.stderr}`);
    const report = JSON.parse(status.stdout) as { lastRun: { kind: string; status: string; runKey: string } };
    assert.equal(report.lastRun.status, 'committed');
    // The last run is the CLI's sync, not one of the demo's two.
    const runWorkflow = report.lastRun.runKey.split('/')[0]!;
    assert.match(runWorkflow, /^sync-gl-journal-lines-/);
    const demoSyncs = [...output.matchAll(/» Sync \d: workflow (\S+)/g)].map((m) => m[1]);
    assert.equal(demoSyncs.length, 2, output);
    assert.ok(!demoSyncs.includes(runWorkflow), `${runWorkflow} is one of the demo's syncs`);
  });

  it('stops on SIGTERM and closes every port it opened', async () => {
    const ports = [
      port(output, /» Fusion simulator: http:\/\/127\.0\.0\.1:(\d+)/),
      port(output, /» SFTP: OpenSSH sshd on 127\.0\.0\.1:(\d+)/),
    ];
    const ui = /» Temporal: 127\.0\.0\.1:(\d+), Web UI http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
    if (ui) ports.push(Number(ui[1]), Number(ui[2])); // a dev server the demo started
    for (const p of ports) assert.ok(await portOpen(p), `port ${p} is not open while the demo keeps it`);
    demo.kill('SIGTERM');
    const { code, signal } = await exited;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, output);
    assert.match(output, /» SIGTERM: stopping the worker and the services…/);
    for (const p of ports)
      assert.equal(await portOpen(p), false, `port ${p} still open after the demo ended`);
  });
});
