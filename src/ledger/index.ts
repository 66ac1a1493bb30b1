import { Pool, type PoolClient } from 'pg';
import { latestVersions } from '../shared/records';
import { liveWindowFrom } from '../shared/window';
import { contentDigest } from './digest';
import { inTransaction } from './transaction';

export { migrate } from './migrate';
export { contentDigest };

// The Postgres side of exactly-once: runs, staged records, archived file bytes, the ledger of
// delivered record versions, and the watermark, which moves only in the commit transaction.

export type RunStatus = 'staging' | 'staged' | 'rendered' | 'uploaded' | 'committed' | 'failed';

export interface RunRow {
  runKey: string;
  integrationId: string;
  entity: string;
  /** `sync`: the live incremental run. `resend`: a forced resync or backfill (no dedup, no watermark). */
  kind: 'sync' | 'resend';
  windowFrom: string;
  windowTo: string;
  status: RunStatus;
  extracted: number;
  staged: number;
  alreadySent: number;
  quarantined: number;
  startedAt: string;
}

export interface StagedEntry {
  recordId: string;
  version: string;
  payload: Record<string, unknown>;
}

export interface FileRow {
  fileId: string;
  runKey: string;
  integrationId: string;
  fileName: string;
  remotePath: string;
  byteCount: number;
  sha256: string;
  recordCount: number;
  status: 'rendered' | 'uploaded' | 'committed';
  format: string;
  /** Counts, control totals and X12 control numbers of the file. */
  summary: Record<string, unknown>;
}

export interface X12ControlNumbers {
  interchange: number;
  group: number;
  /** The first transaction set number; the file's sets count up from it. */
  firstSet: number;
}

export interface QuarantineEntry {
  recordId: string;
  version: string;
  field: string;
  reason: string;
  payload: unknown;
}

/** Another run of the same integration is open: starting a second would send records twice. */
export class RunInProgressError extends Error {
  constructor(
    readonly integrationId: string,
    readonly openRunKey: string,
  ) {
    super(
      `Integration "${integrationId}" already has an open run (${openRunKey}). ` +
        'Let it finish, or resolve it before starting another.',
    );
    this.name = 'RunInProgressError';
  }
}

/** Staged rows above which finishStaging refreshes the planner's statistics. */
const ANALYZE_AFTER_STAGED = 20_000;

const runColumns = `run_key AS "runKey", integration_id AS "integrationId", entity, kind,
  to_char(window_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "windowFrom",
  to_char(window_to AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "windowTo",
  status, extracted, staged, already_sent AS "alreadySent", quarantined,
  to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startedAt"`;

const fileColumns = `file_id::text AS "fileId", run_key AS "runKey", integration_id AS "integrationId",
  file_name AS "fileName", remote_path AS "remotePath", byte_count::float8 AS "byteCount", sha256,
  record_count AS "recordCount", status, format, summary`;

export class Ledger {
  constructor(readonly pool: Pool) {}

  /**
   * A pool for the ledger. An idle connection that Postgres drops (a restart, a failover, an admin)
   * is reported to `onIdleError` and replaced on next use; unhandled, it would crash the worker.
   */
  static connect(connectionString: string, onIdleError: (err: Error) => void = () => {}): Ledger {
    const pool = new Pool({ connectionString, max: 10, application_name: 'ml-connector' });
    pool.on('error', onIdleError);
    return new Ledger(pool);
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private tx<T>(work: (c: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }

  async getRun(runKey: string): Promise<RunRow | null> {
    const { rows } = await this.pool.query<RunRow>(`SELECT ${runColumns} FROM sync_run WHERE run_key = $1`, [
      runKey,
    ]);
    return rows[0] ?? null;
  }

  /**
   * Opens the run, or returns it when it is already open (an activity retry). The window starts
   * `overlapSeconds` before the watermark; the ledger drops what the overlap reads again.
   */
  async openRun(input: {
    runKey: string;
    integrationId: string;
    entity: string;
    windowTo: string;
    initialWatermark: string;
    overlapSeconds: number;
  }): Promise<RunRow> {
    return this.tx(async (c) => {
      const existing = await c.query<RunRow>(`SELECT ${runColumns} FROM sync_run WHERE run_key = $1`, [
        input.runKey,
      ]);
      if (existing.rows[0]) return existing.rows[0];
      const open = await c.query<{ run_key: string }>(
        `SELECT run_key FROM sync_run WHERE integration_id = $1 AND status NOT IN ('committed', 'failed')`,
        [input.integrationId],
      );
      if (open.rows[0]) throw new RunInProgressError(input.integrationId, open.rows[0].run_key);
      const watermark = await c.query<{ at: Date }>(
        'SELECT last_update_date AS at FROM watermark WHERE integration_id = $1',
        [input.integrationId],
      );
      const at = watermark.rows[0]?.at;
      const windowFrom = liveWindowFrom(
        at ? at.toISOString() : null,
        input.initialWatermark,
        input.overlapSeconds,
      );
      const { rows } = await c.query<RunRow>(
        `INSERT INTO sync_run (run_key, integration_id, entity, window_from, window_to, status)
         VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz, 'staging')
         RETURNING ${runColumns}`,
        [input.runKey, input.integrationId, input.entity, windowFrom, input.windowTo],
      );
      return rows[0]!;
    });
  }

  /**
   * Opens (or returns) a resend run over an explicit window: a forced resync or one window of a
   * backfill. It may run beside the live sync; it never moves the watermark.
   */
  async openResendRun(input: {
    runKey: string;
    integrationId: string;
    entity: string;
    windowFrom: string;
    windowTo: string;
    reason: string;
  }): Promise<RunRow> {
    const { rows } = await this.pool.query<RunRow>(
      `WITH inserted AS (
         INSERT INTO sync_run (run_key, integration_id, entity, window_from, window_to, status, kind, reason)
         VALUES ($1, $2, $3, $4, $5, 'staging', 'resend', $6)
         ON CONFLICT (run_key) DO NOTHING
         RETURNING ${runColumns})
       SELECT * FROM inserted UNION ALL SELECT ${runColumns} FROM sync_run WHERE run_key = $1 LIMIT 1`,
      [input.runKey, input.integrationId, input.entity, input.windowFrom, input.windowTo, input.reason],
    );
    return rows[0]!;
  }

  /** Forgets a half-done staging (the activity is retried from the start of the window). */
  async restartStaging(runKey: string): Promise<void> {
    await this.tx(async (c) => {
      await c.query('DELETE FROM staged_record WHERE run_key = $1', [runKey]);
      await c.query('DELETE FROM quarantined_record WHERE run_key = $1', [runKey]);
    });
  }

  /**
   * Stages the entries whose exact version was never delivered; returns how many were staged and
   * how many the ledger already holds. A record seen twice in a run keeps its latest version.
   */
  async stage(
    runKey: string,
    integrationId: string,
    firstSeq: number,
    entries: StagedEntry[],
    resend = false,
  ): Promise<{ staged: number; alreadySent: number }> {
    if (entries.length === 0) return { staged: 0, alreadySent: 0 };
    const unique = latestVersions(entries).map((e) => ({ ...e, digest: contentDigest(e.payload) }));
    const alreadySent = resend ? new Set<string>() : await this.alreadySent(integrationId, unique);
    const fresh = unique.filter((e) => !alreadySent.has(e.recordId));
    if (fresh.length) {
      // One JSON document for the page, typed by json_to_recordset: node-postgres escapes text[]
      // elements in JavaScript, which cost more than the insert itself for payloads full of quotes.
      const rows = fresh.map((e, i) => ({
        seq: firstSeq + i,
        id: e.recordId,
        version: e.version,
        digest: e.digest,
        payload: e.payload,
      }));
      await this.pool.query(
        `INSERT INTO staged_record (run_key, seq, record_id, record_version, content_sha256, payload)
         SELECT $1, seq, id, version, digest, payload
         FROM json_to_recordset($2::json) AS r(seq int, id text, version timestamptz, digest text, payload json)
         ON CONFLICT (run_key, record_id) DO UPDATE
           SET record_version = excluded.record_version, content_sha256 = excluded.content_sha256,
               payload = excluded.payload
           WHERE excluded.record_version >= staged_record.record_version`,
        [runKey, JSON.stringify(rows)],
      );
    }
    return { staged: fresh.length, alreadySent: alreadySent.size };
  }

  /**
   * Which of these record versions the ledger already holds (same ID, LastUpdateDate and content).
   * Read-only: stage() uses it to drop what was sent; preview uses it to count what would go.
   */
  async alreadySent(
    integrationId: string,
    entries: (StagedEntry & { digest?: string })[],
  ): Promise<Set<string>> {
    if (entries.length === 0) return new Set();
    const { rows } = await this.pool.query<{ record_id: string }>(
      `SELECT i.record_id FROM unnest($2::text[], $3::timestamptz[], $4::text[]) AS i(record_id, record_version, digest)
       WHERE EXISTS (SELECT 1 FROM ledger_entry l WHERE l.integration_id = $1 AND l.record_id = i.record_id
                     AND l.record_version = i.record_version AND l.content_sha256 = i.digest AND NOT l.is_resend)`,
      [
        integrationId,
        entries.map((e) => e.recordId),
        entries.map((e) => e.version),
        entries.map((e) => e.digest ?? contentDigest(e.payload)),
      ],
    );
    return new Set(rows.map((r) => r.record_id));
  }

  async quarantine(
    runKey: string,
    integrationId: string,
    items: QuarantineEntry[],
    c?: PoolClient,
  ): Promise<void> {
    if (items.length === 0) return;
    await (c ?? this.pool).query(
      `INSERT INTO quarantined_record (integration_id, run_key, record_id, record_version, field, reason, payload)
       SELECT $1, $2, record_id, record_version, field, reason, payload::jsonb
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
         AS i(record_id, record_version, field, reason, payload)`,
      [
        integrationId,
        runKey,
        items.map((q) => q.recordId),
        items.map((q) => q.version),
        items.map((q) => q.field),
        items.map((q) => q.reason),
        items.map((q) => JSON.stringify(q.payload)),
      ],
    );
  }

  async finishStaging(runKey: string): Promise<RunRow> {
    const { rows } = await this.pool.query<RunRow>(
      `UPDATE sync_run r SET status = 'staged',
         staged = (SELECT count(*) FROM staged_record s WHERE s.run_key = r.run_key),
         quarantined = (SELECT count(*) FROM quarantined_record q WHERE q.run_key = r.run_key)
       WHERE run_key = $1 AND status = 'staging' RETURNING ${runColumns}`,
      [runKey],
    );
    const run = rows[0] ?? (await this.getRun(runKey))!;
    // After a large staging the table's statistics still describe it nearly empty, and the
    // planner reads each page of stagedPayloads by a full scan: quadratic over a million rows.
    if (run.staged >= ANALYZE_AFTER_STAGED) await this.pool.query('ANALYZE staged_record');
    return run;
  }

  async setRunCounts(runKey: string, counts: { extracted: number; alreadySent: number }): Promise<void> {
    await this.pool.query('UPDATE sync_run SET extracted = $2, already_sent = $3 WHERE run_key = $1', [
      runKey,
      counts.extracted,
      counts.alreadySent,
    ]);
  }

  /**
   * Staged payloads in delivery order, a page at a time (keyset paging: constant memory). The
   * next page is read while the caller works on this one.
   */
  async *stagedPayloads(
    runKey: string,
    pageSize = 2000,
  ): AsyncGenerator<{ seq: number; payload: unknown }[]> {
    const read = (after: number) =>
      this.pool.query<{ seq: number; payload: unknown }>(
        'SELECT seq, payload FROM staged_record WHERE run_key = $1 AND seq > $2 ORDER BY seq LIMIT $3',
        [runKey, after, pageSize],
      );
    let next = read(-1);
    try {
      for (;;) {
        const { rows } = await next;
        if (rows.length === 0) return;
        next = read(rows[rows.length - 1]!.seq);
        yield rows;
      }
    } finally {
      await next.catch(() => undefined); // the caller stopped early: settle the read-ahead
    }
  }

  async getFileByRun(runKey: string): Promise<FileRow | null> {
    const { rows } = await this.pool.query<FileRow>(
      `SELECT ${fileColumns} FROM outbound_file WHERE run_key = $1`,
      [runKey],
    );
    return rows[0] ?? null;
  }

  async getFile(fileId: string): Promise<FileRow | null> {
    const { rows } = await this.pool.query<FileRow>(
      `SELECT ${fileColumns} FROM outbound_file WHERE file_id = $1`,
      [fileId],
    );
    return rows[0] ?? null;
  }

  /**
   * Stores a rendered file in one transaction: its bytes in chunks, its metadata, and the
   * records the renderer rejected (moved from staging to quarantine). All or nothing.
   */
  async saveRenderedFile(
    run: RunRow,
    meta: { fileName: string; remotePath: string; format: string },
    render: (sink: {
      chunk(data: Buffer): Promise<void>;
      reject(seq: number, entry: QuarantineEntry): Promise<void>;
    }) => Promise<{
      byteCount: number;
      sha256: string;
      recordCount: number;
      summary: Record<string, unknown>;
    }>,
  ): Promise<FileRow | null> {
    return this.tx(async (c) => {
      let seq = 0;
      const { rows } = await c.query<{ file_id: string }>(
        `INSERT INTO outbound_file (run_key, integration_id, file_name, remote_path, byte_count, sha256, record_count,
           status, format)
         VALUES ($1, $2, $3, $4, 0, '', 0, 'rendered', $5) RETURNING file_id::text`,
        [run.runKey, run.integrationId, meta.fileName, meta.remotePath, meta.format],
      );
      const fileId = rows[0]!.file_id;
      const totals = await render({
        chunk: async (data) => {
          await c.query('INSERT INTO outbound_file_chunk (file_id, seq, data) VALUES ($1, $2, $3)', [
            fileId,
            seq++,
            data,
          ]);
        },
        reject: async (stagedSeq, entry) => {
          await c.query('DELETE FROM staged_record WHERE run_key = $1 AND seq = $2', [run.runKey, stagedSeq]);
          await this.quarantine(run.runKey, run.integrationId, [entry], c);
        },
      });
      if (totals.recordCount === 0) {
        // Every record was rejected: no file. The run commits without one (the watermark moves,
        // the rejected records are in quarantine).
        await c.query('DELETE FROM outbound_file WHERE file_id = $1', [fileId]);
        await c.query(
          `UPDATE sync_run SET staged = 0,
             quarantined = (SELECT count(*) FROM quarantined_record q WHERE q.run_key = $1)
           WHERE run_key = $1`,
          [run.runKey],
        );
        return null;
      }
      const updated = await c.query<FileRow>(
        `UPDATE outbound_file SET byte_count = $2, sha256 = $3, record_count = $4, summary = $5 WHERE file_id = $1
         RETURNING ${fileColumns}`,
        [fileId, totals.byteCount, totals.sha256, totals.recordCount, JSON.stringify(totals.summary)],
      );
      await c.query(
        `UPDATE sync_run SET status = 'rendered', staged = $2,
           quarantined = (SELECT count(*) FROM quarantined_record q WHERE q.run_key = $1)
         WHERE run_key = $1`,
        [run.runKey, totals.recordCount],
      );
      return updated.rows[0]!;
    });
  }

  /**
   * Control numbers for one interchange to a partner: ISA13, GS06 and a contiguous block of ST02,
   * from that partner's Postgres sequences. Committed on their own, before the file is rendered:
   * a number once handed out is never handed out again, whatever happens to the file.
   */
  async allocateX12ControlNumbers(partnerId: string, transactionSets: number): Promise<X12ControlNumbers> {
    return this.tx(async (c) => {
      // One allocator at a time per partner, so the block of set numbers is contiguous.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`x12:${partnerId}`]);
      await c.query('INSERT INTO x12_partner (partner_id) VALUES ($1) ON CONFLICT DO NOTHING', [partnerId]);
      const { rows } = await c.query<{ seq_no: number }>(
        'SELECT seq_no FROM x12_partner WHERE partner_id = $1',
        [partnerId],
      );
      const n = rows[0]!.seq_no;
      for (const kind of ['isa', 'gs', 'st']) {
        await c.query(
          `CREATE SEQUENCE IF NOT EXISTS x12_${kind}_${n} MINVALUE 1 MAXVALUE 999999999 NO CYCLE`,
        );
      }
      const isa = await c.query<{ v: string }>(`SELECT nextval('x12_isa_${n}') AS v`);
      const gs = await c.query<{ v: string }>(`SELECT nextval('x12_gs_${n}') AS v`);
      const st = await c.query<{ v: string }>(
        `SELECT nextval('x12_st_${n}') AS v FROM generate_series(1, $1::int) ORDER BY 1 LIMIT 1`,
        [Math.max(1, transactionSets)],
      );
      return {
        interchange: Number(isa.rows[0]!.v),
        group: Number(gs.rows[0]!.v),
        firstSet: Number(st.rows[0]!.v),
      };
    });
  }

  /** The archived bytes of a file, chunk by chunk. */
  async *fileChunks(fileId: string): AsyncGenerator<Buffer> {
    let after = -1;
    for (;;) {
      const { rows } = await this.pool.query<{ seq: number; data: Buffer }>(
        'SELECT seq, data FROM outbound_file_chunk WHERE file_id = $1 AND seq > $2 ORDER BY seq LIMIT 1',
        [fileId, after],
      );
      if (rows.length === 0) return;
      for (const row of rows) yield row.data;
      after = rows[rows.length - 1]!.seq;
    }
  }

  async markUploaded(fileId: string): Promise<void> {
    await this.tx(async (c) => {
      const { rows } = await c.query<{ run_key: string }>(
        `UPDATE outbound_file SET status = 'uploaded', uploaded_at = COALESCE(uploaded_at, now())
         WHERE file_id = $1 AND status IN ('rendered', 'uploaded') RETURNING run_key`,
        [fileId],
      );
      if (rows[0]) {
        await c.query(`UPDATE sync_run SET status = 'uploaded' WHERE run_key = $1 AND status = 'rendered'`, [
          rows[0].run_key,
        ]);
      }
    });
  }

  /**
   * The one place delivery becomes fact: ledger rows for every staged record, the file marked
   * committed and the watermark moved to the window's end, in one transaction. Idempotent.
   * `beforeCommit` runs with every write done and the transaction still open (fault tests).
   */
  async commitRun(
    runKey: string,
    options: { beforeCommit?: () => void | Promise<void> } = {},
  ): Promise<{ sent: number; watermark: string }> {
    return this.tx(async (c) => {
      const run = (
        await c.query<RunRow>(`SELECT ${runColumns} FROM sync_run WHERE run_key = $1 FOR UPDATE`, [runKey])
      ).rows[0];
      if (!run) throw new Error(`No run ${runKey}`);
      if (run.status !== 'committed') {
        const file = (
          await c.query<FileRow>(`SELECT ${fileColumns} FROM outbound_file WHERE run_key = $1`, [runKey])
        ).rows[0];
        if (file && file.status !== 'uploaded') {
          throw new Error(
            `Run ${runKey}: file ${file.fileName} is ${file.status}, not uploaded; cannot commit`,
          );
        }
        if (!file && run.status !== 'staged')
          throw new Error(`Run ${runKey} is ${run.status}; cannot commit`);
        if (file) {
          await c.query(
            `INSERT INTO ledger_entry (integration_id, entity, record_id, record_version, content_sha256, file_id,
               row_in_file, run_key, is_resend)
             SELECT $2, $3, record_id, record_version, content_sha256, $4, row_number() OVER (ORDER BY seq), run_key, $5
             FROM staged_record WHERE run_key = $1`,
            [runKey, run.integrationId, run.entity, file.fileId, run.kind === 'resend'],
          );
          await c.query(
            `UPDATE outbound_file SET status = 'committed', committed_at = now() WHERE file_id = $1`,
            [file.fileId],
          );
        }
        if (run.kind === 'sync')
          await c.query(
            `INSERT INTO watermark (integration_id, last_update_date, run_key) VALUES ($1, $2, $3)
           ON CONFLICT (integration_id) DO UPDATE SET
             last_update_date = GREATEST(watermark.last_update_date, excluded.last_update_date),
             run_key = excluded.run_key, updated_at = now()`,
            [run.integrationId, run.windowTo, runKey],
          );
        await c.query(`UPDATE sync_run SET status = 'committed', committed_at = now() WHERE run_key = $1`, [
          runKey,
        ]);
        await c.query('DELETE FROM staged_record WHERE run_key = $1', [runKey]);
      }
      const sent = await c.query<{ n: number }>(
        // Through the run's file (indexed), not ledger_entry.run_key: that would scan the whole ledger.
        `SELECT count(*)::int AS n FROM ledger_entry l JOIN outbound_file f ON f.file_id = l.file_id
         WHERE f.run_key = $1`,
        [runKey],
      );
      const wm = await this.watermark(run.integrationId, c);
      await options.beforeCommit?.();
      return { sent: sent.rows[0]!.n, watermark: wm ?? run.windowTo };
    });
  }

  /**
   * Records why a run stopped. Before a file exists the run is closed as failed (nothing was
   * sent, the watermark did not move, the next run reads the same window again). Once a file
   * was rendered it stays staged and open, marked failed, for the next sync (or an admin) to
   * deliver: re-rendering would risk a second, different file with the same records.
   */
  async recordRunFailure(
    runKey: string,
    stage: string,
    reason: string,
  ): Promise<'closed' | 'kept-for-retry'> {
    return this.tx(async (c) => {
      const file = (
        await c.query<{ status: string }>('SELECT status FROM outbound_file WHERE run_key = $1', [runKey])
      ).rows[0];
      const keep = file !== undefined && file.status !== 'committed';
      await c.query(
        `UPDATE sync_run SET failed_at = now(), failed_stage = $2, last_error = $3,
           status = CASE WHEN $4 THEN status ELSE 'failed' END
         WHERE run_key = $1 AND status <> 'committed'`,
        [runKey, stage, reason.slice(0, 4000), keep],
      );
      if (!keep) await c.query('DELETE FROM staged_record WHERE run_key = $1', [runKey]);
      return keep ? 'kept-for-retry' : 'closed';
    });
  }

  /** An open run whose workflow gave up after rendering its file: deliver it before anything new. */
  async findResumableRun(
    integrationId: string,
    runKey?: string,
  ): Promise<{ runKey: string; fileId: string } | null> {
    const { rows } = await this.pool.query<{ runKey: string; fileId: string }>(
      `SELECT r.run_key AS "runKey", f.file_id::text AS "fileId"
       FROM sync_run r JOIN outbound_file f USING (run_key)
       WHERE r.integration_id = $1 AND r.status IN ('rendered', 'uploaded') AND r.failed_at IS NOT NULL
         AND ($2::text IS NULL OR r.run_key = $2)`,
      [integrationId, runKey ?? null],
    );
    return rows[0] ?? null;
  }

  /** The integration's open run, not marked failed (at most one: sync_run_one_open_per_integration). */
  async openRunOf(integrationId: string): Promise<{ runKey: string; status: RunStatus } | null> {
    const { rows } = await this.pool.query<{ runKey: string; status: RunStatus }>(
      `SELECT run_key AS "runKey", status FROM sync_run
       WHERE integration_id = $1 AND status NOT IN ('committed', 'failed') AND failed_at IS NULL`,
      [integrationId],
    );
    return rows[0] ?? null;
  }

  /** Runs that failed and were not delivered since: what an admin looks at first. */
  async failedRuns(integrationId?: string): Promise<
    {
      runKey: string;
      integrationId: string;
      status: RunStatus;
      failedStage: string;
      lastError: string;
      failedAt: string;
      fileName: string | null;
    }[]
  > {
    const { rows } = await this.pool.query(
      `SELECT r.run_key AS "runKey", r.integration_id AS "integrationId", r.status,
              r.failed_stage AS "failedStage", r.last_error AS "lastError",
              to_char(r.failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "failedAt",
              f.file_name AS "fileName"
       FROM sync_run r LEFT JOIN outbound_file f USING (run_key)
       WHERE r.failed_at IS NOT NULL AND r.status <> 'committed' AND ($1::text IS NULL OR r.integration_id = $1)
       ORDER BY r.failed_at DESC`,
      [integrationId ?? null],
    );
    return rows;
  }

  /** Every delivery attempt that put bytes on a server, including replays, for the audit trail. */
  async recordDelivery(
    fileId: string,
    kind: 'upload' | 'replay',
    uploadedNow: boolean,
    reason: string | null,
  ): Promise<void> {
    await this.pool.query(
      'INSERT INTO file_delivery (file_id, kind, uploaded_now, reason) VALUES ($1, $2, $3, $4)',
      [fileId, kind, uploadedNow, reason],
    );
  }

  async getFileByName(integrationId: string, fileName: string): Promise<FileRow | null> {
    const { rows } = await this.pool.query<FileRow>(
      `SELECT ${fileColumns} FROM outbound_file WHERE integration_id = $1 AND file_name = $2`,
      [integrationId, fileName],
    );
    return rows[0] ?? null;
  }

  /** Records the configured integrations (no secrets), so audits and the CLI know them. */
  async registerIntegrations(
    integrations: { id: string; entity: string; format: string; destination: string; configSha256: string }[],
  ): Promise<void> {
    for (const i of integrations) {
      await this.pool.query(
        `INSERT INTO integration (integration_id, entity, format, destination, config_sha256) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (integration_id) DO UPDATE SET entity = excluded.entity, format = excluded.format,
           destination = excluded.destination, config_sha256 = excluded.config_sha256,
           updated_at = CASE WHEN integration.config_sha256 = excluded.config_sha256 THEN integration.updated_at ELSE now() END`,
        [i.id, i.entity, i.format, i.destination, i.configSha256],
      );
    }
  }

  /** Files committed since a moment (deadline checks). */
  async filesCommittedSince(integrationId: string, since: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbound_file WHERE integration_id = $1 AND status = 'committed' AND committed_at > $2`,
      [integrationId, since],
    );
    return rows[0]!.n;
  }

  async watermark(integrationId: string, c?: PoolClient): Promise<string | null> {
    const { rows } = await (c ?? this.pool).query<{ wm: string }>(
      `SELECT to_char(last_update_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS wm
       FROM watermark WHERE integration_id = $1`,
      [integrationId],
    );
    return rows[0]?.wm ?? null;
  }
}
