import type { DeliveredRecord, Ledger, QuarantineNote } from '../ledger';
import { parseLimit, parseRange, type TimeRange } from './filter';

// "Did invoice 4711 reach the legacy system, in which file, on which row, when?" — answered from
// the ledger (one row per record version delivered) joined to the file it went out in.

export interface RecordAuditFilter extends TimeRange {
  integrationId?: string;
  /** The ledger's record ID (for invoices the Fusion InvoiceId, for journal lines `<headerId>:<line>`). */
  recordId?: string;
  /** Any of these record IDs (a business number resolved to its records: `audit records --record`). */
  recordIds?: string[];
  /** At most this many delivered rows (and quarantine entries); none means all. */
  limit?: number;
}

export type { DeliveredRecord, QuarantineNote };

export interface RecordAudit {
  /** Delivered versions, oldest first. */
  records: DeliveredRecord[];
  /**
   * Only when filtering by recordId (or recordIds): the times that record was held back, oldest first (same
   * integration and time range). A record that never went out has rows here and none above.
   */
  quarantined?: QuarantineNote[];
}

export async function auditRecords(ledger: Ledger, filter: RecordAuditFilter = {}): Promise<RecordAudit> {
  const query = {
    ...parseRange(filter),
    limit: parseLimit(filter.limit),
    integrationId: filter.integrationId,
    recordId: filter.recordId,
    recordIds: filter.recordIds,
  };
  const records = await ledger.deliveredRecords(query);
  if (filter.recordId === undefined && filter.recordIds === undefined) return { records };
  return { records, quarantined: await ledger.quarantineNotes(query) };
}
