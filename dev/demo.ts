import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { FusionSimulator } from '../simulator/server';
import { ledgerReport } from '../src/client/ledgerReport';
import { parseConfig } from '../src/config';
import { resolveSecrets } from '../src/config/secrets';
import { Ledger } from '../src/ledger';
import { syncWorkflowId } from '../src/shared/workflowIds';
import { createWorker } from '../src/worker';
import { syncIntegration } from '../src/workflows';
import { simulatorIntegration } from './integration';
import { freePort } from './ports';
import { ensurePostgres } from './postgres';
import { startSshd } from './sshd';
import { ensureTemporal, type TemporalInstance } from './temporal';

// `npm run demo`: a whole sync on embedded defaults. The Fusion simulator, Temporal (from
// TEMPORAL_ADDRESS, a `temporal` CLI, or the SDK's dev server), Postgres (DATABASE_URL or an
// embedded real Postgres in .data/postgres) and OpenSSH sshd (files land in .data/sftp/outbound).
// It syncs, changes one journal line in the simulator, syncs again, and prints what happened.

const DATA = resolve(process.env.ML_CONNECTOR_DEMO_DIR ?? '.data');
const say = (msg: string) => console.log(`» ${msg}`);

async function temporal(): Promise<TemporalInstance> {
  try {
    return await ensureTemporal({ ui: true });
  } catch (err) {
    if (process.env.TEMPORAL_ADDRESS) throw err;
    say(
      `${(err as Error).message}\n» Falling back to the Temporal SDK's local dev server (downloads the CLI once).`,
    );
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createLocal({ server: { ui: true } });
    return { address: env.address, uiUrl: null, started: true, stop: () => env.teardown() };
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  mkdirSync(DATA, { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const pg = await ensurePostgres({ embeddedDir: join(DATA, 'postgres') });
    cleanups.push(() => pg.stop());
    say(`Postgres: ${pg.started ? `embedded, data in ${join(DATA, 'postgres')}` : 'DATABASE_URL'}`);
    const t = await temporal();
    cleanups.push(() => t.stop());
    say(`Temporal: ${t.address}${t.uiUrl ? `, Web UI ${t.uiUrl}` : ''}`);

    const clientId = 'ml-connector';
    const clientSecret = 'sim-secret';
    const sim = new FusionSimulator({ clientId, clientSecret });
    const simUrl = await sim.listen(Number(process.env.FUSION_SIM_PORT ?? (await freePort())));
    cleanups.push(() => sim.close());
    say(`Fusion simulator: ${simUrl} (${sim.journals.lines.length} journal lines)`);
    const sshd = await startSshd({ dir: join(DATA, 'sftp') });
    cleanups.push(() => sshd.stop());
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
    const connection = await Connection.connect({ address: t.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection });
    const taskQueue = 'ml-connector-demo';
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
    });

    const report = await ledgerReport(ledger, 'gl-journal-lines', 5);
    say('Ledger:');
    console.log(JSON.stringify(report, null, 2));
    say(
      `Files in ${sshd.folder} stay after the demo; the ledger stays in ${pg.started ? join(DATA, 'postgres') : 'DATABASE_URL'}.`,
    );
    say(`Config written to ${configPath} (use it with npm run worker).`);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`demo failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
