import type { Pool, PoolClient } from 'pg';
import { latestVersions } from '../shared/records';
import { copyField, copyLines } from './copy';
import { contentDigest, stagedForm } from './digest';
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

/**
 * A page of entries made ready to stage: each record's ID, version and digest (for the ledger
 * lookup) and its COPY line without the run key. No payload object is kept: a page waiting to be
 * stored holds its text only.
 */
export interface PreparedStaging {
  ids: string[];
  versions: string[];
  digests: string[];
  lines: string[];
}

const STAGED_COLUMNS = 'run_key, seq, record_id, record_version, content_sha256, business_keys, payload';

/**
 * The worker's part of staging a page, which needs no database: a record seen twice keeps its
 * latest version; each is numbered from `firstSeq`, digested and its business numbers taken, and
 * written as a COPY line. Apart from stage(), so a caller can prepare the next page while the
 * database stores this one.
 */
export function prepareStaging(entries: StagedEntry[], firstSeq: number): PreparedStaging {
  const page: PreparedStaging = { ids: [], versions: [], digests: [], lines: [] };
  for (const e of latestVersions(entries)) {
    const { digest, json } = stagedForm(e.payload);
    const keys = JSON.stringify(businessKeysOf(e.payload));
    page.ids.push(e.recordId);
    page.versions.push(e.version);
    page.digests.push(digest);
    page.lines.push(
      `${firstSeq + page.lines.length}\t${copyField(e.recordId)}\t${copyField(e.version)}\t${digest}\t${copyField(keys)}\t${copyField(json)}`,
    );
  }
  return page;
}

/**
 * Stages the entries whose exact version was never delivered (a resend: all of them); returns how
 * many were staged and how many the ledger already holds. A record seen twice in a run keeps its
 * latest version. The ledger lookup, then one COPY of the rest. A record already staged by an
 * earlier page (it changed while the window was read) fails that COPY whole; the page is then
 * copied into a table of the session's own and inserted from it, keeping the later version.
 * Sequence numbers of entries already sent are skipped (render orders by seq; gaps do not matter).
 * Only one run of an integration is open at a time, so the ledger cannot gain these records
 * between the lookup and the COPY.
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
  if (page.lines.length === 0) return { staged: 0, alreadySent: 0 };
  const copied = await withConnection(pool, async (c) => {
    const sent = resend ? new Set<string>() : await sentVersions(c, integrationId, page);
    const prefix = `${copyField(runKey)}\t`;
    // In record ID order: two pages stored at once that share records then wait for each other's
    // rows in the same order, never in a cycle (a deadlock). Render orders by seq, not by this.
    const order = page.ids.map((_, i) => i).filter((i) => !sent.has(page.ids[i]!));
    order.sort((a, b) => (page.ids[a]! < page.ids[b]! ? -1 : page.ids[a]! > page.ids[b]! ? 1 : 0));
    const lines = order.map((i) => prefix + page.lines[i]!);
    try {
      await copyLines(c, `COPY staged_record (${STAGED_COLUMNS}) FROM STDIN`, lines);
      return { lines, sent: sent.size, meetsStaged: false };
    } catch (err) {
      const { code, constraint } = err as { code?: string; constraint?: string };
      if (code !== UNIQUE_VIOLATION || constraint !== 'staged_record_run_key_record_id_key') throw err;
      return { lines, sent: sent.size, meetsStaged: true };
    }
  });
  if (copied.meetsStaged) await inTransaction(pool, (c) => stageOverStaged(c, copied.lines));
  return { staged: copied.lines.length, alreadySent: copied.sent };
}

const UNIQUE_VIOLATION = '23505';

/**
 * stage()'s COPY for a page holding records an earlier page staged: the later version stays, and
 * of two equal versions the later page's (a child changed without moving its parent's stamp),
 * whichever page is stored first; the row takes the sequence number of the page it came from, so
 * that the comparison holds for a third page too. A session table: the database user needs TEMP
 * (PUBLIC has it unless revoked). In a transaction of its caller's.
 */
async function stageOverStaged(c: PoolClient, lines: string[]): Promise<void> {
  await c.query(
    `CREATE TEMP TABLE IF NOT EXISTS staging_page (LIKE staged_record INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
  );
  await copyLines(c, `COPY staging_page (${STAGED_COLUMNS}) FROM STDIN`, lines);
  await c.query(
    `INSERT INTO staged_record (${STAGED_COLUMNS}) SELECT ${STAGED_COLUMNS} FROM staging_page ORDER BY record_id
     ON CONFLICT (run_key, record_id) DO UPDATE
       SET seq = excluded.seq, record_version = excluded.record_version,
           content_sha256 = excluded.content_sha256, business_keys = excluded.business_keys,
           payload = excluded.payload
       WHERE (excluded.record_version, excluded.seq) > (staged_record.record_version, staged_record.seq)`,
  );
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
  return sentVersions(db, integrationId, {
    ids: entries.map((e) => e.recordId),
    versions: entries.map((e) => e.version),
    digests: entries.map((e) => e.digest ?? contentDigest(e.payload)),
  });
}

/** The IDs among these whose version and digest the ledger holds as delivered (not resent). */
async function sentVersions(
  db: Queryable,
  integrationId: string,
  page: Pick<PreparedStaging, 'ids' | 'versions' | 'digests'>,
): Promise<Set<string>> {
  if (page.ids.length === 0) return new Set();
  const { rows } = await db.query<{ record_id: string }>(
    `SELECT i.record_id FROM unnest($2::text[], $3::timestamptz[], $4::text[]) AS i(record_id, record_version, digest)
     WHERE EXISTS (SELECT 1 FROM ledger_entry l WHERE l.integration_id = $1 AND l.record_id = i.record_id
                   AND l.record_version = i.record_version AND l.content_sha256 = i.digest AND NOT l.is_resend)`,
    [integrationId, page.ids, page.versions, page.digests],
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
