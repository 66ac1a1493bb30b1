import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { FusionSimulator, type SimulatorOptions } from '../simulator/server';
import { createScratchDatabase, ensurePostgres, type PostgresInstance } from './postgres';
import { type SshdInstance, type SshdOptions, startSshd } from './sshd';
import { ensureTemporal, type TemporalInstance } from './temporal';

// The services a sync needs, started (or found) once for the tests, the benchmark and the demo:
// Temporal, a Postgres server (scratch databases on it), OpenSSH sshd on a loopback port, and the
// Fusion simulator. Each service has one readiness check, in its own module: Temporal's health
// service (dev/temporal.ts), a Postgres `SELECT 1` (dev/postgres.ts), sshd's port accepting
// (dev/sshd.ts), the simulator's listen() (simulator/server.ts). The worker process is
// dev/workerProcess.ts.

export interface StackOptions {
  temporal?: { ui?: boolean; sdkFallback?: boolean };
  /**
   * The Postgres server: `url` as given, else DATABASE_URL, else 127.0.0.1:5432 when `allowLocal`
   * (default), else an embedded server in `embeddedDir` (default a temp folder).
   */
  postgres?: { url?: string; allowLocal?: boolean; embeddedDir?: string };
  sshd?: SshdOptions;
  /** Keep sshd's folder and keys when the stack closes (the demo's .data/sftp). */
  keepSshd?: boolean;
}

export interface Stack {
  temporal: TemporalInstance;
  /** The Postgres server (its `postgres` database, or DATABASE_URL's). */
  postgres: PostgresInstance;
  sshd: SshdInstance;
  connection: Connection;
  client: Client;
  /** A new empty database on the stack's server, dropped by dispose() (and when the stack closes). */
  scratchDatabase(prefix?: string): Promise<{ url: string; dispose(): Promise<void> }>;
  /** Runs `cleanup` when the stack closes (last registered, first run). */
  defer(cleanup: () => Promise<void>): void;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const temporal = await ensureTemporal(options.temporal);
    cleanups.push(() => temporal.stop());
    const given = options.postgres?.url;
    const postgres: PostgresInstance = given
      ? { url: given, started: false, stop: async () => {} }
      : await ensurePostgres({
          embeddedDir: options.postgres?.embeddedDir ?? mkdtempSync(join(tmpdir(), 'mlc-pg-')),
          allowLocal: options.postgres?.allowLocal ?? true,
        });
    cleanups.push(() => postgres.stop());
    const sshd = await startSshd(options.sshd);
    cleanups.push(() => (options.keepSshd ? sshd.stop() : sshd.dispose()));
    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    return {
      temporal,
      postgres,
      sshd,
      connection,
      client: new Client({ connection }),
      scratchDatabase: async (prefix) => {
        const db = await createScratchDatabase(postgres.url, prefix);
        cleanups.push(() => db.dispose());
        return db;
      },
      defer: (cleanup) => {
        cleanups.push(cleanup);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The Fusion simulator on a loopback port (`port` 0: any free one); ready when this resolves. */
export async function startSimulator(
  options: SimulatorOptions,
  port = 0,
): Promise<{ sim: FusionSimulator; url: string; close(): Promise<void> }> {
  const sim = new FusionSimulator(options);
  const url = await sim.listen(port);
  return { sim, url, close: () => sim.close() };
}
