import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { freePort } from '../../dev/ports';
import { CredentialStore, keyringFromEnv } from '../../src/credentials';
import type { SyncResult } from '../../src/shared';
import { syncIntegration } from '../../src/workflows';
import { integrationConfig, SIM_CLIENT_SECRET, startTestStack, type TestStack } from '../support/stack';

// Plants known secrets (the Fusion client secret, an SFTP password, a wrong SFTP password, the
// master key) in the encrypted credential store, runs a real worker process through a good and
// a failing sync, then searches its logs, the Temporal histories and every database table.

const SFTP_USER = { name: 'mlcsftp', password: `planted-sftp-${randomBytes(8).toString('hex')}` };
const WRONG_PASSWORD = `planted-wrong-${randomBytes(8).toString('hex')}`;
const MASTER_KEY = randomBytes(32).toString('base64');

function variants(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')];
}

describe('no secret in logs, Temporal history or the database', { timeout: 180_000 }, () => {
  let stack: TestStack;
  let worker: ChildProcess;
  let workerOutput = '';
  let metricsPort = 0;
  const workflowIds: string[] = [];

  before(async () => {
    stack = await startTestStack({
      sshd: { passwordUser: SFTP_USER },
      integrations: (simUrl, sshd) =>
        ['gl-good', 'gl-bad'].map((id) => {
          const base = integrationConfig(simUrl, sshd, id);
          return {
            ...base,
            fusion: {
              ...base.fusion,
              auth: {
                ...base.fusion.auth,
                clientSecretEnv: undefined,
                clientSecretCredential: 'fusion-client',
              },
            },
            sftp: {
              ...base.sftp,
              username: SFTP_USER.name,
              auth: { type: 'password', passwordCredential: id === 'gl-good' ? 'sftp-good' : 'sftp-bad' },
            },
          };
        }),
    });
    const store = new CredentialStore(
      stack.ledger.credentialsPool(),
      keyringFromEnv({ ML_CONNECTOR_MASTER_KEY: MASTER_KEY }),
    );
    await store.set('fusion-client', 'fusion-client-secret', SIM_CLIENT_SECRET);
    await store.set('sftp-good', 'sftp-password', SFTP_USER.password);
    await store.set('sftp-bad', 'sftp-password', WRONG_PASSWORD);

    metricsPort = await freePort();
    const configPath = join(stack.sshd.dir, 'secrets.config.json');
    writeFileSync(configPath, JSON.stringify(stack.rawConfig));
    worker = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../src/worker.ts')], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: stack.databaseUrl,
        TEMPORAL_ADDRESS: stack.temporal.address,
        ML_CONNECTOR_CONFIG: configPath,
        ML_CONNECTOR_TASK_QUEUE: stack.taskQueue,
        ML_CONNECTOR_MASTER_KEY: MASTER_KEY,
        LOG_LEVEL: 'debug',
        ML_CONNECTOR_METRICS_PORT: String(metricsPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (d: Buffer) => {
      workerOutput += d.toString();
    });
    worker.stderr?.on('data', (d: Buffer) => {
      workerOutput += d.toString();
    });
  });

  after(async () => {
    if (worker && worker.exitCode === null) {
      const gone = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      await gone;
    }
    await stack?.close();
  });

  const run = (integrationId: string) => {
    const workflowId = `secrets-${integrationId}-${Date.now()}`;
    workflowIds.push(workflowId);
    return stack.client.workflow.execute(syncIntegration, {
      taskQueue: stack.taskQueue,
      workflowId,
      args: [{ integrationId, heartbeatTimeout: '5s' }],
    });
  };

  it('a sync with stored credentials delivers, and a wrong stored password fails', async () => {
    const good = (await run('gl-good')) as SyncResult;
    assert.ok(good.file, 'the good integration delivered');
    await assert.rejects(run('gl-bad'), WorkflowFailedError);
    assert.match(
      workerOutput,
      /"level":"(debug|info)"/,
      'the worker logged (so the search below means something)',
    );
  });

  it('finds none of the planted secrets anywhere', async () => {
    const planted = [SIM_CLIENT_SECRET, SFTP_USER.password, WRONG_PASSWORD, MASTER_KEY].flatMap(variants);
    const histories = await Promise.all(
      workflowIds.map(async (id) => JSON.stringify(await stack.client.workflow.getHandle(id).fetchHistory())),
    );
    const { rows: tables } = await stack.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    let database = '';
    for (const { table_name } of tables) {
      const { rows } = await stack.pool.query(`SELECT row_to_json(t)::text AS row FROM "${table_name}" t`);
      database += rows.map((r) => r.row).join('\n');
    }
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(metrics, /mlc_files_sent_total\{integration="gl-good"\} 1/, 'the metrics saw the delivery');
    assert.ok(database.includes('gl-good'), 'the database dump holds the run data');
    assert.ok(histories.join('').includes('SftpAuth'), 'the history holds the failure');
    for (const secret of planted) {
      assert.ok(!workerOutput.includes(secret), 'a secret is in the worker logs');
      for (const history of histories)
        assert.ok(!history.includes(secret), 'a secret is in a workflow history');
      assert.ok(!database.includes(secret), 'a secret is in the database');
      assert.ok(!metrics.includes(secret), 'a secret is in the metrics');
    }
  });
});
