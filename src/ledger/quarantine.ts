import type { Pool } from 'pg';
import { quarantineBusinessNumberSql } from './businessKeys';
import { Conditions, type Queryable, rfc3339 } from './sql';
import { inTransaction } from './transaction';

// Acting on the quarantine (table quarantined_record): what is held back and why, an operator's
// release after a fix, and how a held record ends: delivered (closed by the run that delivered
// it) or quarantined again (closed by the newer row that holds it now). Rows are inserted by
// staging.ts and archive.ts (quarantine()), which also close the older rows they replace.

/** open: held, nobody released it yet. released: released, not delivered yet. */
export type QuarantineState = 'open' | 'released';

export interface QuarantinedItem {
  quarantineId: string;
  integrationId: string;
  entity: string;
  recordId: string;
  /** PO, invoice or supplier number, journal batch name: what people call the record. */
  businessNumber: string | null;
  recordVersion: string;
  field: string;
  reason: string;
  quarantinedAt: string;
  runKey: string;
  state: QuarantineState;
  releasedAt: string | null;
  releasedBy: string | null;
  releaseReason: string | null;
}

export interface QuarantinedDetail extends QuarantinedItem {
  payload: unknown;
  closedAt: string | null;
  closedByRun: string | null;
  outcome: 'delivered' | 'quarantined-again' | null;
}

const itemColumns = `q.quarantine_id::text AS "quarantineId", q.integration_id AS "integrationId", r.entity,
  q.record_id AS "recordId", ${quarantineBusinessNumberSql('r.entity', 'q.payload')} AS "businessNumber",
  q.record_version AS "recordVersion", q.field, q.reason, ${rfc3339('q.quarantined_at')} AS "quarantinedAt",
  q.run_key AS "runKey", CASE WHEN q.released_at IS NULL THEN 'open' ELSE 'released' END AS state,
  ${rfc3339('q.released_at')} AS "releasedAt", q.released_by AS "releasedBy", q.release_reason AS "releaseReason"`;

/** The records held back now (not delivered or quarantined again since), oldest first. */
export async function listQuarantine(db: Queryable, integrationId?: string): Promise<QuarantinedItem[]> {
  const where = new Conditions().add(integrationId, (p) => `q.integration_id = ${p}`);
  const { rows } = await db.query<QuarantinedItem>(
    `SELECT ${itemColumns} FROM quarantined_record q JOIN sync_run r USING (run_key)
     ${where.where ? `${where.where} AND` : 'WHERE'} q.closed_at IS NULL
     ORDER BY q.quarantined_at, q.quarantine_id`,
    where.params,
  );
  return rows;
}

/** One quarantine row, open or closed, with its stored payload; null when there is none. */
export async function getQuarantined(db: Queryable, quarantineId: string): Promise<QuarantinedDetail | null> {
  if (!/^\d{1,18}$/.test(quarantineId)) return null;
  const { rows } = await db.query<QuarantinedDetail>(
    `SELECT ${itemColumns}, q.payload, ${rfc3339('q.closed_at')} AS "closedAt", q.closed_by_run AS "closedByRun",
            q.outcome
     FROM quarantined_record q JOIN sync_run r USING (run_key) WHERE q.quarantine_id = $1::bigint`,
    [quarantineId],
  );
  return rows[0] ?? null;
}

/** A release that names records the integration does not hold in quarantine. */
export class NotQuarantinedError extends Error {
  constructor(
    readonly integrationId: string,
    readonly recordIds: string[],
  ) {
    super(`Integration "${integrationId}" holds no quarantined record ${recordIds.join(', ')}`);
    this.name = 'NotQuarantinedError';
  }
}

/**
 * Marks the integration's held records (these, or all with `recordIds` null) released by `by`
 * for `reason`, and returns their record IDs. A record released before and not delivered yet may
 * be released again (its first release run failed). Refuses, changing nothing, when a named
 * record is not held; with `recordIds` null and nothing held, releases nothing (an empty list).
 */
export function releaseQuarantine(
  pool: Pool,
  input: { integrationId: string; recordIds: string[] | null; reason: string; by: string },
): Promise<string[]> {
  return inTransaction(pool, async (c) => {
    const { rows } = await c.query<{ record_id: string }>(
      `UPDATE quarantined_record SET released_at = now(), released_by = $3, release_reason = $4
       WHERE integration_id = $1 AND closed_at IS NULL AND ($2::text[] IS NULL OR record_id = ANY($2))
       RETURNING record_id`,
      [input.integrationId, input.recordIds, input.by, input.reason],
    );
    const released = [...new Set(rows.map((r) => r.record_id))].sort();
    const missing = (input.recordIds ?? []).filter((id) => !released.includes(id));
    if (missing.length) throw new NotQuarantinedError(input.integrationId, missing);
    return released;
  });
}

/**
 * Closes the integration's open rows for these records, other than the run's own: the run
 * quarantined them again (`quarantined-again`) or delivered them (`delivered`).
 */
export async function closeQuarantined(
  db: Queryable,
  runKey: string,
  integrationId: string,
  recordIds: string[] | { stagedOf: string },
  outcome: 'delivered' | 'quarantined-again',
): Promise<void> {
  const staged = !Array.isArray(recordIds);
  await db.query(
    `UPDATE quarantined_record SET closed_at = now(), closed_by_run = $1, outcome = $3
     WHERE integration_id = $2 AND closed_at IS NULL AND run_key <> $1
       AND ${staged ? 'record_id IN (SELECT s.record_id FROM staged_record s WHERE s.run_key = $1)' : 'record_id = ANY($4::text[])'}`,
    staged ? [runKey, integrationId, outcome] : [runKey, integrationId, outcome, recordIds],
  );
}
