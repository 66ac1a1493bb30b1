import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { ledgerReport } from '../src/client/ledgerReport';
import { parseConfig } from '../src/config';
import { resolveSecrets } from '../src/config/secrets';
import { Ledger } from '../src/ledger';
import { syncWorkflowId } from '../src/shared/workflowIds';
import { createWorker } from '../src/worker';
import { syncIntegration } from '../src/workflows';
import { simulatorIntegration } from './integration';
import { freePort } from './ports';
import { startSimulator, startStack } from './stack';

// `npm run demo`: a whole sync on embedded defaults, on the dev harness (dev/stack.ts). The Fusion
// simulator, Temporal (from TEMPORAL_ADDRESS, a `temporal` CLI, or the SDK's dev server), Postgres
// (DATABASE_URL or an embedded real Postgres in .data/postgres) and OpenSSH sshd (files land in
// .data/sftp/outbound).
// It syncs, changes one journal line in the simulator, syncs again, and prints what happened.
// `npm run demo -- --keep`: then keeps every service and the worker running until Ctrl-C or
// SIGTERM, and prints the Web UI, the demo config with the environment to use it, and commands
// to try from another shell.

const DATA = resolve(process.env.ML_CONNECTOR_DEMO_DIR ?? '.data');
const say = (msg: string) => console.log(`» ${msg}`);
const USAGE = 'usage: npm run demo [-- --keep]';

/** `value` as one shell word (single-quoted unless it is plain). */
const shellWord = (value: string) =>
  /^[\w./:@%+,=-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;

/** Resolves on the first SIGINT or SIGTERM; a later one only says that the demo is stopping. */
function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let stoppingSince = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      // npm and tsx pass a terminal's Ctrl-C on as well: one press may arrive twice.
      if (stoppingSince) {
        if (Date.now() - stoppingSince > 1000) say(`${signal}: still stopping the services…`);
        return;
      }
      stoppingSince = Date.now();
      say(`${signal}: stopping the worker and the services…`);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function main(keep: boolean): Promise<void> {
  // With --keep, listen from the start: a signal during the syncs ends the demo once they end.
  const stopped = keep ? untilStopped() : null;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  mkdirSync(DATA, { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const stack = await startStack({
      temporal: { ui: true, sdkFallback: true },
      postgres: { allowLocal: false, embeddedDir: join(DATA, 'postgres') },
      sshd: { dir: join(DATA, 'sftp') },
      keepSshd: true,
    });
    cleanups.push(() => stack.close());
    const { postgres: pg, temporal: t, sshd, client } = stack;
    say(`Postgres: ${pg.started ? `embedded, data in ${join(DATA, 'postgres')}` : 'DATABASE_URL'}`);
    say(`Temporal: ${t.address}${t.uiUrl ? `, Web UI ${t.uiUrl}` : ''}`);

    const clientId = 'ml-connector';
    const clientSecret = 'sim-secret';
    const {
      sim,
      url: simUrl,
      close: closeSim,
    } = await startSimulator(
      { clientId, clientSecret },
      Number(process.env.FUSION_SIM_PORT ?? (await freePort())),
    );
    cleanups.push(closeSim);
    say(`Fusion simulator: ${simUrl} (${sim.journals.lines.length} journal lines)`);
    say(`SFTP: OpenSSH sshd on ${sshd.host}:${sshd.port}, folder ${sshd.folder}`);

    const rawConfig = {
      integrations: [
        simulatorIntegration({
          id: 'gl-journal-lines',
          simUrl,
          clientId,
          sshd,
          sftpAuth: { type: 'privateKey', privateKeyFile: sshd.privateKeyPath },
        }),
      ],
    };
    const configPath = join(DATA, 'ml-connector.demo.json');
    writeFileSync(configPath, `${JSON.stringify(rawConfig, null, 2)}\n`);
    const config = parseConfig(rawConfig, configPath);
    const secrets = await resolveSecrets(config, { env: { FUSION_CLIENT_SECRET: clientSecret } });

    const ledger = Ledger.connect(pg.url);
    cleanups.push(() => ledger.close());
    await ledger.migrate();
    const nativeConnection = await NativeConnection.connect({ address: t.address });
    cleanups.push(() => nativeConnection.close());
    // Its own task queue (ML_CONNECTOR_TASK_QUEUE to choose another, e.g. on a shared server).
    const taskQueue = process.env.ML_CONNECTOR_TASK_QUEUE || 'ml-connector-demo';
    const { worker, close } = await createWorker({
      config,
      secrets,
      ledger,
      connection: nativeConnection,
      taskQueue,
    });
    cleanups.push(close);

    const syncOnce = async (label: string) => {
      const workflowId = syncWorkflowId('gl-journal-lines', new Date());
      const result = await client.workflow.execute(syncIntegration, {
        taskQueue,
        workflowId,
        args: [{ integrationId: 'gl-journal-lines' }],
      });
      say(`${label}: workflow ${workflowId}`);
      say(
        `  window ${result.windowFrom} → ${result.windowTo}: extracted ${result.extracted}, ` +
          `sent ${result.sent}, already sent ${result.alreadySent}, quarantined ${result.quarantined}`,
      );
      if (result.file) {
        say(`  file landed: sftp://${sshd.username}@${sshd.host}:${sshd.port}${result.file.remotePath}`);
        say(`  ${result.file.byteCount} bytes, sha256 ${result.file.sha256}`);
      } else {
        say('  no file: nothing new or changed since the last sync');
      }
      return result;
    };

    await worker.runUntil(async () => {
      await syncOnce('Sync 1');
      const line = sim.flatJournalLines()[0]!;
      sim.journals.updateLine(Number(line.JeHeaderId), Number(line.JeLineNumber), {
        Description: `Corrected at ${new Date().toISOString()}`,
      });
      say(`Changed journal line ${line.JeHeaderId}:${line.JeLineNumber} in the simulator`);
      await syncOnce('Sync 2');

      const report = await ledgerReport(ledger, 'gl-journal-lines', 5);
      say('Ledger:');
      console.log(JSON.stringify(report, null, 2));
      say(
        `Files in ${sshd.folder} stay after the demo; the ledger stays in ${pg.started ? join(DATA, 'postgres') : 'DATABASE_URL'}.`,
      );
      if (!stopped) {
        say(`Config written to ${configPath} (use it with npm run worker).`);
        return;
      }
      // The worker keeps polling (runUntil runs it until this promise resolves).
      const env: [string, string, string?][] = [
        ['ML_CONNECTOR_CONFIG', configPath],
        ['TEMPORAL_ADDRESS', t.address],
        ['ML_CONNECTOR_TASK_QUEUE', taskQueue, "the demo worker's task queue"],
        ['FUSION_CLIENT_SECRET', clientSecret, "the simulator's throwaway secret, named by the config"],
      ];
      // An embedded server's URL holds only the demo's own throwaway password; DATABASE_URL as
      // given may hold a real one, so it is not printed.
      if (pg.started) env.splice(1, 0, ['DATABASE_URL', pg.url, 'the embedded Postgres']);
      const lines = [
        '',
        '» Keeping the services running (--keep): Ctrl-C or SIGTERM stops them all.',
        t.uiUrl
          ? `» Temporal Web UI: ${t.uiUrl} (namespace default, the two sync-gl-journal-lines-… workflows)`
          : t.started
            ? `» Temporal: ${t.address}, no Web UI with this dev server`
            : `» Temporal: TEMPORAL_ADDRESS ${t.address} is a server the demo did not start; its Web UI, if it has one, shows the workflows`,
        `» Demo config: ${configPath} (SFTP key ${sshd.privateKeyPath}). To use it from another shell, in ${process.cwd()}:`,
        ...env.map(
          ([name, value, note]) => `  export ${name}=${shellWord(value)}${note ? `   # ${note}` : ''}`,
        ),
        ...(pg.started ? [] : ['  # DATABASE_URL: the one you set for the demo']),
        '» Commands to try:',
        '  bin/ml-connector status gl-journal-lines',
        '  bin/ml-connector sync gl-journal-lines',
        '  bin/ml-connector audit files --integration gl-journal-lines',
        '  bin/ml-connector check gl-journal-lines',
        '  bin/ml-connector ui          # the audit page on http://127.0.0.1:8480',
        '» Waiting for Ctrl-C or SIGTERM.',
      ];
      console.log(lines.join('\n'));
      await stopped;
    });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

const args = process.argv.slice(2);
if (args.some((a) => a !== '--keep')) {
  console.error(`demo: unknown argument ${args.find((a) => a !== '--keep')}\n${USAGE}`);
  process.exit(2);
}

main(args.includes('--keep')).then(
  () => process.exit(0),
  (err) => {
    console.error(`demo failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
