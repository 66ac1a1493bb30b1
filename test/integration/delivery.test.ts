import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { RetryState } from '@temporalio/common';
import type { SshdInstance } from '../../dev/sshd';
import { createAlertSinks } from '../../src/alerts';
import type { DeliveredRun, SyncResult } from '../../src/shared';
import { retryWorkflowId } from '../../src/shared/workflowIds';
import { retryDelivery } from '../../src/workflows';
import { integrationConfig, startTestStack, startWorker, type TestStack } from '../support/stack';
import { startSync } from '../support/sync';
import { startWebhookReceiver } from '../support/webhook';

// Delivery failures through the whole workflow on real sshd: a server that is down for a while,
// failures a retry cannot fix (recorded in Postgres, file kept staged), and the later delivery.

const USER = { name: 'mlcsftp', password: `pw-${randomBytes(6).toString('hex')}` };

function passwordIntegration(simUrl: string, sshd: SshdInstance, id: string, passwordEnv: string) {
  const base = integrationConfig(simUrl, sshd, id);
  return { ...base, sftp: { ...base.sftp, username: USER.name, auth: { type: 'password', passwordEnv } } };
}

/** The workflow's failure, unwrapped to the activity's ApplicationFailure. */
async function failureOf(
  work: Promise<unknown>,
): Promise<{ activity: ActivityFailure; cause: ApplicationFailure }> {
  try {
    await work;
  } catch (err) {
    assert.ok(err instanceof WorkflowFailedError, String(err));
    const activity = err.cause;
    assert.ok(activity instanceof ActivityFailure, String(activity));
    assert.ok(activity.cause instanceof ApplicationFailure, String(activity.cause));
    return { activity, cause: activity.cause };
  }
  assert.fail('the workflow was expected to fail');
}

describe('delivery failures through the sync workflow', { timeout: 240_000 }, () => {
  let stack: TestStack;
  let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let worker: { stop(): Promise<void> };

  const start = (integrationId: string) => startSync(stack, integrationId, { heartbeatTimeout: '5s' });

  before(async () => {
    webhook = await startWebhookReceiver();
    stack = await startTestStack({
      config: { alerts: { webhook: { url: webhook.url } } },
      sshd: { passwordUser: USER },
      integrations: (simUrl, sshd) => [
        passwordIntegration(simUrl, sshd, 'gl-main', 'SFTP_PASSWORD'),
        passwordIntegration(simUrl, sshd, 'gl-wrong-password', 'SFTP_WRONG_PASSWORD'),
        {
          ...integrationConfig(simUrl, sshd, 'gl-wrong-host-key'),
          sftp: {
            ...integrationConfig(simUrl, sshd).sftp,
            hostKey: { sha256: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
          },
        },
      ],
      secretsEnv: { SFTP_PASSWORD: USER.password, SFTP_WRONG_PASSWORD: 'not-the-password' },
    });
    worker = await startWorker(stack, {
      alertSinks: await createAlertSinks(stack.config.alerts!, { env: {} }),
    });
  });

  after(async () => {
    await worker?.stop();
    await stack?.close();
    await webhook?.close();
  });

  it('a server stopped mid-sync: the upload is retried with backoff and the file arrives once', async () => {
    await stack.sshd.stop();
    const handle = await start('gl-main');
    // Wait until the upload has failed at least twice, then bring the server back.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { raw } = await handle.describe();
      const upload = raw.pendingActivities?.find((a) => a.activityType?.name === 'uploadFile');
      if (upload && (upload.attempt ?? 0) >= 2) break;
      assert.ok(Date.now() < deadline, 'the upload was never retried');
      await sleep(200);
    }
    await stack.sshd.start();
    const result = (await handle.result()) as SyncResult;
    assert.ok(result.file);
    assert.equal(result.sent, stack.sim.flatJournalLines().length);
    assert.deepEqual(
      readdirSync(stack.sshd.folder).filter((n) => n.startsWith('gl-main')),
      [result.file.fileName],
    );
  });

  it('a wrong password fails at once (not retried), recorded in Postgres with the reason', async () => {
    const handle = await start('gl-wrong-password');
    const { activity, cause } = await failureOf(handle.result());
    assert.equal(cause.type, 'SftpAuth');
    assert.equal(activity.retryState, RetryState.NON_RETRYABLE_FAILURE);
    const [failed] = await stack.ledger.failedRuns('gl-wrong-password');
    assert.equal(failed?.failedStage, 'upload');
    assert.match(failed?.lastError ?? '', /^SftpAuth: .*authentication failed/);
    assert.ok(!failed?.lastError.includes('not-the-password'));
    assert.equal(failed?.status, 'rendered', 'the file stays staged for a later delivery');
  });

  it('a wrong host key is refused at once (not retried)', async () => {
    const { activity, cause } = await failureOf((await start('gl-wrong-host-key')).result());
    assert.equal(cause.type, 'SftpHostKey');
    assert.equal(activity.retryState, RetryState.NON_RETRYABLE_FAILURE);
  });

  it('a read-only folder fails without retries; once fixed, the next sync delivers that file first', async () => {
    const line = stack.sim.flatJournalLines()[0]!;
    stack.sim.journals.updateLine(Number(line.JeHeaderId), Number(line.JeLineNumber), {
      Description: 'RO test',
    });
    chmodSync(stack.sshd.folder, 0o555);
    const alertsBefore = webhook.received.length;
    try {
      const { activity, cause } = await failureOf((await start('gl-main')).result());
      assert.equal(cause.type, 'SftpPermission');
      assert.equal(activity.retryState, RetryState.NON_RETRYABLE_FAILURE);
    } finally {
      chmodSync(stack.sshd.folder, 0o777);
    }
    assert.equal(webhook.received.length, alertsBefore + 1, 'one alert reached the webhook');
    const alert = JSON.stringify(webhook.received.at(-1));
    assert.match(alert, /gl-main failed at upload/);
    assert.match(alert, /SftpPermission/);
    const [failed] = await stack.ledger.failedRuns('gl-main');
    assert.ok(failed?.fileName, 'the failed run kept its file');

    const next = (await (await start('gl-main')).result()) as SyncResult;
    assert.equal(next.resumed?.fileName, failed.fileName, 'the pending file went first');
    assert.equal(next.sent, 0, 'the change was in the resumed file, not sent twice');
    const names = readdirSync(stack.sshd.folder).filter((n) => n.startsWith('gl-main'));
    assert.equal(names.length, 2);
    assert.deepEqual(await stack.ledger.failedRuns('gl-main'), []);
  });

  it('retryDelivery (ml-connector retry) delivers a failed run once the cause is fixed', async () => {
    const [failed] = await stack.ledger.failedRuns('gl-wrong-password');
    assert.ok(failed);
    // The admin fixes the password: here, a worker whose secret for that integration is right.
    await worker.stop();
    worker = await startWorker(stack, {
      secrets: (id) => {
        const secrets = stack.secrets(id);
        return id === 'gl-wrong-password' ? { ...secrets, sftp: { password: USER.password } } : secrets;
      },
    });
    const result = (await stack.client.workflow.execute(retryDelivery, {
      taskQueue: stack.taskQueue,
      workflowId: retryWorkflowId(failed.runKey),
      args: [{ integrationId: 'gl-wrong-password', runKey: failed.runKey }],
    })) as DeliveredRun;
    assert.equal(result.file.fileName, failed.fileName);
    assert.equal(result.sent, stack.sim.flatJournalLines().length);
    assert.deepEqual(await stack.ledger.failedRuns('gl-wrong-password'), []);
  });
});
