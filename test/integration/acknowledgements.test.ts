import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Alert, AlertSink } from '../../src/alerts';
import { auditFiles } from '../../src/audit';
import { statusReport } from '../../src/client/status';
import type { SyncResult } from '../../src/shared';
import { integrationConfig, startTestStack, startWorker, type TestStack } from '../support/stack';
import { sync } from '../support/sync';
import { ack, controlNumbers, partner } from '../support/x12Acks';

// X12 acknowledgements end to end on real sshd, Temporal and Postgres: an 850 is delivered, the
// test writes the partner's 997/999 into the acknowledgement folder, and the next sync reads it.

describe('X12 acknowledgements', { timeout: 180_000 }, () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> };
  let ackDir: string;
  const alerts: Alert[] = [];
  const sink: AlertSink = { name: 'test capture', send: async (a) => void alerts.push(a) };

  before(async () => {
    stack = await startTestStack({
      integrations: (simUrl, sshd) => {
        ackDir = join(dirname(sshd.folder), 'acks');
        mkdirSync(ackDir, { recursive: true });
        const make = (id: string, expectWithinHours: number) => {
          const base = integrationConfig(simUrl, sshd, id);
          return {
            ...base,
            entity: 'purchaseOrders',
            format: partner,
            sftp: { ...base.sftp, acknowledgements: { folder: ackDir, expectWithinHours } },
          };
        };
        return [make('po-acks', 24), make('po-late', 0.000001)];
      },
    });
    worker = await startWorker(stack, { alertSinks: [sink] });
  });

  after(async () => {
    await worker?.stop();
    await stack?.close();
  });

  let first: SyncResult;
  let numbers: ReturnType<typeof controlNumbers>;

  it('a 997 accepting the delivered 850 → accepted in the audit', async () => {
    first = await sync(stack, 'po-acks');
    assert.ok(first.file, 'an 850 was delivered');
    numbers = controlNumbers(readFileSync(join(stack.sshd.folder, first.file.fileName), 'latin1'));
    let [row] = await auditFiles(stack.ledger, { integrationId: 'po-acks' });
    assert.equal(row!.ackState, 'awaiting');
    writeFileSync(
      join(ackDir, 'ack-1.997'),
      ack('997', numbers.gs06, numbers.st02, () => ['AK5*A']),
    );
    const second = await sync(stack, 'po-acks');
    assert.deepEqual(second.acknowledgements, { read: 1, rejected: 0, unmatched: 0, late: 0 });
    [row] = await auditFiles(stack.ledger, { integrationId: 'po-acks' });
    assert.equal(row!.ackState, 'accepted');
  });

  it('the same acknowledgement file is never processed twice', async () => {
    const again = await sync(stack, 'po-acks');
    assert.equal(again.acknowledgements?.read, 0);
    const { rows } = await stack.pool.query(
      "SELECT count(*)::int AS n FROM ack_file WHERE remote_name = 'ack-1.997'",
    );
    assert.equal(rows[0].n, 1);
  });

  it('a 999 rejecting a set → rejected, and an alert with the code', async () => {
    const bad = numbers.st02[0]!;
    writeFileSync(
      join(ackDir, 'ack-2.999'),
      ack('999', numbers.gs06, [bad], () => ['IK3*PO1*3**8', 'IK4*4*212*1', 'IK5*R*5']),
    );
    const r = await sync(stack, 'po-acks');
    assert.equal(r.acknowledgements?.rejected, 1);
    const [row] = await auditFiles(stack.ledger, { integrationId: 'po-acks' });
    assert.equal(row!.ackState, 'rejected');
    const rejection = alerts.find(
      (a) => a.integrationId === 'po-acks' && a.title.startsWith('Partner rejected'),
    );
    assert.ok(rejection, 'a rejection alert');
    assert.match(rejection.fields.codes!, /set 5, segment PO1@3 8, element 4 1/);
    assert.equal(rejection.fields.file, first.file!.fileName);
    const status = await statusReport(stack.client, stack.ledger, 'po-acks', async () => false);
    assert.deepEqual(status.acknowledgements, { awaiting: 0, rejected: 1, unmatched: 0 });
  });

  it('no acknowledgement within expectWithinHours → one late alert per file', async () => {
    await sync(stack, 'po-late');
    await sync(stack, 'po-late');
    const late = alerts.filter(
      (a) => a.integrationId === 'po-late' && a.title.startsWith('No acknowledgement'),
    );
    assert.equal(late.length, 1);
    const [row] = await auditFiles(stack.ledger, { integrationId: 'po-late' });
    assert.equal(row!.ackState, 'late');
    assert.equal(
      alerts.filter((a) => a.integrationId === 'po-acks' && a.title.startsWith('No ack')).length,
      0,
    );
  });
});
