import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { type Activities, createActivities, type Failpoint } from './activities';
import { type AlertSink, createAlertSinks } from './alerts';
import {
  type ConfigFile,
  findIntegration,
  heapGrowingNotApplied,
  heapLimitNotApplied,
  type IntegrationConfig,
  loadConfigFile,
  readRuntimeEnv,
} from './config';
import { resolveSecrets, type SecretResolver } from './config/secrets';
import { credentialStoreFromEnv } from './credentials';
import { frameworkLimitations } from './fusion/framework';
import { buildIntegrations } from './integrations';
import { Ledger } from './ledger';
import { createLogger, type Logger } from './observability/logger';
import { createMetrics, type Metrics } from './observability/metrics';
import { startMetricsServer } from './observability/metricsServer';
import { TASK_QUEUE } from './shared';
import { loadTemporalTarget } from './temporal/connection';
import { heapReleaseInterceptor, heapReleaser } from './temporal/heapRelease';
import { replanScheduledIntegrations } from './temporal/replan';

// The composition root: configuration → clients → activities → Temporal worker. The only
// place concrete implementations meet; everything built here is closed here.

export interface WorkerSetup {
  config: ConfigFile;
  secrets: SecretResolver;
  ledger: Ledger;
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  /** A pre-built workflow bundle (tests build it once); by default the workflows are bundled at start. */
  workflowBundle?: { code: string } | { codePath: string };
  alertSinks?: AlertSink[];
  metrics?: Metrics;
  failpoint?: (at: Failpoint) => void | Promise<void>;
}

/** What the ledger's integration registry keeps of a configured integration (no secrets). */
export function registration(i: IntegrationConfig) {
  return {
    id: i.id,
    entity: i.entity,
    format: i.format.type,
    destination: `sftp://${i.sftp.username}@${i.sftp.host}:${i.sftp.port}${i.sftp.folder}`,
    configSha256: createHash('sha256').update(JSON.stringify(i)).digest('hex'),
  };
}

export async function createWorker(setup: WorkerSetup): Promise<{ worker: Worker; close(): Promise<void> }> {
  const integrations = buildIntegrations(setup.config, setup.secrets);
  for (const [id, rt] of integrations) {
    const adaptive = rt.fusion.client.adaptive;
    if (adaptive) setup.metrics?.fusionRequests(id, () => ({ limit: adaptive.limit, pace: adaptive.pace }));
  }
  // The worker's own connection also serves as a client, to ask whether a workflow run is open.
  const temporal = new Client({ connection: setup.connection, namespace: setup.namespace ?? 'default' });
  const activities: Activities = createActivities({
    ledger: setup.ledger,
    integration: (id) => {
      const found = integrations.get(id);
      if (!found) findIntegration(setup.config, id); // throws a ConfigError naming the known IDs
      return found!;
    },
    alertSinks: setup.alertSinks ?? [],
    metrics: setup.metrics,
    failpoint: setup.failpoint,
    workflowRunIsOpen: async (workflowId, runId) => {
      try {
        const { status } = await temporal.workflow.getHandle(workflowId, runId).describe();
        return status.name === 'RUNNING';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false; // past retention: long ended
        throw err;
      }
    },
  });
  const releaser = heapReleaser();
  const worker = await Worker.create({
    connection: setup.connection,
    namespace: setup.namespace ?? 'default',
    taskQueue: setup.taskQueue ?? TASK_QUEUE,
    ...(setup.workflowBundle
      ? { workflowBundle: setup.workflowBundle }
      : { workflowsPath: require.resolve('./workflows') }),
    activities,
    // After each long activity, the heap pages it freed go back to the system (temporal/heapRelease.ts).
    interceptors: { activity: [heapReleaseInterceptor(releaser)] },
    // Heartbeat details (pages, counts, bytes) reach Temporal every few seconds, not once per
    // 0.8 × heartbeat timeout: the Web UI's pending activity shows where a long run is.
    maxHeartbeatThrottleInterval: '5s',
    defaultHeartbeatThrottleInterval: '5s',
    shutdownGraceTime: '10s',
    // Bounded from the configuration (worker.*): each running sync holds its own pages, and the
    // SDK's own cache default follows the heap limit (10 workflows at 160 MB, 2,000+ at 4 GB).
    maxConcurrentActivityTaskExecutions: setup.config.worker.maxConcurrentActivities,
    maxCachedWorkflows: setup.config.worker.maxCachedWorkflows,
  });
  releaser.release(); // what starting up (the configuration, the workflow bundle) left behind
  return {
    worker,
    close: async () => {
      await Promise.all([...integrations.values()].map((i) => i.fusion.close()));
    },
  };
}

/**
 * Fault points for the fault-injection suite, from ML_CONNECTOR_FAILPOINT=<point>[:<action>]:
 * `kill` (default) SIGKILLs this process there, as a crash would; `drop-db` terminates every
 * Postgres connection to the ledger once (as a database restart would); `pause` holds the call
 * there until the process gets SIGHUP (the test restarts Postgres meanwhile;
 * SIGUSR2 is one of Temporal's shutdown signals). Tests only.
 */
function failpointFromEnv(logger: Logger, ledger: Ledger): ((at: Failpoint) => Promise<void>) | undefined {
  const wanted = process.env.ML_CONNECTOR_FAILPOINT;
  if (!wanted) return undefined;
  const [point, action = 'kill'] = wanted.split(':');
  logger.warn({ failpoint: point, action }, 'Failpoint armed (fault tests only)');
  let fired = false;
  return async (at) => {
    if (at !== point || fired) return;
    fired = true;
    // Listening before the log line: a test sends the signal as soon as it reads that line.
    const resumed = action === 'pause' ? once(process, 'SIGHUP') : null;
    logger.warn({ failpoint: at, action }, 'Failpoint reached');
    if (resumed) {
      await resumed;
      logger.warn({ failpoint: at }, 'Failpoint resumed');
    }
    if (action === 'kill') process.kill(process.pid, 'SIGKILL');
    if (action === 'drop-db') {
      await ledger.terminateOtherSessions();
      throw new Error('failpoint: the ledger connections were dropped');
    }
  };
}

/** The bundle file, checked here so a wrong path fails with its name rather than deep in the SDK. */
function workflowBundleAt(path: string): { codePath: string } {
  if (!existsSync(path)) {
    throw new Error(
      `ML_CONNECTOR_WORKFLOW_BUNDLE: ${path} does not exist (build it with npm run build:workflows)`,
    );
  }
  return { codePath: path };
}

async function main(): Promise<void> {
  const env = readRuntimeEnv();
  const logger = createLogger(env.LOG_LEVEL);
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is not set: the worker needs the Postgres ledger.');
  const config = loadConfigFile(env.ML_CONNECTOR_CONFIG);
  const notApplied = heapLimitNotApplied(config.worker, getHeapStatistics().heap_size_limit, [
    ...process.execArgv,
    ...(process.env.NODE_OPTIONS ?? '').split(/\s+/),
  ]);
  if (notApplied) logger.warn({ heapLimitMB: config.worker.heapLimitMB }, notApplied);
  const growingNotApplied = heapGrowingNotApplied(config.worker, process.execArgv);
  if (growingNotApplied)
    logger.warn({ heapGrowingPercent: config.worker.heapGrowingPercent }, growingNotApplied);
  // Temporal's own client configuration (profile file + TEMPORAL_* variables), read before anything starts.
  const temporal = loadTemporalTarget();
  Runtime.install({
    logger: new DefaultLogger(env.LOG_LEVEL === 'debug' ? 'DEBUG' : 'INFO', (entry) => {
      const { message, level, meta } = entry;
      logger[level === 'ERROR' ? 'error' : level === 'WARN' ? 'warn' : level === 'DEBUG' ? 'debug' : 'info'](
        meta ?? {},
        message,
      );
    }),
  });
  const ledger = Ledger.connect(env.DATABASE_URL, (err) =>
    logger.warn({ error: err.message }, 'Postgres dropped an idle ledger connection; it will be replaced'),
  );
  const applied = await ledger.migrate();
  logger.info({ applied }, 'Ledger schema up to date');
  const credentials = credentialStoreFromEnv(ledger.credentialsPool());
  const secrets = await resolveSecrets(config, { env: process.env, credentials });
  const alertSinks = config.alerts
    ? await createAlertSinks(config.alerts, { env: process.env, credentials })
    : [];
  for (const i of config.integrations) {
    for (const limitation of frameworkLimitations(i.fusion.frameworkVersion)) {
      logger.warn({ integration: i.id, frameworkVersion: i.fusion.frameworkVersion }, limitation);
    }
    if ('acceptAny' in i.sftp.hostKey) {
      logger.warn(
        { integration: i.id },
        'SFTP host key checking is OFF for this integration (hostKey.acceptAny)',
      );
    }
    for (const d of i.destinations ?? []) {
      if ('acceptAny' in d.hostKey) {
        logger.warn(
          { integration: i.id, destination: d.id },
          'SFTP host key checking is OFF for this destination (hostKey.acceptAny)',
        );
      }
    }
    // Where calls go: proxy URLs hold no login (the schema refuses one), the variables are named only.
    const proxyVars = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'].filter(
      (n) => process.env[n],
    );
    const fusionRoute =
      i.fusion.proxy?.url ?? (proxyVars.length ? `environment (${proxyVars.join(', ')})` : 'direct');
    const sftpRoute = i.sftp.proxy?.url ?? (i.sftp.jumpHost ? `jump host ${i.sftp.jumpHost.host}` : 'direct');
    if (fusionRoute !== 'direct' || sftpRoute !== 'direct') {
      logger.info({ integration: i.id, fusion: fusionRoute, sftp: sftpRoute }, 'Outbound routes');
    }
  }
  // The integrations new or changed since the last start: only their schedules are re-planned below.
  const changed = new Set(await ledger.registerIntegrations(config.integrations.map(registration)));
  const metrics = createMetrics({ integrations: config.integrations.map((i) => i.id) });
  for (const i of config.integrations) {
    const watermark = await ledger.watermark(i.id);
    if (watermark) metrics.watermarkMoved(i.id, watermark);
  }
  const metricsServer = env.ML_CONNECTOR_METRICS_PORT
    ? await startMetricsServer(metrics, {
        port: env.ML_CONNECTOR_METRICS_PORT,
        host: env.ML_CONNECTOR_METRICS_HOST,
      })
    : null;
  if (metricsServer) logger.info({ url: `${metricsServer.url}/metrics` }, 'Metrics endpoint up');
  const connection = await NativeConnection.connect(temporal.connectionOptions()).catch((err: Error) => {
    throw new Error(`Cannot reach Temporal at ${temporal.describe()}: ${err.message}`);
  });
  const { worker, close } = await createWorker({
    config,
    secrets,
    ledger,
    connection,
    namespace: temporal.namespace,
    taskQueue: env.ML_CONNECTOR_TASK_QUEUE,
    alertSinks,
    metrics,
    failpoint: failpointFromEnv(logger, ledger),
    ...(env.ML_CONNECTOR_WORKFLOW_BUNDLE
      ? { workflowBundle: workflowBundleAt(env.ML_CONNECTOR_WORKFLOW_BUNDLE) }
      : {}),
  });
  logger.info(
    {
      taskQueue: env.ML_CONNECTOR_TASK_QUEUE,
      // Address, namespace, whether TLS and an API key are used: never the key.
      temporal: temporal.summary,
      integrations: config.integrations.map((i) => i.id),
      // What it holds idle, and the heap limit it runs with (worker.heapLimitMB), in MB.
      rssMB: Math.round(process.memoryUsage.rss() / 2 ** 20),
      heapLimitMB: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
    },
    'Worker started',
  );
  // A schedule changed in the config applies now: the running integration workflows of the changed
  // integrations plan again (their signals wait in Temporal until this worker, now polling, takes
  // them). Never fatal.
  const running = worker.run();
  running.catch(() => {}); // awaited below; a failure meanwhile is not an unhandled rejection
  const temporalClient = new Client({ connection, namespace: temporal.namespace });
  await replanScheduledIntegrations(temporalClient, config, logger, { changed }).catch((err: Error) =>
    logger.warn({ error: err.message }, 'Re-planning the schedules at start failed'),
  );
  try {
    await running;
  } finally {
    await close();
    await metricsServer?.close();
    await connection.close();
    await ledger.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(JSON.stringify({ level: 'fatal', msg: err instanceof Error ? err.message : String(err) }));
    process.exit(1);
  });
}
