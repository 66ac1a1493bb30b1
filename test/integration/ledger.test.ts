import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'pg';
import { createScratchDatabase, ensurePostgres } from '../../dev/postgres';
import { quarantineEntries } from '../../src/activities/staging';
import { Ledger, migrate, RunTransitionError } from '../../src/ledger';
import { copiedValue } from '../../src/ledger/copy';
import {
  BUSINESS_KEYS_FROM_PAYLOAD,
  BUSINESS_KEYS_OF_PAYLOAD,
  businessKeysOf,
} from '../../src/ledger/reports';
import { inTransaction } from '../../src/ledger/transaction';
import { RecordFieldError } from '../../src/shared/records';

// The ledger on real Postgres: migrations are idempotent, and X12 control numbers drawn by many
// syncs at once are never the same twice, with each file's set numbers one contiguous block; a
// session Postgres ends in the middle of a transaction fails that transaction, not the process.

describe('ledger on Postgres', () => {
  let pool: Pool;
  let ledger: Ledger;
  let dispose: () => Promise<void>;

  before(async () => {
    const pg = await ensurePostgres({ embeddedDir: '/tmp/mlc-ledger-pg', allowLocal: true });
    const db = await createScratchDatabase(pg.url);
    dispose = db.dispose;
    pool = new Pool({ connectionString: db.url, max: 10 });
    pool.on('error', () => {});
    ledger = new Ledger(pool);
  });
  after(async () => {
    await ledger?.close();
    await dispose?.();
  });

  it('applies every migration once; a second run applies none', async () => {
    const first = await migrate(pool);
    assert.ok(first.length >= 4);
    assert.deepEqual(await migrate(pool), []);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM schema_migration');
    assert.equal(rows[0].n, first.length);
    // Archived bytes are compressed with lz4 (this server has it), not pglz: far less of its CPU.
    const { rows: columns } = await pool.query<{ table: string; method: string }>(
      `SELECT attrelid::regclass::text AS table, attcompression AS method FROM pg_attribute
       WHERE attname = 'data' AND attrelid IN ('outbound_file_chunk'::regclass, 'file_destination_chunk'::regclass)
       ORDER BY 1`,
    );
    assert.deepEqual(columns, [
      { table: 'file_destination_chunk', method: 'l' },
      { table: 'outbound_file_chunk', method: 'l' },
    ]);
  });

  it('control numbers drawn concurrently for one partner are unique; set numbers come in blocks', async () => {
    const draws = await Promise.all(
      Array.from({ length: 20 }, (_, i) => ledger.allocateX12ControlNumbers('acme', 1 + (i % 5))),
    );
    const sizes = draws.map((_, i) => 1 + (i % 5));
    assert.equal(new Set(draws.map((d) => d.interchange)).size, draws.length, 'ISA13 never twice');
    assert.equal(new Set(draws.map((d) => d.group)).size, draws.length, 'GS06 never twice');
    const sets = draws.flatMap((d, i) => Array.from({ length: sizes[i]! }, (_, k) => d.firstSet + k));
    assert.equal(new Set(sets).size, sets.length, 'no ST02 in two files');
    const other = await ledger.allocateX12ControlNumbers('globex', 1);
    assert.deepEqual(other, { interchange: 1, group: 1, firstSet: 1 }, 'each partner has its own sequences');
  });

  it('business numbers taken at staging are the ones the commit took from the staged payload in SQL', async () => {
    // Rows staged before migration 13 get theirs from the payload at commit: both must agree.
    const payloads = [
      { batchName: 'B "1" \\ é', journalName: 'J/1', recordId: '1:1', amount: '1.00' },
      { orderNumber: 'PO-7', purchaseOrderNumber: null, supplierNumber: 42, invoiceNumber: true },
      { invoiceNumber: 'INV-\u2028', supplierNumber: 1.5e21, batchName: { nested: ['x'] } },
      {},
    ];
    const { rows } = await pool.query<{ keys: Record<string, string> }>(
      `SELECT ${BUSINESS_KEYS_OF_PAYLOAD} AS keys
       FROM json_array_elements($1::json) WITH ORDINALITY AS s(payload, n), ${BUSINESS_KEYS_FROM_PAYLOAD}
       ORDER BY n`,
      [JSON.stringify(payloads)],
    );
    assert.deepEqual(
      rows.map((r) => r.keys),
      payloads.map((p) => businessKeysOf(p)),
    );
  });

  it('stages by COPY: hostile text round-trips, and a record staged by an earlier page keeps its latest version', async () => {
    await migrate(pool);
    const run = await ledger.openRun({
      runKey: 'copy/1',
      integrationId: 'copy',
      entity: 'journalLines',
      windowTo: '2026-12-01T00:00:00Z',
      initialWatermark: '2026-11-01T00:00:00Z',
      overlapSeconds: 0,
    });
    // Every character COPY's text format gives a meaning (tab, newline, CR, backslash), and JSON's.
    const hostile = 'a\tb\nc\rd\\e "f" \\N \u2028 é \\\\t';
    const entry = (recordId: string, version: string, extra: Record<string, unknown> = {}) => ({
      recordId,
      version,
      payload: { recordId, version, batchName: hostile, description: `${recordId}\t${version}`, ...extra },
    });
    const first = [entry('A', '2026-11-02T00:00:00.000001Z'), entry(`B${hostile}`, '2026-11-02T00:00:01Z')];
    assert.deepEqual(await ledger.stage(run.runKey, run.integrationId, 0, first, false), {
      staged: 2,
      alreadySent: 0,
    });
    // A changed while the window was read: seen again, later, with its new version (the COPY of
    // this page meets A's row and the page is staged by INSERT instead).
    const second = [
      entry('C', '2026-11-03T00:00:00Z'),
      entry('A', '2026-11-04T00:00:00Z', { amount: '2.00' }),
    ];
    assert.deepEqual(await ledger.stage(run.runKey, run.integrationId, 2, second, false), {
      staged: 2,
      alreadySent: 0,
    });
    // Pages stored at once may end in either order: an older version met later does not win.
    const older = [entry('A', '2026-11-02T00:00:00.000001Z')];
    await ledger.stage(run.runKey, run.integrationId, 4, older, false);
    // The same version again: a later page's content wins, an earlier page's stored after it does not.
    const later = entry('A', '2026-11-04T00:00:00Z', { amount: '3.00' });
    await ledger.stage(run.runKey, run.integrationId, 10, [later], false);
    await ledger.stage(
      run.runKey,
      run.integrationId,
      3,
      [entry('A', '2026-11-04T00:00:00Z', { amount: '9.99' })],
      false,
    );
    const { rows } = await pool.query<{ record_id: string; v: string; payload: Record<string, unknown> }>(
      `SELECT record_id, to_char(record_version AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS v, payload
       FROM staged_record WHERE run_key = $1 ORDER BY record_id`,
      [run.runKey],
    );
    assert.deepEqual(
      rows.map((r) => [r.record_id, r.v]),
      [
        ['A', '2026-11-04T00:00:00.000000'],
        [`B${hostile}`, '2026-11-02T00:00:01.000000'],
        ['C', '2026-11-03T00:00:00.000000'],
      ],
    );
    assert.deepEqual(rows[0]!.payload, later.payload);
    assert.deepEqual(rows[1]!.payload, first[1]!.payload);
    const { rows: keys } = await pool.query('SELECT business_keys FROM staged_record WHERE record_id = $1', [
      `B${hostile}`,
    ]);
    assert.deepEqual(keys[0].business_keys, businessKeysOf(first[1]!.payload));
  });

  it('a session ended by Postgres inside a transaction fails that transaction, not the process', async () => {
    await assert.rejects(
      inTransaction(pool, async (c) => {
        const { rows } = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        // Not events.once: its own 'error' listener would hide the missing one under test.
        const ended = new Promise((resolve) => c.once('end', resolve));
        // From another connection, as a restart or an admin would; no query of ours is running.
        await pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        await ended; // the client has seen its session end (and emitted 'error' before)
        await c.query('SELECT 1');
      }),
      /not queryable|terminat/i,
    );
    // The dead connection was not pooled again: the next transactions run.
    for (let i = 0; i < 12; i++) {
      const n = await inTransaction(pool, async (c) => (await c.query('SELECT 1 AS n')).rows[0].n);
      assert.equal(n, 1);
    }
  });

  it('registers integrations in one statement and names the new and the changed ones', async () => {
    await migrate(pool);
    const reg = (id: string, configSha256: string) => ({
      id,
      entity: 'journalLines',
      format: 'csv',
      destination: 'd',
      configSha256,
    });
    assert.deepEqual(await ledger.registerIntegrations([reg('r-a', '1'), reg('r-b', '1')]), ['r-a', 'r-b']);
    const at = async (id: string) =>
      (await pool.query('SELECT updated_at FROM integration WHERE integration_id = $1', [id])).rows[0]
        .updated_at;
    const unchangedAt = await at('r-a');
    assert.deepEqual(
      await ledger.registerIntegrations([reg('r-a', '1'), reg('r-b', '2'), reg('r-c', '1')]),
      ['r-b', 'r-c'],
      'the changed one and the new one, not the unchanged one',
    );
    assert.deepEqual(await at('r-a'), unchangedAt, 'an unchanged configuration keeps its updated_at');
    const { rows } = await pool.query(
      `SELECT integration_id, config_sha256 FROM integration WHERE integration_id LIKE 'r-%' ORDER BY 1`,
    );
    assert.deepEqual(
      rows.map((r) => [r.integration_id, r.config_sha256]),
      [
        ['r-a', '1'],
        ['r-b', '2'],
        ['r-c', '1'],
      ],
    );
    assert.deepEqual(await ledger.registerIntegrations([]), []);
  });

  it('stores the quarantine of hostile documents: deep, huge, NUL, unpaired surrogates', async () => {
    await migrate(pool);
    await ledger.registerIntegrations([
      { id: 'q', entity: 'journalLines', format: 'csv', destination: 'd', configSha256: 'x' },
    ]);
    const run = await ledger.openRun({
      runKey: 'q/1',
      integrationId: 'q',
      entity: 'journalLines',
      windowTo: '2026-12-01T00:00:00Z',
      initialWatermark: '2026-11-01T00:00:00Z',
      overlapSeconds: 0,
    });
    let deep: unknown = 'x';
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    const raw = { deep, big: 'y'.repeat(10_000_000), nul: 'a\u0000b', half: '\uD800', 'k\u0000': 1 };
    const entries = quarantineEntries([
      {
        ok: false,
        recordId: '1:1\u0000',
        version: 'unknown',
        error: new RecordFieldError('1:1', 'Description\u0000', `bad \uD800 ${'z'.repeat(5000)}`),
        raw,
      },
    ]);
    await ledger.quarantine(run.runKey, run.integrationId, entries);
    const { rows } = await pool.query(
      `SELECT record_id, field, length(reason) AS reason, length(payload::text) AS size, payload->>'nul' AS nul
       FROM quarantined_record WHERE run_key = $1`,
      [run.runKey],
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0].record_id, '1:1\uFFFD');
    assert.equal(rows[0].field, 'Description\uFFFD');
    assert.equal(rows[0].nul, 'a\uFFFDb');
    assert.ok(rows[0].reason <= 1001);
    assert.ok(rows[0].size < 300_000, `payload bounded (${rows[0].size})`);
  });

  it('status changes follow the state machine: a retried move is a no-op, a refused one an error', async () => {
    await migrate(pool);
    const open = (runKey: string, integrationId: string) =>
      ledger.openRun({
        runKey,
        integrationId,
        entity: 'journalLines',
        windowTo: '2026-12-01T00:00:00Z',
        initialWatermark: '2026-11-01T00:00:00Z',
        overlapSeconds: 0,
      });
    const run = await open('sm/1', 'sm');
    assert.equal(run.status, 'staging');
    assert.equal((await ledger.finishStaging(run.runKey)).status, 'staged');
    assert.equal((await ledger.finishStaging(run.runKey)).status, 'staged', 'a retried finishStaging');
    assert.equal(await ledger.recordRunFailure(run.runKey, 'render', 'boom'), 'closed');
    assert.equal((await ledger.getRun(run.runKey))!.status, 'failed');
    // Failed is final: closing its staging again is refused, and nothing changes.
    await assert.rejects(ledger.finishStaging(run.runKey), (err: unknown) => {
      assert.ok(err instanceof RunTransitionError);
      assert.equal(err.from, 'failed');
      assert.equal(err.to, 'staged');
      assert.match(err.message, /Run sm\/1 is failed; it cannot move to staged/);
      return true;
    });
    assert.equal((await ledger.getRun(run.runKey))!.status, 'failed');
    // A run still staging cannot be committed without passing through staged.
    const second = await open('sm/2', 'sm');
    await assert.rejects(ledger.commitRun(second.runKey), /Run sm\/2 is staging; cannot commit/);
    assert.equal((await ledger.getRun(second.runKey))!.status, 'staging');
  });

  it("a file's rows must name a file that exists, and a file they name stays (checked once a statement)", async () => {
    await pool.query(
      `INSERT INTO sync_run (run_key, integration_id, entity, window_from, window_to, status)
       VALUES ('fk/1', 'fk', 'journalLines', now(), now(), 'staged')`,
    );
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO outbound_file (run_key, integration_id, file_name, remote_path, byte_count, sha256, record_count, status, format)
       VALUES ('fk/1', 'fk', 'f.csv', '/out/f.csv', 0, '', 0, 'rendered', 'csv') RETURNING file_id::text AS id`,
    );
    const fileId = rows[0]!.id;
    const entries = (file: string, n: number) =>
      pool.query(
        `INSERT INTO file_entry (integration_id, entity, record_id, record_version, content_sha256, file_id, row_in_file, run_key)
         SELECT 'fk', 'journalLines', 'r' || i, now(), 'd', $1::bigint, i, 'fk/1' FROM generate_series(1, $2::int) i`,
        [file, n],
      );
    const violation = (what: RegExp) => (err: { code?: string; message: string }) =>
      err.code === '23503' && what.test(err.message);
    // One row of a thousand naming a missing file fails the whole statement.
    await entries(fileId, 1000);
    await assert.rejects(
      pool.query(
        `INSERT INTO file_entry (integration_id, entity, record_id, record_version, content_sha256, file_id, row_in_file, run_key)
         SELECT 'fk', 'journalLines', 'x' || i, now(), 'd', CASE WHEN i = 500 THEN $1::bigint + 1000 ELSE $1::bigint END, i, 'fk/1'
         FROM generate_series(1, 1000) i`,
        [fileId],
      ),
      violation(/names file \d+ which does not exist/),
    );
    await assert.rejects(
      pool.query('UPDATE file_entry SET file_id = file_id + 1000 WHERE file_id = $1 AND row_in_file = 7', [
        fileId,
      ]),
      violation(/names file \d+ which does not exist/),
    );
    await assert.rejects(
      pool.query('DELETE FROM outbound_file WHERE file_id = $1', [fileId]),
      violation(new RegExp(`file ${fileId} is still named by file_entry`)),
    );
    await assert.rejects(pool.query('TRUNCATE outbound_file CASCADE'), violation(/cannot be truncated/));
    const { rows: kept } = await pool.query('SELECT count(*)::int AS n FROM file_entry WHERE file_id = $1', [
      fileId,
    ]);
    assert.equal(kept[0].n, 1000);
    const one = await pool.connect();
    const other = await pool.connect();
    try {
      // Truncating both together is allowed, as it was with the key (rolled back here).
      await one.query('BEGIN');
      await one.query('TRUNCATE outbound_file, file_entry CASCADE');
      await one.query('ROLLBACK');
      // Rows being written lock their file: a delete waits for them, then finds them.
      await one.query('BEGIN');
      await one.query(
        `INSERT INTO file_entry (integration_id, entity, record_id, record_version, content_sha256, file_id, row_in_file, run_key)
         VALUES ('fk', 'journalLines', 'late', now(), 'd', $1, 1001, 'fk/1')`,
        [fileId],
      );
      await other.query('DELETE FROM file_entry WHERE file_id = $1', [fileId]); // the committed ones
      let settled = false;
      const deleting = other.query('DELETE FROM outbound_file WHERE file_id = $1', [fileId]).finally(() => {
        settled = true;
      });
      deleting.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(settled, false, 'the delete waits for the transaction writing rows of the file');
      await one.query('COMMIT');
      await assert.rejects(deleting, violation(new RegExp(`file ${fileId} is still named by file_entry`)));
      // A snapshot older than the newest rows could miss them: no deletes but in READ COMMITTED.
      await other.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await assert.rejects(
        other.query('DELETE FROM outbound_file WHERE file_id = $1', [fileId]),
        (err: { code?: string; message: string }) =>
          err.code === '0A000' && /READ COMMITTED/.test(err.message),
      );
      await other.query('ROLLBACK');
    } finally {
      await one.query('ROLLBACK').catch(() => undefined);
      one.release();
      other.release();
    }
    // A file no row names can go, as before.
    await pool.query('DELETE FROM file_entry WHERE file_id = $1', [fileId]);
    await pool.query('DELETE FROM outbound_file WHERE file_id = $1', [fileId]);
  });

  it('reads a bytea back by binary COPY byte for byte; a COPY that fails names its value and leaves the pool working', async () => {
    await pool.query('CREATE TABLE copy_probe (id int PRIMARY KEY, data bytea NOT NULL)');
    const big = randomBytes(3 * 2 ** 20 + 17); // every byte value, NULs and backslashes among them
    await pool.query('INSERT INTO copy_probe VALUES (1, $1), (2, $2)', [big, Buffer.alloc(0)]);
    const read = async (id: string) =>
      Buffer.concat(
        await copiedValue(
          pool,
          (literal) => `SELECT data FROM copy_probe WHERE id = ${literal(id)}`,
          `probe ${id}`,
        ),
      );
    assert.ok((await read('1')).equals(big));
    assert.equal((await read('2')).length, 0);
    await assert.rejects(read('3'), /^Error: probe 3: no such row/);
    await assert.rejects(read("1' OR true --"), /probe 1' OR true --: invalid input syntax for type integer/);
    // Postgres fails the statement after it sent the first row: the error is the value's, and
    // that connection is not handed out again.
    const failing = copiedValue(
      pool,
      () => `SELECT CASE WHEN i = 1 THEN data ELSE (1 / (i - 2))::text::bytea END
             FROM copy_probe, generate_series(1, 2) i WHERE id = 1`,
      'probe 4',
    );
    await assert.rejects(failing, /probe 4: division by zero/);
    for (let i = 0; i < 12; i++) assert.ok((await read('1')).equals(big), 'more reads than connections');
    assert.equal((await pool.query('SELECT count(*)::int AS n FROM copy_probe')).rows[0].n, 2);
  });
});
