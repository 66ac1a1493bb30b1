import type { Pool } from 'pg';
import { latestVersions } from '../shared/records';
import { copyField, copyLines } from './copy';
import { contentDigest } from './digest';
import { closeQuarantined } from './quarantine';
import { businessKeysOf } from './reports';
import { getRun, moveRun, type RunRow } from './runs';
import type { Queryable } from './sql';
import { inTransaction, withConnection } from './transaction';

// Staging (tables staged_record, quarantined_record): the records a run extracted and has not
// delivered yet, the ones it held back, and the dedup against the ledger of delivered versions.

export interface StagedEntry {
  recordId: string;
  version: string;
  payload: Record<string, unknown>;
}

export interface QuarantineEntry {
  recordId: string;
  version: string;
  field: string;
  reason: string;
  payload: unknown;
}

/** Staged rows above which finishStaging refreshes the planner's statistics. */
const ANALYZE_AFTER_STAGED = 20_000;

/** Forgets a half-done staging (the activity is retried from the start of the window). */
export function restartStaging(pool: Pool, runKey: string): Promise<void> {
  return inTransaction(pool, async (c) => {
    await c.query('DELETE FROM staged_record WHERE run_key = $1', [runKey]);
    await c.query('DELETE FROM quarantined_record WHERE run_key = $1', [runKey]);
  });
}

/** A record made ready to stage: numbered, digested, its business numbers taken. */
interface StagingRow {
  seq: number;
  recordId: string;
  version: string;
  digest: string;
  keys: Record<string, string>;
  payload: Record<string, unknown>;
}

/** A page of entries made ready to stage: its rows, and each one's COPY line (without run key). */
export interface PreparedStaging {
  records: number;
  rows: StagingRow[];
  lines: string[];
}

/**
 * The worker's part of staging a page, which needs no database: a record seen twice keeps its
 * latest version; each is numbered from `firstSeq`, digested and its business numbers taken, and
 * written as a COPY line. Apart from stage(), so a caller can prepare the next page while the
 * database stores this one.
 */
export function prepareStaging(entries: StagedEntry[], firstSeq: number): PreparedStaging {
  const rows = latestVersions(entries).map(
    (e, i): StagingRow => ({
      seq: firstSeq + i,
      recordId: e.recordId,
      version: e.version,
      digest: contentDigest(e.payload),
      keys: businessKeysOf(e.payload),
      payload: e.payload,
    }),
  );
  const lines = rows.map(
    (r) =>
      `${r.seq}\t${copyField(r.recordId)}\t${copyField(r.version)}\t${r.digest}\t${copyField(JSON.stringify(r.keys))}\t${copyField(JSON.stringify(r.payload))}`,
  );
  return { records: rows.length, rows, lines };
}

/**
 * Stages the entries whose exact version was never delivered (a resend: all of them); returns how
 * many were staged and how many the ledger already holds. A record seen twice in a run keeps its
 * latest version. The ledger lookup, then one COPY of the rest. A record already staged by an
 * earlier page (it changed while the window was read) fails the COPY whole; the page is then
 * staged by one INSERT that keeps the later version. Sequence numbers of entries already sent are
 * skipped (render orders by seq; gaps do not matter). Only one run of an integration is open at
 * a time, so the ledger cannot gain these records between the lookup and the COPY.
 */
export async function stage(
  pool: Pool,
  runKey: string,
  integrationId: string,
  firstSeq: number,
  entries: StagedEntry[] | PreparedStaging,
  resend: boolean,
): Promise<{ staged: number; alreadySent: number }> {
  const page = Array.isArray(entries) ? prepareStaging(entries, firstSeq) : entries;
  if (page.records === 0) return { staged: 0, alreadySent: 0 };
  return withConnection(pool, async (c) => {
    const sent = resend ? new Set<string>() : await alreadySent(c, integrationId, page.rows);
    const prefix = `${copyField(runKey)}\t`;
    const lines: string[] = [];
    page.rows.forEach((r, i) => {
      if (!sent.has(r.recordId)) lines.push(prefix + page.lines[i]!);
    });
    try {
      await copyLines(
        c,
        'COPY staged_record (run_key, seq, record_id, record_version, content_sha256, business_keys, payload) FROM STDIN',
        lines,
      );
    } catch (err) {
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      return stageByInsert(c, runKey, integrationId, page.rows, resend);
    }
    return { staged: lines.length, alreadySent: sent.size };
  });
}

const UNIQUE_VIOLATION = '23505';

/** stage() as one INSERT, for a page holding records an earlier page staged: the later version stays. */
async function stageByInsert(
  db: Queryable,
  runKey: string,
  integrationId: string,
  rows: StagingRow[],
  resend: boolean,
): Promise<{ staged: number; alreadySent: number }> {
  const { rows: counted } = await db.query<{ n: number }>(
    `WITH r AS MATERIALIZED (
       SELECT * FROM json_to_recordset($2::json)
         AS r(seq int, "recordId" text, version timestamptz, digest text, keys jsonb, payload json)),
     sent AS (
       SELECT r."recordId" AS id FROM r WHERE NOT $4::boolean AND EXISTS (
         SELECT 1 FROM ledger_entry l WHERE l.integration_id = $3 AND l.record_id = r."recordId"
           AND l.record_version = r.version AND l.content_sha256 = r.digest AND NOT l.is_resend)),
     staged AS (
       INSERT INTO staged_record (run_key, seq, record_id, record_version, content_sha256, business_keys, payload)
       SELECT $1, seq, "recordId", version, digest, keys, payload FROM r WHERE r."recordId" NOT IN (SELECT id FROM sent)
       ON CONFLICT (run_key, record_id) DO UPDATE
         SET record_version = excluded.record_version, content_sha256 = excluded.content_sha256,
             business_keys = excluded.business_keys, payload = excluded.payload
         WHERE excluded.record_version >= staged_record.record_version)
     SELECT count(*)::int AS n FROM sent`,
    [runKey, JSON.stringify(rows), integrationId, resend],
  );
  const sent = counted[0]!.n;
  return { staged: rows.length - sent, alreadySent: sent };
}

/**
 * Which of these record versions the ledger already holds (same ID, LastUpdateDate and content).
 * Read-only: stage() uses it to drop what was sent; preview uses it to count what would go.
 */
export async function alreadySent(
  db: Queryable,
  integrationId: string,
  entries: (StagedEntry & { digest?: string })[],
): Promise<Set<string>> {
  if (entries.length === 0) return new Set();
  const { rows } = await db.query<{ record_id: string }>(
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

export async function quarantine(
  db: Queryable,
  runKey: string,
  integrationId: string,
  items: QuarantineEntry[],
): Promise<void> {
  if (items.length === 0) return;
  await db.query(
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
  // The record's older rows are closed: the newest one, with its reason, is what holds it now.
  await closeQuarantined(
    db,
    runKey,
    integrationId,
    [...new Set(items.map((q) => q.recordId))],
    'quarantined-again',
  );
}

/** Closes the run's staging (staging → staged) with its staged and quarantined counts. */
export async function finishStaging(db: Queryable, runKey: string): Promise<RunRow> {
  const moved = await moveRun(db, runKey, 'staged', {
    set: `staged = (SELECT count(*) FROM staged_record s WHERE s.run_key = r.run_key),
          quarantined = (SELECT count(*) FROM quarantined_record q WHERE q.run_key = r.run_key)`,
  });
  const run = moved ?? (await getRun(db, runKey))!;
  // After a large staging the table's statistics still describe it nearly empty, and the
  // planner reads each page of stagedPayloads by a full scan: quadratic over a million rows.
  if (run.staged >= ANALYZE_AFTER_STAGED) await db.query('ANALYZE staged_record');
  return run;
}

/**
 * Staged payloads in delivery order, a page at a time (keyset paging: constant memory). The
 * next page is read while the caller works on this one.
 */
export async function* stagedPayloads(
  db: Queryable,
  runKey: string,
  pageSize: number,
): AsyncGenerator<{ seq: number; payload: unknown }[]> {
  const read = (after: number) =>
    db.query<{ seq: number; payload: unknown }>(
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
