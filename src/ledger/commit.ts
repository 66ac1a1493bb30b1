import type { Pool } from 'pg';
import { type FileRow, fileColumns } from './archive';
import { writeFileEntries } from './entries';
import { closeQuarantined } from './quarantine';
import { moveRun, type RunRow, runColumns } from './runs';
import type { Queryable } from './sql';
import { inTransaction } from './transaction';

// The commit (tables ledger_entry, watermark): the one transaction in which delivery becomes
// fact, and the watermark it moves.

/**
 * The one place delivery becomes fact: the file marked committed (the rows it carries, written
 * with it at render, are the ledger from then on: the view ledger_entry) and the watermark moved
 * to the window's end, in one transaction, whatever the number of records. Idempotent.
 * `beforeCommit` runs with every write done and the transaction still open (fault tests).
 */
export function commitRun(
  pool: Pool,
  runKey: string,
  options: { beforeCommit?: () => void | Promise<void> },
): Promise<{ sent: number; watermark: string }> {
  return inTransaction(pool, async (c) => {
    const run = (
      await c.query<RunRow>(`SELECT ${runColumns} FROM sync_run WHERE run_key = $1 FOR UPDATE`, [runKey])
    ).rows[0];
    if (!run) throw new Error(`No run ${runKey}`);
    if (run.status !== 'committed') {
      const file = (
        await c.query<FileRow & { entriesWritten: boolean }>(
          `SELECT ${fileColumns}, entries_written AS "entriesWritten" FROM outbound_file WHERE run_key = $1`,
          [runKey],
        )
      ).rows[0];
      if (file && file.status !== 'uploaded') {
        throw new Error(
          `Run ${runKey}: file ${file.fileName} is ${file.status}, not uploaded; cannot commit`,
        );
      }
      if (!file && run.status !== 'staged') throw new Error(`Run ${runKey} is ${run.status}; cannot commit`);
      if (file) {
        // A file rendered before its rows were written with it (migration 14) gets them here.
        if (!file.entriesWritten) {
          await writeFileEntries(c, {
            runKey,
            integrationId: run.integrationId,
            entity: run.entity,
            fileId: file.fileId,
            isResend: run.kind === 'resend',
          });
        }
        // Records held back before and delivered now (released after a fix, or fixed in Fusion).
        await closeQuarantined(c, runKey, run.integrationId, { stagedOf: runKey }, 'delivered');
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
      await moveRun(c, runKey, 'committed', { set: 'committed_at = now()' });
      await c.query('DELETE FROM staged_record WHERE run_key = $1', [runKey]);
    }
    // The committed file's records: its rows were checked 1..n against them when it was stored
    // (or written from the same staged records here), so no count over the rows is needed.
    const sent = await c.query<{ n: number }>(
      `SELECT record_count AS n FROM outbound_file WHERE run_key = $1 AND status = 'committed'`,
      [runKey],
    );
    const wm = await watermark(c, run.integrationId);
    await options.beforeCommit?.();
    return { sent: sent.rows[0]?.n ?? 0, watermark: wm ?? run.windowTo };
  });
}

export async function watermark(db: Queryable, integrationId: string): Promise<string | null> {
  const { rows } = await db.query<{ wm: string }>(
    `SELECT to_char(last_update_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS wm
     FROM watermark WHERE integration_id = $1`,
    [integrationId],
  );
  return rows[0]?.wm ?? null;
}
