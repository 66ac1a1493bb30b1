import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { Pool } from 'pg';
import { simulatorIntegration } from '../../dev/integration';
import type { SshdInstance, SshdOptions } from '../../dev/sshd';
import { startSimulator, startStack } from '../../dev/stack';
import type { TemporalInstance } from '../../dev/temporal';
import { workflowBundle, workflowBundleFile } from '../../dev/workflowBundle';
import type { StampPrecision } from '../../simulator/attributes';
import type { FusionSimulator } from '../../simulator/server';
import { type ConfigFile, parseConfig } from '../../src/config';
import { resolveSecrets, type SecretResolver, usesCredentialStore } from '../../src/config/secrets';
import { Ledger } from '../../src/ledger';
import { createWorker } from '../../src/worker';

// The real services an integration test needs, from the dev harness (dev/stack.ts): Temporal
// (TEMPORAL_ADDRESS or a dev server started here), Postgres (a scratch database on DATABASE_URL or
// the local server), OpenSSH sshd on a loopback port, and the Fusion simulator; plus the migrated
// ledger, the parsed configuration and a task queue of the test's own. Nothing here is a fake.

export const SIM_CLIENT_ID = 'ml-connector-test';
export const SIM_CLIENT_SECRET = `sim-secret-${randomUUID()}`;

export interface TestStack {
  temporal: TemporalInstance;
  client: Client;
  nativeConnection: NativeConnection;
  databaseUrl: string;
  ledger: Ledger;
  /** The ledger's pool, for tests that seed or inspect its tables with SQL of their own. */
  pool: Pool;
  sim: FusionSimulator;
  simUrl: string;
  sshd: SshdInstance;
  config: ConfigFile;
  /** The same configuration as a plain object, for writing a config file for a worker process. */
  rawConfig: Record<string, unknown>;
  secretsEnv: Record<string, string>;
  secrets: SecretResolver;
  taskQueue: string;
  workflowBundle: { code: string };
  /** The same bundle as a file, for a worker process (ML_CONNECTOR_WORKFLOW_BUNDLE). */
  workflowBundlePath: string;
  close(): Promise<void>;
}

export function integrationConfig(simUrl: string, sshd: SshdInstance, id = 'gl-journal-lines') {
  return simulatorIntegration({
    id,
    simUrl,
    clientId: SIM_CLIENT_ID,
    sshd,
    fusion: {
      pageSize: 7, // small pages so tests cross page boundaries
      overlapSeconds: 5,
    },
  });
}

export interface TestStackOptions {
  sshd?: SshdOptions;
  /** The integrations to configure; by default one journal-lines integration on the simulator and sshd. */
  integrations?: (simUrl: string, sshd: SshdInstance) => Record<string, unknown>[];
  /** More secret values by variable name (e.g. an SFTP password). */
  secretsEnv?: Record<string, string>;
  /** Extra top-level configuration (e.g. alerts). */
  config?: Record<string, unknown>;
  /** The Postgres server for the scratch database (a test's own server); by default DATABASE_URL or the local one. */
  postgresUrl?: string;
  /**
   * How the simulator stamps rows. Default `second`: a test may change a row and sync at once
   * (a sync's window ends at the whole second it starts in, so a millisecond stamp later in that
   * second waits for the next sync). Paging, header-change and hostile tests use `millisecond`.
   */
  stampPrecision?: StampPrecision;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const stack = await startStack({
    postgres: options.postgresUrl ? { url: options.postgresUrl } : {},
    sshd: options.sshd,
  });
  try {
    const { temporal, sshd, client } = stack;
    const db = await stack.scratchDatabase();
    // The pool Ledger.connect would make, kept here so tests can query the tables themselves.
    const pool = new Pool({ connectionString: db.url, max: 10, application_name: 'ml-connector' });
    pool.on('error', () => {}); // a dropped idle connection (the Postgres fault tests) is replaced
    const ledger = new Ledger(pool);
    stack.defer(() => ledger.close());
    await ledger.migrate();

    const {
      sim,
      url: simUrl,
      close: closeSim,
    } = await startSimulator({
      clientId: SIM_CLIENT_ID,
      clientSecret: SIM_CLIENT_SECRET,
      stampPrecision: options.stampPrecision ?? 'second',
    });
    stack.defer(closeSim);
    const nativeConnection = await NativeConnection.connect({ address: temporal.address });
    stack.defer(() => nativeConnection.close());

    const rawConfig = {
      ...options.config,
      integrations: options.integrations?.(simUrl, sshd) ?? [integrationConfig(simUrl, sshd)],
    };
    const config = parseConfig(rawConfig);
    const secretsEnv = {
      FUSION_CLIENT_SECRET: SIM_CLIENT_SECRET,
      SFTP_PRIVATE_KEY: sshd.privateKey,
      ...options.secretsEnv,
    };
    return {
      temporal,
      client,
      nativeConnection,
      databaseUrl: db.url,
      ledger,
      pool,
      sim,
      simUrl,
      sshd,
      config,
      rawConfig,
      secretsEnv,
      // With stored credentials the worker under test resolves them itself (from the store).
      secrets: usesCredentialStore(config)
        ? () => {
            throw new Error('this stack uses the credential store: start a worker process');
          }
        : await resolveSecrets(config, { env: secretsEnv }),
      taskQueue: `test-${randomUUID()}`,
      workflowBundle: await workflowBundle(),
      workflowBundlePath: await workflowBundleFile(),
      close: () => stack.close(),
    };
  } catch (err) {
    await stack.close();
    throw err;
  }
}

/** An in-process worker on the stack's task queue; stop() drains it and closes its clients. */
export async function startWorker(
  stack: TestStack,
  setup: Partial<Parameters<typeof createWorker>[0]> = {},
): Promise<{ stop(): Promise<void> }> {
  const { worker, close } = await createWorker({
    config: stack.config,
    secrets: stack.secrets,
    ledger: stack.ledger,
    connection: stack.nativeConnection,
    taskQueue: stack.taskQueue,
    workflowBundle: stack.workflowBundle,
    ...setup,
  });
  const running = worker.run();
  return {
    stop: async () => {
      worker.shutdown();
      await running;
      await close();
    },
  };
}
