import { ACK_STATE_SQL } from './acknowledgements';
import type { RunStatus } from './runStates';
import type { RunKind } from './runs';
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
  /**
   * X12 files: `awaiting`, `late`, `accepted`, `accepted-with-errors` or `rejected` (from the
   * partner's 997/999, see acknowledgements.ts); null for other formats.
   */
  ackState: string | null;
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
            ${rfc3339('committed_at')} AS "committedAt", run_key AS "runKey", ${ACK_STATE_SQL} AS "ackState"
     FROM outbound_file f
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

// ---------------------------------------------------------------------------------------------
// The audit page (src/ui): bounded pages (limit and offset, newest first) and the search by the
// numbers people know a record by. The caller validates every parameter; values go in as bind
// parameters only.

/**
 * The business numbers kept with each ledger entry (ledger_entry.business_keys), by the field
 * names of the typed records (src/shared/records.ts): PO number, the PO number an invoice
 * references, invoice number, supplier number, journal batch name, journal (header) name.
 */
export const BUSINESS_KEYS = [
  'orderNumber',
  'purchaseOrderNumber',
  'invoiceNumber',
  'supplierNumber',
  'batchName',
  'journalName',
] as const;

export type BusinessKey = (typeof BUSINESS_KEYS)[number];

/** The same numbers in a quarantined record's payload (Fusion's raw attribute names). */
const RAW_BUSINESS_KEYS: Partial<Record<BusinessKey, string>> = {
  orderNumber: 'OrderNumber',
  purchaseOrderNumber: 'PurchaseOrderNumber',
  invoiceNumber: 'InvoiceNumber',
  supplierNumber: 'SupplierNumber',
};

/**
 * SQL over a staged_record row's `payload`: the business numbers it carries, as the jsonb
 * writeFileEntries stores in file_entry.business_keys (read through ledger_entry) (keys a record does not have are left out).
 * `payload` is json (text): `->>` would parse it once per key, so BUSINESS_KEYS_FROM_PAYLOAD (a
 * FROM item) reads all the keys in one parse and this builds the object from its columns.
 */
export const BUSINESS_KEYS_OF_PAYLOAD = `jsonb_strip_nulls(jsonb_build_object(${BUSINESS_KEYS.map(
  (k) => `'${k}', bk."${k}"`,
).join(', ')}))`;

/**
 * The same object, built by the worker from the record it stages (staged_record.business_keys):
 * a string as it is, any other value as its JSON text (what json_to_record gives a text column),
 * null and missing keys left out. The commit takes it as is, and BUSINESS_KEYS_OF_PAYLOAD only for
 * rows staged without it.
 */
export function businessKeysOf(payload: Record<string, unknown>): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const k of BUSINESS_KEYS) {
    const v = payload[k];
    if (v === null || v === undefined) continue;
    keys[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return keys;
}

/** The FROM item BUSINESS_KEYS_OF_PAYLOAD reads: `, ${BUSINESS_KEYS_FROM_PAYLOAD}` after staged_record. */
export const BUSINESS_KEYS_FROM_PAYLOAD = `LATERAL json_to_record(payload) AS bk(${BUSINESS_KEYS.map(
  (k) => `"${k}" text`,
).join(', ')})`;

/** A page: at most `limit` rows after skipping `offset`. */
export interface PageQuery {
  limit: number;
  offset: number;
}

/** A search by number: `value` exactly, in any of `keys`, and (with `recordId`) as the record ID. */
export interface BusinessNumberQuery {
  value: string;
  keys: readonly BusinessKey[];
  recordId: boolean;
}

export interface IntegrationOverview {
  integrationId: string;
  watermark: string | null;
  lastRunKey: string | null;
  lastRunKind: RunKind | null;
  lastRunStatus: RunStatus | null;
  lastRunStartedAt: string | null;
  lastFileAt: string | null;
  openFailures: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastErrorRunKey: string | null;
}

/** For each integration ID given: watermark, latest run, latest committed file, latest failure. */
export async function integrationOverview(db: Queryable, ids: string[]): Promise<IntegrationOverview[]> {
  const { rows } = await db.query<IntegrationOverview>(
    `SELECT i.id AS "integrationId", ${rfc3339('w.last_update_date')} AS watermark,
            r.run_key AS "lastRunKey", r.kind AS "lastRunKind", r.status AS "lastRunStatus",
            ${rfc3339('r.started_at')} AS "lastRunStartedAt",
            (SELECT ${rfc3339('max(f.committed_at)')} FROM outbound_file f
              WHERE f.integration_id = i.id AND f.status = 'committed') AS "lastFileAt",
            (SELECT count(*)::int FROM sync_run x
              WHERE x.integration_id = i.id AND x.failed_at IS NOT NULL AND x.status <> 'committed') AS "openFailures",
            e.last_error AS "lastError", ${rfc3339('e.failed_at')} AS "lastErrorAt", e.run_key AS "lastErrorRunKey"
     FROM unnest($1::text[]) WITH ORDINALITY AS i(id, n)
     LEFT JOIN watermark w ON w.integration_id = i.id
     LEFT JOIN LATERAL (SELECT run_key, kind, status, started_at FROM sync_run
                        WHERE integration_id = i.id ORDER BY started_at DESC LIMIT 1) r ON true
     LEFT JOIN LATERAL (SELECT run_key, last_error, failed_at FROM sync_run
                        WHERE integration_id = i.id AND failed_at IS NOT NULL ORDER BY failed_at DESC LIMIT 1) e ON true
     ORDER BY i.n`,
    [ids],
  );
  return rows;
}

export interface FileListing extends FileAudit {
  /** Times the bytes were put on (or found on) a server: the first upload and each replay. */
  deliveries: number;
  replays: number;
  lastDeliveredAt: string | null;
}

const fileListingColumns = `f.file_id::text AS "fileId", f.file_name AS "fileName", f.remote_path AS "remotePath",
  f.integration_id AS "integrationId", f.record_count AS records, f.byte_count::float8 AS bytes, f.sha256,
  f.format, f.status, ${rfc3339('f.rendered_at')} AS "renderedAt", ${rfc3339('f.uploaded_at')} AS "uploadedAt",
  ${rfc3339('f.committed_at')} AS "committedAt", f.run_key AS "runKey", ${ACK_STATE_SQL} AS "ackState",
  (SELECT count(*)::int FROM file_delivery d WHERE d.file_id = f.file_id) AS deliveries,
  (SELECT count(*)::int FROM file_delivery d WHERE d.file_id = f.file_id AND d.kind = 'replay') AS replays,
  (SELECT ${rfc3339('max(d.delivered_at)')} FROM file_delivery d WHERE d.file_id = f.file_id) AS "lastDeliveredAt"`;

/** Files, newest first (by commit time, or render time for a file not committed yet). */
export async function filesPage(
  db: Queryable,
  query: PageQuery & { integrationId: string | null; from: string | null; to: string | null },
): Promise<FileListing[]> {
  const fileTime = 'COALESCE(f.committed_at, f.rendered_at)';
  const where = new Conditions()
    .add(query.integrationId, (p) => `f.integration_id = ${p}`)
    .add(query.from, (p) => `${fileTime} >= ${p}::timestamptz`)
    .add(query.to, (p) => `${fileTime} < ${p}::timestamptz`);
  where.params.push(query.limit, query.offset);
  const n = where.params.length;
  const { rows } = await db.query<FileListing>(
    `SELECT ${fileListingColumns} FROM outbound_file f ${where.where}
     ORDER BY ${fileTime} DESC, f.file_id DESC LIMIT $${n - 1} OFFSET $${n}`,
    where.params,
  );
  return rows;
}

/** One file by its archive ID, or null. */
export async function fileListing(db: Queryable, fileId: string): Promise<FileListing | null> {
  const { rows } = await db.query<FileListing>(
    `SELECT ${fileListingColumns} FROM outbound_file f WHERE f.file_id = $1`,
    [fileId],
  );
  return rows[0] ?? null;
}

export interface FileDelivery {
  kind: 'upload' | 'replay';
  /** False when the file was found already in place (same size and sha256) and not sent again. */
  uploadedNow: boolean;
  reason: string | null;
  at: string;
  /** A replay to a further destination: its ID; null for the primary. */
  destination: string | null;
}

/** Each time the file was put on a server, oldest first (bounded by `limit`). */
export async function fileDeliveries(db: Queryable, fileId: string, limit: number): Promise<FileDelivery[]> {
  const { rows } = await db.query<FileDelivery>(
    `SELECT kind, uploaded_now AS "uploadedNow", reason, ${rfc3339('delivered_at')} AS at,
            destination_id AS destination
     FROM file_delivery WHERE file_id = $1 ORDER BY delivered_at, delivery_id LIMIT $2`,
    [fileId, limit],
  );
  return rows;
}

export interface CarriedRecord {
  entity: string;
  recordId: string;
  recordVersion: string;
  rowInFile: number;
  sentAt: string;
  isResend: boolean;
  businessKeys: Partial<Record<BusinessKey, string>>;
}

/** The records a file carried, in row order. */
export async function recordsOfFile(
  db: Queryable,
  fileId: string,
  page: PageQuery,
): Promise<CarriedRecord[]> {
  const { rows } = await db.query<CarriedRecord>(
    `SELECT entity, record_id AS "recordId", ${rfc3339('record_version')} AS "recordVersion",
            row_in_file AS "rowInFile", ${rfc3339('sent_at')} AS "sentAt", is_resend AS "isResend",
            business_keys AS "businessKeys"
     FROM ledger_entry WHERE file_id = $1 ORDER BY row_in_file, entry_id LIMIT $2 OFFSET $3`,
    [fileId, page.limit, page.offset],
  );
  return rows;
}

export interface SearchHit extends CarriedRecord {
  integrationId: string;
  fileId: string;
  fileName: string;
  remotePath: string;
  fileStatus: 'rendered' | 'uploaded' | 'committed';
  fileSha256: string;
  runKey: string;
}

/**
 * Ledger entries whose business numbers (any of `keys`) or, with `recordId`, whose Fusion record
 * ID equal `value` exactly; newest first.
 */
export async function searchDelivered(
  db: Queryable,
  query: PageQuery & BusinessNumberQuery,
): Promise<SearchHit[]> {
  const params: unknown[] = [];
  const matches = query.keys.map((k) => {
    params.push(JSON.stringify({ [k]: query.value }));
    return `l.business_keys @> $${params.length}::jsonb`;
  });
  if (query.recordId) {
    params.push(query.value);
    matches.push(`l.record_id = $${params.length}`);
  }
  if (matches.length === 0) return [];
  params.push(query.limit, query.offset);
  const { rows } = await db.query<SearchHit>(
    `SELECT l.integration_id AS "integrationId", l.entity, l.record_id AS "recordId",
            ${rfc3339('l.record_version')} AS "recordVersion", l.row_in_file AS "rowInFile",
            ${rfc3339('l.sent_at')} AS "sentAt", l.is_resend AS "isResend", l.business_keys AS "businessKeys",
            f.file_id::text AS "fileId", f.file_name AS "fileName", f.remote_path AS "remotePath",
            f.status AS "fileStatus", f.sha256 AS "fileSha256", l.run_key AS "runKey"
     FROM ledger_entry l JOIN outbound_file f ON f.file_id = l.file_id
     WHERE ${matches.join(' OR ')}
     ORDER BY l.sent_at DESC, l.entry_id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return rows;
}

export interface QuarantineListing extends QuarantineNote {
  /** When a later version of the record was delivered, if one was. */
  deliveredSince: string | null;
}

const quarantineColumns = `q.integration_id AS "integrationId", q.record_id AS "recordId",
  q.record_version AS "recordVersion", q.field, q.reason, ${rfc3339('q.quarantined_at')} AS at, q.run_key AS "runKey",
  (SELECT ${rfc3339('min(l.sent_at)')} FROM ledger_entry l
    WHERE l.integration_id = q.integration_id AND l.record_id = q.record_id AND l.sent_at > q.quarantined_at)
    AS "deliveredSince"`;

/** Quarantined records, newest first. */
export async function quarantinePage(
  db: Queryable,
  query: PageQuery & { integrationId: string | null },
): Promise<QuarantineListing[]> {
  const where = new Conditions().add(query.integrationId, (p) => `q.integration_id = ${p}`);
  where.params.push(query.limit, query.offset);
  const n = where.params.length;
  const { rows } = await db.query<QuarantineListing>(
    `SELECT ${quarantineColumns} FROM quarantined_record q ${where.where}
     ORDER BY q.quarantined_at DESC, q.quarantine_id DESC LIMIT $${n - 1} OFFSET $${n}`,
    where.params,
  );
  return rows;
}

/**
 * Quarantined records held back under `value`: their record ID, or one of `keys` in the payload
 * Fusion sent (as far as the stored, bounded payload has it); newest first.
 */
export async function searchQuarantined(
  db: Queryable,
  query: PageQuery & BusinessNumberQuery,
): Promise<QuarantineListing[]> {
  const params: unknown[] = [query.value];
  const matches = query.keys.flatMap((k) => {
    const raw = RAW_BUSINESS_KEYS[k];
    return raw ? [`q.payload->>'${raw}' = $1`] : [];
  });
  if (query.recordId) matches.push('q.record_id = $1');
  if (matches.length === 0) return [];
  params.push(query.limit, query.offset);
  const { rows } = await db.query<QuarantineListing>(
    `SELECT ${quarantineColumns} FROM quarantined_record q WHERE ${matches.join(' OR ')}
     ORDER BY q.quarantined_at DESC, q.quarantine_id DESC LIMIT $2 OFFSET $3`,
    params,
  );
  return rows;
}

export interface RunListing {
  runKey: string;
  integrationId: string;
  kind: RunKind;
  status: RunStatus;
  windowFrom: string;
  windowTo: string;
  extracted: number;
  staged: number;
  alreadySent: number;
  quarantined: number;
  startedAt: string;
  committedAt: string | null;
  failedAt: string | null;
  failedStage: string | null;
  lastError: string | null;
  fileId: string | null;
  fileName: string | null;
}

const runListingColumns = `r.run_key AS "runKey", r.integration_id AS "integrationId", r.kind, r.status,
  ${rfc3339('r.window_from')} AS "windowFrom", ${rfc3339('r.window_to')} AS "windowTo", r.extracted, r.staged,
  r.already_sent AS "alreadySent", r.quarantined, ${rfc3339('r.started_at')} AS "startedAt",
  ${rfc3339('r.committed_at')} AS "committedAt", ${rfc3339('r.failed_at')} AS "failedAt",
  r.failed_stage AS "failedStage", r.last_error AS "lastError", f.file_id::text AS "fileId", f.file_name AS "fileName"`;

/** Runs, newest first; with `openFailures`, only those that failed and were not committed since. */
export async function runsPage(
  db: Queryable,
  query: PageQuery & { integrationId: string | null; openFailures: boolean },
): Promise<RunListing[]> {
  const failed = query.openFailures ? "r.failed_at IS NOT NULL AND r.status <> 'committed'" : 'true';
  const order = query.openFailures ? 'r.failed_at DESC' : 'r.started_at DESC';
  const { rows } = await db.query<RunListing>(
    `SELECT ${runListingColumns} FROM sync_run r LEFT JOIN outbound_file f USING (run_key)
     WHERE ($1::text IS NULL OR r.integration_id = $1) AND ${failed}
     ORDER BY ${order}, r.run_key LIMIT $2 OFFSET $3`,
    [query.integrationId, query.limit, query.offset],
  );
  return rows;
}
