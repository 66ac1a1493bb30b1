import type { Pool } from 'pg';
import { Conditions, parseLimit, parseRange, rfc3339, type TimeRange } from './filter';

// "Did invoice 4711 reach the legacy system, in which file, on which row, when?" — answered from
// the ledger (one row per record version delivered) joined to the file it went out in.

export interface RecordAuditFilter extends TimeRange {
  integrationId?: string;
  /** The ledger's record ID (for invoices the Fusion InvoiceId, for journal lines `<headerId>:<line>`). */
  recordId?: string;
  /** At most this many delivered rows (and quarantine entries); none means all. */
  limit?: number;
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

export interface RecordAudit {
  /** Delivered versions, oldest first. */
  records: DeliveredRecord[];
  /**
   * Only when filtering by recordId: the times that record was held back, oldest first (same
   * integration and time range). A record that never went out has rows here and none above.
   */
  quarantined?: QuarantineNote[];
}

export async function auditRecords(pool: Pool, filter: RecordAuditFilter = {}): Promise<RecordAudit> {
  const range = parseRange(filter);
  const limit = parseLimit(filter.limit);
  const delivered = new Conditions()
    .add(filter.integrationId, (p) => `l.integration_id = ${p}`)
    .add(filter.recordId, (p) => `l.record_id = ${p}`)
    .add(range.from, (p) => `l.sent_at >= ${p}::timestamptz`)
    .add(range.to, (p) => `l.sent_at < ${p}::timestamptz`);
  const { rows: records } = await pool.query<DeliveredRecord>(
    `SELECT l.integration_id AS "integrationId", l.entity, l.record_id AS "recordId",
            ${rfc3339('l.record_version')} AS "recordVersion",
            f.file_name AS "fileName", f.remote_path AS "remotePath", l.row_in_file AS "rowInFile",
            ${rfc3339('l.sent_at')} AS "sentAt", f.sha256 AS "fileSha256", f.byte_count::float8 AS "fileBytes",
            l.run_key AS "runKey", l.is_resend AS "isResend"
     FROM ledger_entry l JOIN outbound_file f ON f.file_id = l.file_id
     ${delivered.where}
     ORDER BY l.sent_at, l.file_id, l.row_in_file, l.entry_id
     ${delivered.limit(limit)}`,
    delivered.params,
  );
  if (filter.recordId === undefined) return { records };

  const held = new Conditions()
    .add(filter.integrationId, (p) => `integration_id = ${p}`)
    .add(filter.recordId, (p) => `record_id = ${p}`)
    .add(range.from, (p) => `quarantined_at >= ${p}::timestamptz`)
    .add(range.to, (p) => `quarantined_at < ${p}::timestamptz`);
  const { rows: quarantined } = await pool.query<QuarantineNote>(
    `SELECT integration_id AS "integrationId", record_id AS "recordId", record_version AS "recordVersion",
            field, reason, ${rfc3339('quarantined_at')} AS at, run_key AS "runKey"
     FROM quarantined_record
     ${held.where}
     ORDER BY quarantined_at, quarantine_id
     ${held.limit(limit)}`,
    held.params,
  );
  return { records, quarantined };
}
