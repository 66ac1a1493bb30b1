import type { RunStatus } from './runStates';
import { Conditions, type Queryable, rfc3339 } from './sql';

// Read-only queries for the audit (src/audit), the admin commands and the ledger report
// (src/client). They return rows as the callers print them; the callers validate filters and
// shape output, this module only reads.

/** An already validated time range [from, to) (timestamptz text, null: open) and a row limit (null: all). */
export interface ReportRange {
  from: string | null;
  to: string | null;
  limit: number | null;
}

/** Which records: one integration, one record ID, or any of several record IDs (all optional). */
export interface RecordFilter {
  integrationId?: string | undefined;
  recordId?: string | undefined;
  recordIds?: string[] | undefined;
}

export interface FileAudit {
  /** The archive's ID: what fileBytes() takes. */
  fileId: string;
  fileName: string;
  remotePath: string;
  integrationId: string;
  records: number;
  bytes: number;
  sha256: string;
  format: string;
  /** `rendered` (not delivered yet), `uploaded` (on the server, not committed yet) or `committed`. */
  status: 'rendered' | 'uploaded' | 'committed';
  renderedAt: string;
  uploadedAt: string | null;
  committedAt: string | null;
  runKey: string;
}

export interface DeliveredRecord {
  integrationId: string;
  entity: string;
  recordId: string;
  /** The record's LastUpdateDate in Fusion: which version went out. */
  recordVersion: string;
  fileName: string;
  remotePath: string;
  /** 1-based data row in the file (a header row not counted). */
  rowInFile: number;
  sentAt: string;
  fileSha256: string;
  fileBytes: number;
  runKey: string;
  /** Sent again on an admin's request, not as a new version. */
  isResend: boolean;
}

export interface QuarantineNote {
  integrationId: string;
  recordId: string;
  /** The version as Fusion gave it (kept as text: a quarantined stamp may be what was wrong). */
  recordVersion: string;
  field: string;
  reason: string;
  at: string;
  runKey: string;
}

/** One file the ledger knows for the integration. */
export interface LedgerFile {
  fileName: string;
  remotePath: string;
  bytes: number;
  sha256: string;
  status: 'rendered' | 'uploaded' | 'committed';
  committedAt: string | null;
}

export interface FailedRun {
  runKey: string;
  integrationId: string;
  status: RunStatus;
  failedStage: string;
  lastError: string;
  failedAt: string;
  fileName: string | null;
  /** Set once an operator acknowledged the failure (`failures ack`); listed only with `all`. */
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  ackNote: string | null;
}

export interface RegisteredIntegration {
  id: string;
  entity: string;
  format: string;
  destination: string;
  registeredAt: string;
  watermark: string | null;
}

export interface CommittedFile {
  fileName: string;
  remotePath: string;
  records: number;
  bytes: number;
  sha256: string;
  committedAt: string;
}

/**
 * Files whose time falls in the range, oldest first. A file's time is when it was committed
 * (the same instant as its records' sentAt, so files and records of a period agree), or when it
 * was rendered if it has not been committed yet.
 */
export async function filesInRange(
  db: Queryable,
  query: ReportRange & { integrationId?: string | undefined },
): Promise<FileAudit[]> {
  const fileTime = 'COALESCE(committed_at, rendered_at)';
  const where = new Conditions()
    .add(query.integrationId, (p) => `integration_id = ${p}`)
    .add(query.from, (p) => `${fileTime} >= ${p}::timestamptz`)
    .add(query.to, (p) => `${fileTime} < ${p}::timestamptz`);
  const { rows } = await db.query<FileAudit>(
    `SELECT file_id::text AS "fileId", file_name AS "fileName", remote_path AS "remotePath",
            integration_id AS "integrationId", record_count AS records, byte_count::float8 AS bytes, sha256,
            format, status, ${rfc3339('rendered_at')} AS "renderedAt", ${rfc3339('uploaded_at')} AS "uploadedAt",
            ${rfc3339('committed_at')} AS "committedAt", run_key AS "runKey"
     FROM outbound_file
     ${where.where}
     ORDER BY ${fileTime}, file_id
     ${where.limit(query.limit)}`,
    where.params,
  );
  return rows;
}

/** Delivered record versions sent in the range, oldest first, with the file and row they went out in. */
export async function deliveredRecords(
  db: Queryable,
  query: ReportRange & RecordFilter,
): Promise<DeliveredRecord[]> {
  const where = new Conditions()
    .add(query.integrationId, (p) => `l.integration_id = ${p}`)
    .add(query.recordId, (p) => `l.record_id = ${p}`)
    .add(query.recordIds, (p) => `l.record_id = ANY(${p}::text[])`)
    .add(query.from, (p) => `l.sent_at >= ${p}::timestamptz`)
    .add(query.to, (p) => `l.sent_at < ${p}::timestamptz`);
  const { rows } = await db.query<DeliveredRecord>(
    `SELECT l.integration_id AS "integrationId", l.entity, l.record_id AS "recordId",
            ${rfc3339('l.record_version')} AS "recordVersion",
            f.file_name AS "fileName", f.remote_path AS "remotePath", l.row_in_file AS "rowInFile",
            ${rfc3339('l.sent_at')} AS "sentAt", f.sha256 AS "fileSha256", f.byte_count::float8 AS "fileBytes",
            l.run_key AS "runKey", l.is_resend AS "isResend"
     FROM ledger_entry l JOIN outbound_file f ON f.file_id = l.file_id
     ${where.where}
     ORDER BY l.sent_at, l.file_id, l.row_in_file, l.entry_id
     ${where.limit(query.limit)}`,
    where.params,
  );
  return rows;
}

/** The times records were held back in the range, oldest first. */
export async function quarantineNotes(
  db: Queryable,
  query: ReportRange & RecordFilter,
): Promise<QuarantineNote[]> {
  const where = new Conditions()
    .add(query.integrationId, (p) => `integration_id = ${p}`)
    .add(query.recordId, (p) => `record_id = ${p}`)
    .add(query.recordIds, (p) => `record_id = ANY(${p}::text[])`)
    .add(query.from, (p) => `quarantined_at >= ${p}::timestamptz`)
    .add(query.to, (p) => `quarantined_at < ${p}::timestamptz`);
  const { rows } = await db.query<QuarantineNote>(
    `SELECT integration_id AS "integrationId", record_id AS "recordId", record_version AS "recordVersion",
            field, reason, ${rfc3339('quarantined_at')} AS at, run_key AS "runKey"
     FROM quarantined_record
     ${where.where}
     ORDER BY quarantined_at, quarantine_id
     ${where.limit(query.limit)}`,
    where.params,
  );
  return rows;
}

/**
 * The ledger's files of an integration (every status), in file order. With `folder`, only the
 * files delivered to that folder.
 */
export async function filesOfIntegration(
  db: Queryable,
  integrationId: string,
  folder: string | null,
): Promise<LedgerFile[]> {
  const { rows } = await db.query<LedgerFile>(
    `SELECT file_name AS "fileName", remote_path AS "remotePath", byte_count::float8 AS bytes, sha256, status,
            ${rfc3339('committed_at')} AS "committedAt"
     FROM outbound_file
     WHERE integration_id = $1
       AND ($2::text IS NULL OR remote_path = rtrim($2::text, '/') || '/' || file_name)
     ORDER BY file_id`,
    [integrationId, folder],
  );
  return rows;
}

/**
 * Runs that failed and were not delivered since: what an admin looks at first. Acknowledged
 * failures (`failures ack`) only with `all`.
 */
export async function failedRuns(
  db: Queryable,
  integrationId?: string,
  options: { all?: boolean } = {},
): Promise<FailedRun[]> {
  const { rows } = await db.query<FailedRun>(
    `SELECT r.run_key AS "runKey", r.integration_id AS "integrationId", r.status,
            r.failed_stage AS "failedStage", r.last_error AS "lastError",
            to_char(r.failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "failedAt",
            f.file_name AS "fileName",
            to_char(r.failure_acked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "acknowledgedAt",
            r.failure_acked_by AS "acknowledgedBy", r.failure_ack_note AS "ackNote"
     FROM sync_run r LEFT JOIN outbound_file f USING (run_key)
     WHERE r.failed_at IS NOT NULL AND r.status <> 'committed' AND ($1::text IS NULL OR r.integration_id = $1)
       AND ($2 OR r.failure_acked_at IS NULL)
     ORDER BY r.failed_at DESC`,
    [integrationId ?? null, options.all ?? false],
  );
  return rows;
}

/** Every registered integration with its watermark, by ID. */
export async function registeredIntegrations(db: Queryable): Promise<RegisteredIntegration[]> {
  const { rows } = await db.query<RegisteredIntegration>(
    `SELECT i.integration_id AS id, i.entity, i.format, i.destination,
            to_char(i.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "registeredAt",
            to_char(w.last_update_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS watermark
     FROM integration i LEFT JOIN watermark w USING (integration_id) ORDER BY 1`,
  );
  return rows;
}

/** How many record versions the ledger holds for an integration. */
export async function deliveredCount(db: Queryable, integrationId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM ledger_entry WHERE integration_id = $1',
    [integrationId],
  );
  return rows[0]!.n;
}

/** The integration's latest committed files, newest first. */
export async function latestCommittedFiles(
  db: Queryable,
  integrationId: string,
  limit: number,
): Promise<CommittedFile[]> {
  const { rows } = await db.query<CommittedFile>(
    `SELECT file_name AS "fileName", remote_path AS "remotePath", record_count AS records,
            byte_count::float8 AS bytes, sha256,
            to_char(committed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "committedAt"
     FROM outbound_file WHERE integration_id = $1 AND status = 'committed'
     ORDER BY file_id DESC LIMIT $2`,
    [integrationId, limit],
  );
  return rows;
}
