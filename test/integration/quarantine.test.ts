import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { SshdInstance } from '../../dev/sshd';
import { parseConfig } from '../../src/config';
import type { SyncResult } from '../../src/shared';
import { syncIntegration } from '../../src/workflows';
import { integrationConfig, startTestStack, startWorker, type TestStack } from '../support/stack';

// Failures and quarantine an operator can act on, through the CLI (a real process) against real
// Temporal, Postgres, OpenSSH and the Fusion simulator: a wrong Fusion client secret is a listed
// failure that an ack hides; purchase orders held for non-ASCII text in an X12 integration are
// listed, shown, released after the config is fixed and delivered exactly once; resync and audit
// of an integration without a schedule, by PO number; and a key naming nothing is an error.

const run = promisify(execFile);
const PO = 'po-850';
const BAD = 'gl-bad-secret';

const partner = (nonAscii: 'reject' | 'transliterate') => ({
  type: 'x12',
  partnerId: 'quarantine-partner',
  interchangeSender: { qualifier: 'ZZ', id: 'MLCONNECTOR' },
  interchangeReceiver: { qualifier: '01', id: '123456789' },
  applicationSender: 'MLCONNECTOR',
  applicationReceiver: 'ACMEPO',
  usage: 'T',
  delimiterPolicy: 'clean',
  nonAscii,
});

function integrations(nonAscii: 'reject' | 'transliterate') {
  return (simUrl: string, sshd: SshdInstance) => {
    const gl = integrationConfig(simUrl, sshd, BAD);
    return [
      { ...integrationConfig(simUrl, sshd, PO), entity: 'purchaseOrders', format: partner(nonAscii) },
      { ...gl, fusion: { ...gl.fusion, auth: { ...gl.fusion.auth, clientSecretEnv: 'FUSION_BAD_SECRET' } } },
    ];
  };
}

interface Cli {
  code: number;
  stdout: string;
  stderr: string;
}

describe('failures and quarantine an operator acts on', { timeout: 420_000 }, () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> };
  let configPath: string;
  let n = 0;

  const sync = (integrationId: string): Promise<SyncResult> =>
    stack.client.workflow.execute(syncIntegration, {
      taskQueue: stack.taskQueue,
      workflowId: `quarantine-test-${integrationId}-${Date.now()}-${++n}`,
      args: [{ integrationId }],
    });

  /** `ml-connector …` as a process (asynchronous: the in-process worker keeps working meanwhile). */
  async function cli(...args: string[]): Promise<Cli> {
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        ['--import', 'tsx', join(__dirname, '../../src/client/main.ts'), ...args],
        {
          env: {
            ...process.env,
            ...stack.secretsEnv,
            DATABASE_URL: stack.databaseUrl,
            TEMPORAL_ADDRESS: stack.temporal.address,
            ML_CONNECTOR_CONFIG: configPath,
            ML_CONNECTOR_TASK_QUEUE: stack.taskQueue,
            ML_CONNECTOR_OPERATOR: 'test-operator',
          },
          encoding: 'utf8',
        },
      );
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return {
        code: typeof e.code === 'number' ? e.code : -1,
        stdout: e.stdout ?? '',
        stderr: e.stderr ?? '',
      };
    }
  }
  const json = async (...args: string[]) => {
    const out = await cli(...args);
    assert.equal(out.code, 0, `ml-connector ${args.join(' ')}: ${out.stderr}`);
    return JSON.parse(out.stdout);
  };

  const deliveries = async (recordId: string) =>
    (
      await stack.pool.query<{ is_resend: boolean; file_id: string }>(
        'SELECT is_resend, file_id::text FROM ledger_entry WHERE integration_id = $1 AND record_id = $2 ORDER BY entry_id',
        [PO, recordId],
      )
    ).rows;
  const poFiles = () =>
    readdirSync(stack.sshd.folder)
      .filter((f) => f.startsWith(PO))
      .sort();

  before(async () => {
    stack = await startTestStack({
      integrations: integrations('reject'),
      secretsEnv: { FUSION_BAD_SECRET: 'not-the-client-secret' },
    });
    configPath = join(stack.sshd.dir, 'quarantine.config.json');
    writeFileSync(configPath, JSON.stringify(stack.rawConfig));
    worker = await startWorker(stack);
  });
  after(async () => {
    await worker?.stop();
    await stack?.close();
  });

  it('a wrong Fusion client secret is in `failures` with the token reason; ack hides it', async () => {
    await assert.rejects(sync(BAD));
    const [failed, ...others] = await json('failures', BAD);
    assert.equal(others.length, 0);
    assert.equal(failed.failedStage, 'token');
    assert.match(failed.lastError, /^FusionAuth: /);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.acknowledgedAt, null);
    assert.ok(!JSON.stringify(failed).includes('not-the-client-secret'), 'no secret in the failure');
    const run = await stack.ledger.getRun(failed.runKey);
    assert.equal(run?.kind, 'sync');
    assert.ok(run && run.windowFrom <= run.windowTo, 'the run has the window it would have read');
    assert.equal(await stack.ledger.watermark(BAD), null, 'the watermark did not move');

    const ack = await json('failures', 'ack', failed.runKey, '--note', 'secret rotated in the vault');
    assert.equal(ack.acknowledgedBy, 'test-operator');
    assert.deepEqual(await json('failures', BAD), [], 'acknowledged: no longer listed by default');
    const [all] = await json('failures', BAD, '--all');
    assert.equal(all.runKey, failed.runKey);
    assert.equal(all.ackNote, 'secret rotated in the vault');
    assert.equal(all.acknowledgedBy, 'test-operator');
    assert.ok(all.acknowledgedAt);

    const unknown = await cli('failures', 'ack', 'no-such-run');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no-such-run does not exist/);
  });

  it('held POs are listed and shown; a release after the config fix delivers each exactly once', async () => {
    const first = await sync(PO);
    assert.ok(first.quarantined >= 2, `POs with non-ASCII buyers are held (${first.quarantined})`);
    const held = await json('quarantine', 'list', PO);
    assert.equal(held.length, first.quarantined);
    const target = held[0];
    assert.equal(target.state, 'open');
    assert.match(target.reason, /non-ASCII character/);
    assert.equal(target.field, 'buyer');
    const order = stack.sim.purchaseOrders.top.find((r) => String(r.POHeaderId) === target.recordId)!;
    assert.equal(target.businessNumber, String(order.OrderNumber), 'the PO number is shown');

    const shown = await json('quarantine', 'show', target.quarantineId);
    assert.equal(shown.reason, target.reason);
    assert.ok(shown.excerpt.includes(String(order.OrderNumber)), 'the excerpt shows the record');
    const missing = await cli('quarantine', 'show', '999999');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /999999/);

    // Released before the fix: read again, still bad, held again with its (new) reason.
    const early = await json(
      'quarantine',
      'release',
      PO,
      '--records',
      String(order.OrderNumber),
      '--reason',
      'try',
    );
    assert.deepEqual(early.released, [target.recordId]);
    assert.equal(early.resync.result.sent, 0);
    assert.equal(early.resync.result.quarantined, 1);
    const again = (await json('quarantine', 'list', PO)).filter(
      (q: { recordId: string }) => q.recordId === target.recordId,
    );
    assert.equal(again.length, 1, 'one open row for the record: the newest');
    assert.notEqual(again[0].quarantineId, target.quarantineId);
    assert.equal((await stack.ledger.getQuarantined(target.quarantineId))?.outcome, 'quarantined-again');
    assert.deepEqual(await deliveries(target.recordId), []);

    // The fix: the partner accepts transliterated text. The worker runs the fixed configuration.
    await worker.stop();
    const fixed = {
      ...stack.rawConfig,
      integrations: integrations('transliterate')(stack.simUrl, stack.sshd),
    };
    writeFileSync(configPath, JSON.stringify(fixed));
    worker = await startWorker(stack, { config: parseConfig(fixed) });

    const filesBefore = poFiles();
    const one = await json(
      'quarantine',
      'release',
      PO,
      '--records',
      String(order.OrderNumber),
      '--reason',
      'nonAscii: transliterate',
    );
    assert.equal(one.resync.result.sent, 1);
    assert.equal(one.resync.result.quarantined, 0);
    const [delivered, ...twice] = await deliveries(target.recordId);
    assert.ok(delivered && twice.length === 0, 'delivered once');
    assert.equal(delivered.is_resend, false, 'a first delivery, not a resend');
    const newFile = poFiles().filter((f) => !filesBefore.includes(f));
    assert.equal(newFile.length, 1);
    assert.ok(readFileSync(join(stack.sshd.folder, newFile[0]!), 'utf8').includes(String(order.OrderNumber)));
    const closed = await stack.ledger.getQuarantined(again[0].quarantineId);
    assert.equal(closed?.outcome, 'delivered');
    assert.equal(closed?.releasedBy, 'test-operator');

    // The rest, then nothing more: a second release and a sync send nothing again.
    const restIds = [...new Set<string>(held.map((q: { recordId: string }) => q.recordId))].filter(
      (id) => id !== target.recordId,
    );
    const rest = await json('quarantine', 'release', PO, '--all', '--reason', 'nonAscii: transliterate');
    assert.deepEqual(rest.released, restIds.sort());
    // One supplier name has a character with no ASCII form: still bad, held again with that reason.
    const still = await json('quarantine', 'list', PO);
    assert.ok(still.length < restIds.length);
    for (const q of still) assert.match(q.reason, /has no ASCII transliteration/);
    const fixedIds = restIds.filter((id) => !still.some((q: { recordId: string }) => q.recordId === id));
    assert.equal(rest.resync.result.sent, fixedIds.length);
    assert.equal(rest.resync.result.quarantined, still.length);
    const again2 = await json('quarantine', 'release', PO, '--all', '--reason', 'again');
    assert.equal(again2.resync.result.sent, 0, 'a second release sends nothing more');
    assert.equal((await json('quarantine', 'list', PO)).length, still.length);
    const notHeld = await cli('quarantine', 'release', PO, '--records', target.recordId, '--reason', 'again');
    assert.equal(notHeld.code, 1);
    assert.match(notHeld.stderr, new RegExp(`no quarantined record ${target.recordId}`));
    const filesAfter = poFiles();
    const next = await sync(PO);
    assert.equal(next.sent, 0, 'the next sync sends none of them again');
    assert.deepEqual(poFiles(), filesAfter);
    for (const id of [target.recordId, ...fixedIds])
      assert.equal((await deliveries(id)).length, 1, `${id} went out once`);
    for (const q of still) assert.deepEqual(await deliveries(q.recordId), [], `${q.recordId} is still held`);
  });

  it('resync and audit of an unscheduled integration take a PO number; a key naming nothing is an error', async () => {
    const order = stack.sim.purchaseOrders.top[0]!;
    const number = String(order.OrderNumber);
    const before = (await deliveries(String(order.POHeaderId))).length;
    const resync = await json('resync', PO, '--records', number, '--reason', 'partner lost it', '--wait');
    assert.equal(resync.via, 'resync-workflow', 'no integration workflow: the resync ran directly');
    assert.equal(resync.result.sent, 1);
    const after = await deliveries(String(order.POHeaderId));
    assert.equal(after.length, before + 1);
    assert.equal(after.at(-1)!.is_resend, true);

    const audit = await json('audit', 'records', '--record', number);
    assert.ok(audit.records.length >= 2);
    assert.ok(audit.records.every((r: { recordId: string }) => r.recordId === String(order.POHeaderId)));

    const unknownAudit = await cli('audit', 'records', '--record', 'PO-DOES-NOT-EXIST');
    assert.equal(unknownAudit.code, 1);
    assert.match(unknownAudit.stderr, /"PO-DOES-NOT-EXIST"/);
    const unknownResync = await cli('resync', PO, '--records', `${number},NOPE-42`, '--reason', 'x');
    assert.equal(unknownResync.code, 1);
    assert.match(unknownResync.stderr, /"NOPE-42"/);
    assert.doesNotMatch(unknownResync.stderr, new RegExp(`"${number}"`), 'only the unknown key is named');
  });
});
