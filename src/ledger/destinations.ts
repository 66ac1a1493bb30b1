import type { Pool } from 'pg';
import { copiedChunks } from './copy';
import type { Queryable } from './sql';

// Further destinations (tables file_destination, file_destination_chunk): for each file of an
// integration with `destinations`, one row per further destination with the bytes it gets, and
// how its delivery went. The primary destination is the file itself (archive.ts): its delivery
// commits the run; these are delivered after, each on its own, exactly once.

export type DestinationStatus = 'pending' | 'delivered' | 'failed';

export interface FileDestinationRow {
  fileId: string;
  destinationId: string;
  runKey: string;
  integrationId: string;
  fileName: string;
  remotePath: string;
  byteCount: number;
  sha256: string;
  /** false: the destination gets the file's own archived bytes. */
  ownBytes: boolean;
  summary: Record<string, unknown>;
  status: DestinationStatus;
  attempts: number;
  lastError: string | null;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  /** Delivered: by the attempt that recorded it (true), or found already there (false). */
  uploadedNow: boolean | null;
}

/** What a further destination's render wrote: its name, bytes and their summary. */
export interface DestinationTotals {
  destinationId: string;
  byteCount: number;
  sha256: string;
  ownBytes: boolean;
  summary: Record<string, unknown>;
}

const at = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

const destinationColumns = `d.file_id::text AS "fileId", d.destination_id AS "destinationId", f.run_key AS "runKey",
  f.integration_id AS "integrationId", d.file_name AS "fileName", d.remote_path AS "remotePath",
  d.byte_count::float8 AS "byteCount", d.sha256, d.own_bytes AS "ownBytes", d.summary, d.status, d.attempts,
  d.last_error AS "lastError", ${at('d.last_attempt_at')} AS "lastAttemptAt", ${at('d.delivered_at')} AS "deliveredAt",
  d.uploaded_now AS "uploadedNow"`;

/** Inside saveRenderedFile's transaction: the rows the render then fills (bytes to follow). */
export async function addFileDestinations(
  db: Queryable,
  fileId: string,
  destinations: { destinationId: string; fileName: string; remotePath: string }[],
): Promise<void> {
  for (const d of destinations) {
    await db.query(
      `INSERT INTO file_destination (file_id, destination_id, file_name, remote_path, byte_count, sha256, own_bytes)
       VALUES ($1, $2, $3, $4, 0, '', false)`,
      [fileId, d.destinationId, d.fileName, d.remotePath],
    );
  }
}

export async function storeDestinationChunk(
  db: Queryable,
  fileId: string,
  destinationId: string,
  seq: number,
  data: Buffer,
): Promise<void> {
  await db.query(
    'INSERT INTO file_destination_chunk (file_id, destination_id, seq, data) VALUES ($1, $2, $3, $4)',
    [fileId, destinationId, seq, data],
  );
}

export async function finishFileDestinations(
  db: Queryable,
  fileId: string,
  totals: DestinationTotals[],
): Promise<void> {
  for (const t of totals) {
    await db.query(
      `UPDATE file_destination SET byte_count = $3, sha256 = $4, own_bytes = $5, summary = $6
       WHERE file_id = $1 AND destination_id = $2`,
      [fileId, t.destinationId, t.byteCount, t.sha256, t.ownBytes, JSON.stringify(t.summary)],
    );
  }
}

export async function getFileDestination(
  db: Queryable,
  fileId: string,
  destinationId: string,
): Promise<FileDestinationRow | null> {
  const { rows } = await db.query<FileDestinationRow>(
    `SELECT ${destinationColumns} FROM file_destination d JOIN outbound_file f USING (file_id)
     WHERE d.file_id = $1 AND d.destination_id = $2`,
    [fileId, destinationId],
  );
  return rows[0] ?? null;
}

/** A file at a further destination, by its name there or the file's own name. */
export async function getFileDestinationByName(
  db: Queryable,
  integrationId: string,
  destinationId: string,
  fileName: string,
): Promise<FileDestinationRow | null> {
  const { rows } = await db.query<FileDestinationRow>(
    `SELECT ${destinationColumns} FROM file_destination d JOIN outbound_file f USING (file_id)
     WHERE f.integration_id = $1 AND d.destination_id = $2 AND (d.file_name = $3 OR f.file_name = $3)
     ORDER BY d.file_id LIMIT 1`,
    [integrationId, destinationId, fileName],
  );
  return rows[0] ?? null;
}

/** Every further destination of a file, in ID order (status, audit, the file page). */
export async function fileDestinations(db: Queryable, fileId: string): Promise<FileDestinationRow[]> {
  const { rows } = await db.query<FileDestinationRow>(
    `SELECT ${destinationColumns} FROM file_destination d JOIN outbound_file f USING (file_id)
     WHERE d.file_id = $1 ORDER BY d.destination_id`,
    [fileId],
  );
  return rows;
}

/**
 * Deliveries still owed to further destinations: files whose run committed (the primary has
 * them) and a destination that has not, oldest file first so each destination gets its files
 * in order. `runKey` narrows to one run (`ml-connector retry`).
 */
export async function pendingDestinationDeliveries(
  db: Queryable,
  integrationId: string,
  runKey?: string,
): Promise<{ fileId: string; destinationId: string; runKey: string }[]> {
  const { rows } = await db.query<{ fileId: string; destinationId: string; runKey: string }>(
    `SELECT d.file_id::text AS "fileId", d.destination_id AS "destinationId", f.run_key AS "runKey"
     FROM file_destination d JOIN outbound_file f USING (file_id)
     WHERE f.integration_id = $1 AND f.status = 'committed' AND d.status <> 'delivered'
       AND ($2::text IS NULL OR f.run_key = $2)
     ORDER BY d.file_id, d.destination_id`,
    [integrationId, runKey ?? null],
  );
  return rows;
}

/** The bytes a destination gets, chunk by chunk: its own, or none (then the file's own). */
export function destinationChunks(pool: Pool, fileId: string, destinationId: string): AsyncGenerator<Buffer> {
  return copiedChunks(
    pool,
    'file_destination_chunk',
    { file_id: fileId, destination_id: destinationId },
    `file ${fileId} for destination ${destinationId}`,
  );
}

/**
 * The destination has the file: delivered, once (a later call changes nothing). `uploadedNow`
 * false: an attempt whose outcome was lost had put it there (found with its size and hash).
 */
export async function markDestinationDelivered(
  db: Queryable,
  fileId: string,
  destinationId: string,
  uploadedNow: boolean,
): Promise<void> {
  await db.query(
    `UPDATE file_destination SET status = 'delivered', delivered_at = now(), attempts = attempts + 1,
       last_attempt_at = now(), uploaded_now = $3
     WHERE file_id = $1 AND destination_id = $2 AND status <> 'delivered'`,
    [fileId, destinationId, uploadedNow],
  );
}

/** A delivery attempt to the destination failed: why, and one attempt more. */
export async function noteDestinationFailure(
  db: Queryable,
  fileId: string,
  destinationId: string,
  reason: string,
): Promise<void> {
  await db.query(
    `UPDATE file_destination SET status = 'failed', attempts = attempts + 1, last_error = $3, last_attempt_at = now()
     WHERE file_id = $1 AND destination_id = $2 AND status <> 'delivered'`,
    [fileId, destinationId, reason.slice(0, 4000)],
  );
}

/** Per further destination of an integration: files delivered, owed, and the last failure. */
export interface DestinationOverview {
  destinationId: string;
  delivered: number;
  failed: number;
  pending: number;
  lastDeliveredAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

export async function destinationOverview(
  db: Queryable,
  integrationId: string,
): Promise<DestinationOverview[]> {
  const { rows } = await db.query<DestinationOverview>(
    `SELECT d.destination_id AS "destinationId",
       count(*) FILTER (WHERE d.status = 'delivered')::int AS delivered,
       count(*) FILTER (WHERE d.status = 'failed')::int AS failed,
       count(*) FILTER (WHERE d.status = 'pending')::int AS pending,
       ${at('max(d.delivered_at)')} AS "lastDeliveredAt",
       (array_agg(d.last_error ORDER BY d.last_attempt_at DESC NULLS LAST)
          FILTER (WHERE d.status = 'failed'))[1] AS "lastError",
       ${at("max(d.last_attempt_at) FILTER (WHERE d.status = 'failed')")} AS "lastErrorAt"
     FROM file_destination d JOIN outbound_file f USING (file_id)
     WHERE f.integration_id = $1
     GROUP BY d.destination_id ORDER BY d.destination_id`,
    [integrationId],
  );
  return rows;
}

/**
 * The primary destination (`sftp`) in the same shape, beside the further ones in `status`: its
 * files are the integration's own, delivered when committed, failed while their run waits.
 */
export async function primaryOverview(db: Queryable, integrationId: string): Promise<DestinationOverview> {
  const undelivered = "f.status <> 'committed' AND r.failed_at IS NOT NULL";
  const { rows } = await db.query<DestinationOverview>(
    `SELECT 'primary' AS "destinationId",
       count(*) FILTER (WHERE f.status = 'committed')::int AS delivered,
       count(*) FILTER (WHERE ${undelivered})::int AS failed,
       count(*) FILTER (WHERE f.status <> 'committed' AND r.failed_at IS NULL)::int AS pending,
       ${at('max(f.committed_at)')} AS "lastDeliveredAt",
       (array_agg(r.last_error ORDER BY r.failed_at DESC) FILTER (WHERE ${undelivered}))[1] AS "lastError",
       ${at(`max(r.failed_at) FILTER (WHERE ${undelivered})`)} AS "lastErrorAt"
     FROM outbound_file f JOIN sync_run r USING (run_key)
     WHERE f.integration_id = $1`,
    [integrationId],
  );
  return rows[0]!;
}

/** The further destinations of each of these files, by file ID (the audit's file listing). */
export async function destinationsOfFiles(
  db: Queryable,
  fileIds: readonly string[],
): Promise<Map<string, FileDestinationRow[]>> {
  const byFile = new Map<string, FileDestinationRow[]>();
  if (fileIds.length === 0) return byFile;
  const { rows } = await db.query<FileDestinationRow>(
    `SELECT ${destinationColumns} FROM file_destination d JOIN outbound_file f USING (file_id)
     WHERE d.file_id = ANY($1::bigint[]) ORDER BY d.file_id, d.destination_id`,
    [fileIds],
  );
  for (const row of rows) byFile.set(row.fileId, [...(byFile.get(row.fileId) ?? []), row]);
  return byFile;
}

export interface DestinationLedgerFile {
  fileName: string;
  remotePath: string;
  bytes: number;
  sha256: string;
  /** `committed` once delivered there (as the primary's committed files), else pending or failed. */
  status: 'committed' | 'pending' | 'failed';
  committedAt: string | null;
}

/**
 * A further destination's files in the shape reconcile compares with a listing of its folder:
 * delivered there counts as committed; any other is expected only once it is delivered.
 */
export async function destinationLedgerFiles(
  db: Queryable,
  integrationId: string,
  destinationId: string,
): Promise<DestinationLedgerFile[]> {
  const { rows } = await db.query<DestinationLedgerFile>(
    `SELECT d.file_name AS "fileName", d.remote_path AS "remotePath", d.byte_count::float8 AS bytes, d.sha256,
       CASE d.status WHEN 'delivered' THEN 'committed' ELSE d.status END AS status,
       ${at('d.delivered_at')} AS "committedAt"
     FROM file_destination d JOIN outbound_file f USING (file_id)
     WHERE f.integration_id = $1 AND d.destination_id = $2 ORDER BY d.file_id`,
    [integrationId, destinationId],
  );
  return rows;
}
