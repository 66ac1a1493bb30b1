import { BUSINESS_KEYS_FROM_PAYLOAD, BUSINESS_KEYS_OF_PAYLOAD } from './reports';
import type { Queryable } from './sql';

// The rows a file carries (table file_entry): one per record, in the file's order, written from
// the run's staged records with the file. They become the ledger (the view ledger_entry) when
// the file is committed.

export interface FileEntriesInput {
  runKey: string;
  integrationId: string;
  entity: string;
  fileId: string;
  isResend: boolean;
  /** Only the staged records `first`..`last` (a page of the render); all of them without. */
  seqs?: { first: number; last: number };
  /** Rows the file carries before these: they are numbered from rowsBefore + 1. */
  rowsBefore?: number;
}

/** Writes the rows for staged records still in staging (a rejected record is gone from it). */
export async function writeFileEntries(db: Queryable, input: FileEntriesInput): Promise<void> {
  await db.query(
    `INSERT INTO file_entry (integration_id, entity, record_id, record_version, content_sha256, file_id,
       row_in_file, run_key, is_resend, business_keys)
     SELECT $2, $3, record_id, record_version, content_sha256, $4, $8 + row_number() OVER (ORDER BY seq), run_key, $5,
            COALESCE(business_keys, (SELECT ${BUSINESS_KEYS_OF_PAYLOAD} FROM ${BUSINESS_KEYS_FROM_PAYLOAD}))
     FROM staged_record WHERE run_key = $1 AND ($6::int IS NULL OR seq BETWEEN $6 AND $7)`,
    [
      input.runKey,
      input.integrationId,
      input.entity,
      input.fileId,
      input.isResend,
      input.seqs?.first ?? null,
      input.seqs?.last ?? null,
      input.rowsBefore ?? 0,
    ],
  );
}
