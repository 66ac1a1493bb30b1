import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { Pool } from 'pg';
import { createScratchDatabase } from '../../dev/postgres';
import { type SshdInstance, startSshd } from '../../dev/sshd';
import {
  ArchivedFileError,
  AuditFilterError,
  auditFiles,
  auditRecords,
  fileBytes,
  reconcile,
  toCsv,
} from '../../src/audit';
import { Ledger, migrate } from '../../src/ledger';
import { listRemoteFolder, type SftpDestination, SftpError } from '../../src/sftp';
import { sshdDestination } from '../support/destination';

// The audit read side on real Postgres (a scratch database, ledger rows written with SQL as the
// connector would have left them) and a real OpenSSH sshd holding the "delivered" files.

const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const AP = 'ap-invoices';
const GL = 'gl-journal-lines';

/** Writes ledger rows directly: runs, archived files (in chunks), ledger entries, quarantine. */
class LedgerFixture {
  constructor(
    private readonly pool: Pool,
    private readonly folder: string,
  ) {}

  /** A run; one that is not committed yet is marked failed at its commit (kept for a retry). */
  async run(runKey: string, integrationId: string, windowTo: string, committed: boolean) {
    await this.pool.query(
      `INSERT INTO sync_run (run_key, integration_id, entity, window_from, window_to, status, committed_at,
         failed_at, failed_stage)
       VALUES ($1, $2, $3, '2026-01-01T00:00:00Z', $4, $5, CASE WHEN $6 THEN $4::timestamptz END,
         CASE WHEN NOT $6 THEN $4::timestamptz END, CASE WHEN NOT $6 THEN 'commit' END)`,
      [
        runKey,
        integrationId,
        entityOf(integrationId),
        windowTo,
        committed ? 'committed' : 'uploaded',
        committed,
      ],
    );
  }

  /** An archived file, split into `chunks` pieces; returns its file_id. */
  async file(input: {
    runKey: string;
    integrationId: string;
    fileName: string;
    content: string;
    status: 'rendered' | 'uploaded' | 'committed';
    renderedAt: string;
    committedAt?: string;
    chunks?: number;
  }): Promise<string> {
    const bytes = Buffer.from(input.content);
    const uploadedAt = input.status === 'rendered' ? null : (input.committedAt ?? input.renderedAt);
    const { rows } = await this.pool.query<{ id: string }>(
      `INSERT INTO outbound_file (run_key, integration_id, file_name, remote_path, byte_count, sha256, record_count,
         status, rendered_at, uploaded_at, committed_at, format)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'csv') RETURNING file_id::text AS id`,
      [
        input.runKey,
        input.integrationId,
        input.fileName,
        join(this.folder, input.fileName),
        bytes.length,
        sha256(bytes),
        input.content.split('\n').length - 2,
        input.status,
        input.renderedAt,
        uploadedAt,
        input.committedAt ?? null,
      ],
    );
    const fileId = rows[0]!.id;
    const pieces = input.chunks ?? 1;
    const size = Math.ceil(bytes.length / pieces);
    for (let seq = 0; seq < pieces; seq++) {
      await this.pool.query('INSERT INTO outbound_file_chunk (file_id, seq, data) VALUES ($1, $2, $3)', [
        fileId,
        seq,
        bytes.subarray(seq * size, (seq + 1) * size),
      ]);
    }
    return fileId;
  }

  /** Ledger rows for a committed file, one per record, in row order. */
  async entries(
    fileId: string,
    runKey: string,
    integrationId: string,
    sentAt: string,
    records: [string, string][],
  ) {
    for (const [row, [recordId, version]] of records.entries()) {
      await this.pool.query(
        `INSERT INTO file_entry (integration_id, entity, record_id, record_version, content_sha256, file_id,
           row_in_file, run_key, written_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          integrationId,
          entityOf(integrationId),
          recordId,
          version,
          sha256(recordId + version),
          fileId,
          row + 1,
          runKey,
          sentAt,
        ],
      );
    }
  }

  async quarantine(
    runKey: string,
    integrationId: string,
    recordId: string,
    field: string,
    reason: string,
    at: string,
  ) {
    await this.pool.query(
      `INSERT INTO quarantined_record (integration_id, run_key, record_id, record_version, field, reason, payload,
         quarantined_at)
       VALUES ($1, $2, $3, '2026-10-01T09:00:00Z', $4, $5, '{}'::jsonb, $6)`,
      [integrationId, runKey, recordId, field, reason, at],
    );
  }
}

function entityOf(integrationId: string): string {
  return integrationId === AP ? 'invoices' : 'journalLines';
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

const csv = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;
const FILES = {
  oct1: {
    name: 'ap-invoices_20261001T120000Z_aaaa0001.csv',
    text: csv('id,amount', '4711,100.00', '4712,5.00'),
  },
  oct2: {
    name: 'ap-invoices_20261002T120000Z_aaaa0002.csv',
    text: csv('id,amount', '4713,7.00', '4711,110.00'),
  },
  oct3: { name: 'ap-invoices_20261003T120000Z_aaaa0003.csv', text: csv('id,amount', '4714,1.00') },
  oct4: { name: 'ap-invoices_20261004T120000Z_aaaa0004.csv', text: csv('id,amount', '4715,2.00') },
  oct5: { name: 'ap-invoices_20261005T120000Z_aaaa0005.csv', text: csv('id,amount', '4716,3.00') },
  oct6: { name: 'ap-invoices_20261006T120000Z_aaaa0006.csv', text: csv('id,amount', '4717,4.00') },
  gl: {
    name: 'gl-journal-lines_20261002T060000Z_bbbb0001.csv',
    text: csv('line,amount', '300000104500000:1,0.10'),
  },
};

describe('audit and reconciliation on real Postgres and OpenSSH', () => {
  let pool: Pool;
  let ledger: Ledger;
  let dropDatabase: () => Promise<void>;
  let sshd: SshdInstance;
  let destination: SftpDestination;
  const fileIds: Record<string, string> = {};

  before(async () => {
    const [db, server] = await Promise.all([createScratchDatabase(SERVER, 'mlc_audit'), startSshd()]);
    dropDatabase = db.dispose;
    sshd = server;
    pool = new Pool({ connectionString: db.url, max: 4 });
    ledger = new Ledger(pool);
    await migrate(pool);
    destination = sshdDestination(sshd);

    const fx = new LedgerFixture(pool, sshd.folder);
    // Six AP runs: five committed on 1–5 October, the sixth uploaded but never committed.
    const committed = ['oct1', 'oct2', 'oct3', 'oct4', 'oct5'] as const;
    for (const [i, key] of committed.entries()) {
      const day = `2026-10-0${i + 1}`;
      await fx.run(`ap/run-${key}`, AP, `${day}T12:00:05Z`, true);
      fileIds[key] = await fx.file({
        runKey: `ap/run-${key}`,
        integrationId: AP,
        fileName: FILES[key].name,
        content: FILES[key].text,
        status: 'committed',
        renderedAt: `${day}T12:00:01Z`,
        committedAt: `${day}T12:00:05Z`,
        chunks: key === 'oct1' ? 3 : 1,
      });
    }
    await fx.entries(fileIds.oct1!, 'ap/run-oct1', AP, '2026-10-01T12:00:05Z', [
      ['4711', '2026-10-01T09:00:00Z'],
      ['4712', '2026-10-01T09:30:00Z'],
    ]);
    await fx.entries(fileIds.oct2!, 'ap/run-oct2', AP, '2026-10-02T12:00:05Z', [
      ['4713', '2026-10-02T08:00:00Z'],
      ['4711', '2026-10-02T09:00:00Z'], // a corrected version of 4711
    ]);
    await fx.quarantine(
      'ap/run-oct1',
      AP,
      '4711',
      'invoiceAmount',
      'would need rounding to 2 places',
      '2026-10-01T12:00:02Z',
    );
    await fx.quarantine('ap/run-oct2', AP, '4799', 'supplierSite', 'missing', '2026-10-02T12:00:02Z');
    await fx.run('ap/run-oct6', AP, '2026-10-06T12:00:00Z', false);
    fileIds.oct6 = await fx.file({
      runKey: 'ap/run-oct6',
      integrationId: AP,
      fileName: FILES.oct6.name,
      content: FILES.oct6.text,
      status: 'uploaded',
      renderedAt: '2026-10-06T12:00:01Z',
    });
    // Another integration, same period: filters must keep the two apart.
    await fx.run('gl/run-1', GL, '2026-10-02T06:00:05Z', true);
    fileIds.gl = await fx.file({
      runKey: 'gl/run-1',
      integrationId: GL,
      fileName: FILES.gl.name,
      content: FILES.gl.text,
      status: 'committed',
      renderedAt: '2026-10-02T06:00:01Z',
      committedAt: '2026-10-02T06:00:05Z',
    });
    await fx.entries(fileIds.gl!, 'gl/run-1', GL, '2026-10-02T06:00:05Z', [['4711', '2026-10-02T05:00:00Z']]);

    // The server: oct1 and oct2 as delivered (oct2 with its sidecars), oct3 deleted, oct4 the
    // same size with other bytes, oct5 a different size, oct6 awaiting its commit, one stranger,
    // an upload in progress and a directory.
    const put = (name: string, text: string) => writeFileSync(join(sshd.folder, name), text);
    put(FILES.oct1.name, FILES.oct1.text);
    put(FILES.oct2.name, FILES.oct2.text);
    put(`${FILES.oct2.name}.sha256`, `${sha256(FILES.oct2.text)}  ${FILES.oct2.name}\n`);
    put(`${FILES.oct2.name}.done`, '');
    put(FILES.oct4.name, FILES.oct4.text.replace('2.00', '9.99'));
    put(FILES.oct5.name, FILES.oct5.text.replace('3.00', '3.000'));
    put(FILES.oct6.name, FILES.oct6.text);
    put('from-someone-else.csv', 'x\r\n');
    put(`.${FILES.oct3.name}.part`, 'half');
    mkdirSync(join(sshd.folder, 'archive'));
  });

  after(async () => {
    await pool?.end();
    await dropDatabase?.();
    await sshd?.dispose();
  });

  it('auditRecords by record ID: every version, its file, row and time, and its quarantine', async () => {
    const audit = await auditRecords(ledger, { recordId: '4711', integrationId: AP });
    assert.deepEqual(audit.records, [
      {
        integrationId: AP,
        entity: 'invoices',
        recordId: '4711',
        recordVersion: '2026-10-01T09:00:00.000Z',
        fileName: FILES.oct1.name,
        remotePath: join(sshd.folder, FILES.oct1.name),
        rowInFile: 1,
        sentAt: '2026-10-01T12:00:05.000Z',
        fileSha256: sha256(FILES.oct1.text),
        fileBytes: Buffer.byteLength(FILES.oct1.text),
        runKey: 'ap/run-oct1',
        isResend: false,
      },
      {
        integrationId: AP,
        entity: 'invoices',
        recordId: '4711',
        recordVersion: '2026-10-02T09:00:00.000Z',
        fileName: FILES.oct2.name,
        remotePath: join(sshd.folder, FILES.oct2.name),
        rowInFile: 2,
        sentAt: '2026-10-02T12:00:05.000Z',
        fileSha256: sha256(FILES.oct2.text),
        fileBytes: Buffer.byteLength(FILES.oct2.text),
        runKey: 'ap/run-oct2',
        isResend: false,
      },
    ]);
    assert.deepEqual(audit.quarantined, [
      {
        integrationId: AP,
        recordId: '4711',
        recordVersion: '2026-10-01T09:00:00Z',
        field: 'invoiceAmount',
        reason: 'would need rounding to 2 places',
        at: '2026-10-01T12:00:02.000Z',
        runKey: 'ap/run-oct1',
      },
    ]);
    // The row in the archived file is the record: row 2 of the oct2 file is 4711's new version.
    const archived = (await buffer(fileBytes(ledger, fileIds.oct2!))).toString();
    assert.equal(archived.split('\r\n')[audit.records[1]!.rowInFile], '4711,110.00');
  });

  it('auditRecords: across integrations, by range, never-sent records, limits, and as CSV', async () => {
    const everywhere = await auditRecords(ledger, { recordId: '4711' });
    assert.deepEqual(
      everywhere.records.map((r) => [r.integrationId, r.sentAt]),
      [
        [AP, '2026-10-01T12:00:05.000Z'],
        [GL, '2026-10-02T06:00:05.000Z'],
        [AP, '2026-10-02T12:00:05.000Z'],
      ],
    );
    const neverSent = await auditRecords(ledger, { recordId: '4799' });
    assert.deepEqual(neverSent.records, []);
    assert.deepEqual(
      neverSent.quarantined?.map((q) => [q.field, q.reason]),
      [['supplierSite', 'missing']],
    );

    // [from, to): the 2 October AP file only; to is exclusive.
    const oct2 = await auditRecords(ledger, {
      integrationId: AP,
      from: '2026-10-02',
      to: '2026-10-02T12:00:05Z',
    });
    assert.deepEqual(oct2, { records: [] }, 'no quarantine list without a record ID');
    const day2 = await auditRecords(ledger, { integrationId: AP, from: '2026-10-02', to: '2026-10-03' });
    assert.deepEqual(
      day2.records.map((r) => [r.recordId, r.rowInFile]),
      [
        ['4713', 1],
        ['4711', 2],
      ],
    );
    assert.equal((await auditRecords(ledger, { limit: 2 })).records.length, 2);
    await assert.rejects(auditRecords(ledger, { from: '2026-10-02T00:00:00' }), AuditFilterError);
    await assert.rejects(auditRecords(ledger, { limit: 0 }), AuditFilterError);

    const parsed: Record<string, string>[] = parse(toCsv(day2.records), {
      columns: true,
      record_delimiter: '\r\n',
    });
    assert.equal(parsed.length, 2);
    assert.equal(parsed[1]!.sentAt, '2026-10-02T12:00:05.000Z');
    assert.equal(parsed[1]!.isResend, 'false');
    assert.equal(parsed[1]!.fileName, FILES.oct2.name);
  });

  it('auditFiles by date range: committed by commit time, uncommitted by render time', async () => {
    const files = await auditFiles(ledger, { integrationId: AP, from: '2026-10-02', to: '2026-10-07' });
    assert.deepEqual(
      files.map((f) => [f.fileName, f.status, f.records]),
      [
        [FILES.oct2.name, 'committed', 2],
        [FILES.oct3.name, 'committed', 1],
        [FILES.oct4.name, 'committed', 1],
        [FILES.oct5.name, 'committed', 1],
        [FILES.oct6.name, 'uploaded', 1],
      ],
    );
    const oct2 = files[0]!;
    assert.deepEqual(oct2, {
      fileId: fileIds.oct2,
      fileName: FILES.oct2.name,
      remotePath: join(sshd.folder, FILES.oct2.name),
      integrationId: AP,
      records: 2,
      bytes: Buffer.byteLength(FILES.oct2.text),
      sha256: sha256(FILES.oct2.text),
      format: 'csv',
      status: 'committed',
      renderedAt: '2026-10-02T12:00:01.000Z',
      uploadedAt: '2026-10-02T12:00:05.000Z',
      committedAt: '2026-10-02T12:00:05.000Z',
      runKey: 'ap/run-oct2',
      ackState: null, // not X12: no acknowledgement state
    });
    assert.equal(files[4]!.committedAt, null);
    const oct2Everywhere = await auditFiles(ledger, { from: '2026-10-02', to: '2026-10-03' });
    assert.deepEqual(
      oct2Everywhere.map((f) => f.integrationId),
      [GL, AP],
    );
    assert.equal((await auditFiles(ledger, { limit: 1 }))[0]!.fileName, FILES.oct1.name);
  });

  it('fileBytes streams the archived chunks and fails on a damaged archive or an unknown file', async () => {
    assert.equal((await buffer(fileBytes(ledger, fileIds.oct1!))).toString(), FILES.oct1.text);
    await assert.rejects(buffer(fileBytes(ledger, '999999')), ArchivedFileError);
    await assert.rejects(buffer(fileBytes(ledger, 'not-an-id')), ArchivedFileError);
    await pool.query(
      `UPDATE outbound_file_chunk SET data = 'line,amount\r\n300000104500000:1,9.10\r\n' WHERE file_id = $1`,
      [fileIds.gl],
    );
    await assert.rejects(buffer(fileBytes(ledger, fileIds.gl!)), /the ledger recorded/);
  });

  it('listRemoteFolder over SFTP: regular files only, no uploads in progress, hashed on request', async () => {
    const listing = await listRemoteFolder(destination, { hash: true });
    assert.deepEqual(
      listing.map((f) => f.name),
      [
        FILES.oct1.name,
        FILES.oct2.name,
        `${FILES.oct2.name}.done`,
        `${FILES.oct2.name}.sha256`,
        FILES.oct4.name,
        FILES.oct5.name,
        FILES.oct6.name,
        'from-someone-else.csv',
      ],
    );
    const oct1 = listing[0]!;
    assert.equal(oct1.size, Buffer.byteLength(FILES.oct1.text));
    assert.equal(oct1.sha256, sha256(FILES.oct1.text));
    assert.match(oct1.modifiedAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);

    const csvOnly = await listRemoteFolder(destination, { match: (name) => name.endsWith('.csv') });
    assert.equal(csvOnly.length, 6);
    assert.ok(csvOnly.every((f) => f.sha256 === undefined));
  });

  it('reconcile: matched, missing, altered (same size and different size), extra, pending', async () => {
    const listing = await listRemoteFolder(destination, { hash: true });
    const r = await reconcile(ledger, AP, listing, { folder: sshd.folder });
    assert.deepEqual(
      r.matched.map((f) => [f.fileName, f.verifiedBy]),
      [
        [FILES.oct1.name, 'sha256'],
        [FILES.oct2.name, 'sha256'],
      ],
    );
    assert.deepEqual(
      r.missing.map((f) => f.fileName),
      [FILES.oct3.name],
    );
    assert.deepEqual(
      r.altered.map((f) => [f.fileName, f.difference]),
      [
        [FILES.oct4.name, 'sha256'],
        [FILES.oct5.name, 'size'],
      ],
    );
    assert.deepEqual(
      r.extra.map((f) => f.name),
      ['from-someone-else.csv'],
    );
    assert.deepEqual(
      r.pending.map((f) => [f.fileName, f.status]),
      [[FILES.oct6.name, 'uploaded']],
    );

    // Without read-back hashes, the same-size alteration cannot be seen: it matches by size only.
    const bySize = await reconcile(ledger, AP, await listRemoteFolder(destination));
    assert.deepEqual(
      bySize.matched.map((f) => [f.fileName, f.verifiedBy]),
      [
        [FILES.oct1.name, 'size'],
        [FILES.oct2.name, 'size'],
        [FILES.oct4.name, 'size'],
      ],
    );
    // A folder the ledger never delivered to expects nothing: every file there is extra.
    const elsewhere = await reconcile(ledger, AP, listing, { folder: '/elsewhere' });
    assert.equal(elsewhere.missing.length + elsewhere.matched.length + elsewhere.altered.length, 0);
    assert.equal(elsewhere.extra.length, listing.length);
  });

  it('listRemoteFolder fails like delivery does: missing folder, wrong host key', async () => {
    const kind = (kind: SftpError['kind']) => (err: unknown) => {
      assert.ok(err instanceof SftpError, String(err));
      assert.equal(err.kind, kind, err.message);
      return true;
    };
    await assert.rejects(
      listRemoteFolder({ ...destination, folder: join(sshd.folder, 'nope') }),
      kind('no-such-path'),
    );
    await assert.rejects(
      listRemoteFolder({
        ...destination,
        hostKey: { sha256: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      }),
      kind('host-key'),
    );
  });
});
