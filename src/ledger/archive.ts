import type { Pool } from 'pg';
import { copiedChunks } from './copy';
import {
  addFileDestinations,
  type DestinationTotals,
  finishFileDestinations,
  storeDestinationChunk,
} from './destinations';
import { writeFileEntries } from './entries';
import { moveRun, type RunRow } from './runs';
import type { Queryable } from './sql';
import { type QuarantineEntry, quarantine } from './staging';
import { inTransaction } from './transaction';

// The file archive (tables outbound_file, outbound_file_chunk, file_delivery): every file the
// connector rendered, its exact bytes in chunks, and each time it was put on a server. Further
// destinations' rows and bytes are saved in the same transaction (destinations.ts).

export interface FileRow {
  fileId: string;
  runKey: string;
  integrationId: string;
  fileName: string;
  remotePath: string;
  byteCount: number;
  sha256: string;
  recordCount: number;
  status: 'rendered' | 'uploaded' | 'committed';
  format: string;
  /** Counts, control totals and X12 control numbers of the file. */
  summary: Record<string, unknown>;
}

/**
 * What a renderer writes to while saveRenderedFile's transaction is open: the archive chunks, the
 * records that cannot be written, and the rows the file carries.
 */
export interface RenderSink {
  chunk(data: Buffer): Promise<void>;
  reject(seq: number, entry: QuarantineEntry): Promise<void>;
  /**
   * The rows the file carries for the staged records firstSeq..lastSeq written so far (the
   * rejected ones are gone from staging by then), numbered from rowsBefore + 1.
   */
  entries(firstSeq: number, lastSeq: number, rowsBefore: number): Promise<void>;
  /** The bytes of a further destination that gets bytes of its own (its compression or PGP). */
  destinationChunk(destinationId: string, data: Buffer): Promise<void>;
}

export interface RenderTotals {
  byteCount: number;
  sha256: string;
  recordCount: number;
  summary: Record<string, unknown>;
  /** What each further destination got (meta.destinations), in any order. */
  destinations?: DestinationTotals[];
}

/** The names of a file at its further destinations, saved with it. */
export interface DestinationMeta {
  destinationId: string;
  fileName: string;
  remotePath: string;
}

export const fileColumns = `file_id::text AS "fileId", run_key AS "runKey", integration_id AS "integrationId",
  file_name AS "fileName", remote_path AS "remotePath", byte_count::float8 AS "byteCount", sha256,
  record_count AS "recordCount", status, format, summary`;

export async function getFileByRun(db: Queryable, runKey: string): Promise<FileRow | null> {
  const { rows } = await db.query<FileRow>(`SELECT ${fileColumns} FROM outbound_file WHERE run_key = $1`, [
    runKey,
  ]);
  return rows[0] ?? null;
}

export async function getFile(db: Queryable, fileId: string): Promise<FileRow | null> {
  const { rows } = await db.query<FileRow>(`SELECT ${fileColumns} FROM outbound_file WHERE file_id = $1`, [
    fileId,
  ]);
  return rows[0] ?? null;
}

export async function getFileByName(
  db: Queryable,
  integrationId: string,
  fileName: string,
): Promise<FileRow | null> {
  const { rows } = await db.query<FileRow>(
    `SELECT ${fileColumns} FROM outbound_file WHERE integration_id = $1 AND file_name = $2`,
    [integrationId, fileName],
  );
  return rows[0] ?? null;
}

/** Statements of the render's transaction that may be out at once, unanswered. */
const PIPELINED_WRITES = 4;

/**
 * Writes sent without waiting for each: `add` waits only when more than `depth` are out. The
 * first failure is kept and thrown by the next add or by drain (the transaction is aborted by
 * then anyway); settle waits for all of them, failed or not, so none is left running.
 */
function pipelined(depth: number) {
  const out: Promise<unknown>[] = [];
  let failure: unknown = null;
  return {
    async add(write: Promise<unknown>): Promise<void> {
      write.catch((err) => {
        failure ??= err;
      });
      out.push(write);
      if (failure) throw failure;
      if (out.length > depth) await out.shift();
    },
    async drain(): Promise<void> {
      await Promise.all(out.splice(0));
      if (failure) throw failure;
    },
    async settle(): Promise<void> {
      await Promise.allSettled(out);
    },
  };
}

/**
 * Stores a rendered file in one transaction: its bytes in chunks, its metadata, the rows it
 * carries (file_entry, the ledger once the file is committed) and the records the renderer
 * rejected (moved from staging to quarantine). All or nothing. The run
 * moves staged → rendered; with every record rejected there is no file and the run stays staged.
 */
export function saveRenderedFile(
  pool: Pool,
  run: RunRow,
  meta: { fileName: string; remotePath: string; format: string; destinations?: DestinationMeta[] },
  render: (sink: RenderSink) => Promise<RenderTotals>,
): Promise<FileRow | null> {
  return inTransaction(pool, async (c) => {
    let seq = 0;
    const destinationSeq = new Map<string, number>();
    const { rows } = await c.query<{ file_id: string }>(
      `INSERT INTO outbound_file (run_key, integration_id, file_name, remote_path, byte_count, sha256, record_count,
         status, format)
       VALUES ($1, $2, $3, $4, 0, '', 0, 'rendered', $5) RETURNING file_id::text`,
      [run.runKey, run.integrationId, meta.fileName, meta.remotePath, meta.format],
    );
    const fileId = rows[0]!.file_id;
    if (meta.destinations?.length) await addFileDestinations(c, fileId, meta.destinations);
    // The archive chunks and the file's rows go to Postgres while the renderer goes on: sent on
    // this transaction's connection in order, a few at a time (Postgres stores while the worker
    // renders), every one settled before the file is finished or the transaction rolls back.
    const writes = pipelined(PIPELINED_WRITES);
    const totals = await render({
      destinationChunk: async (destinationId, data) => {
        const next = destinationSeq.get(destinationId) ?? 0;
        destinationSeq.set(destinationId, next + 1);
        await storeDestinationChunk(c, fileId, destinationId, next, data);
      },
      chunk: (data) =>
        writes.add(
          c.query('INSERT INTO outbound_file_chunk (file_id, seq, data) VALUES ($1, $2, $3)', [
            fileId,
            seq++,
            data,
          ]),
        ),
      reject: async (stagedSeq, entry) => {
        await c.query('DELETE FROM staged_record WHERE run_key = $1 AND seq = $2', [run.runKey, stagedSeq]);
        await quarantine(c, run.runKey, run.integrationId, [entry]);
      },
      entries: (firstSeq, lastSeq, rowsBefore) =>
        writes.add(
          writeFileEntries(c, {
            runKey: run.runKey,
            integrationId: run.integrationId,
            entity: run.entity,
            fileId,
            isResend: run.kind === 'resend',
            seqs: { first: firstSeq, last: lastSeq },
            rowsBefore,
          }),
        ),
    }).finally(() => writes.settle());
    await writes.drain();
    if (totals.recordCount > 0) {
      // Every record written has its row, numbered 1..n, and nothing else does.
      const { rows: carried } = await c.query<{ n: number; top: number | null }>(
        'SELECT count(*)::int AS n, max(row_in_file) AS top FROM file_entry WHERE file_id = $1',
        [fileId],
      );
      if (carried[0]!.n !== totals.recordCount || carried[0]!.top !== totals.recordCount) {
        throw new Error(
          `Run ${run.runKey}: the file's rows (${carried[0]!.n}, numbered to ${carried[0]!.top}) do not match its ${totals.recordCount} records`,
        );
      }
    }
    if (totals.recordCount === 0) {
      // Every record was rejected: no file. The run commits without one (the watermark moves,
      // the rejected records are in quarantine).
      await c.query('DELETE FROM outbound_file WHERE file_id = $1', [fileId]);
      await c.query(
        `UPDATE sync_run SET staged = 0,
           quarantined = (SELECT count(*) FROM quarantined_record q WHERE q.run_key = $1)
         WHERE run_key = $1`,
        [run.runKey],
      );
      return null;
    }
    const updated = await c.query<FileRow>(
      `UPDATE outbound_file SET byte_count = $2, sha256 = $3, record_count = $4, summary = $5, entries_written = true
       WHERE file_id = $1 RETURNING ${fileColumns}`,
      [fileId, totals.byteCount, totals.sha256, totals.recordCount, JSON.stringify(totals.summary)],
    );
    if (totals.destinations?.length) await finishFileDestinations(c, fileId, totals.destinations);
    await moveRun(c, run.runKey, 'rendered', {
      set: 'staged = $4, quarantined = (SELECT count(*) FROM quarantined_record q WHERE q.run_key = $1)',
      params: [totals.recordCount],
    });
    return updated.rows[0]!;
  });
}

/** The archived bytes of a file, in order (copiedChunks). */
export function fileChunks(pool: Pool, fileId: string): AsyncGenerator<Buffer> {
  return copiedChunks(pool, 'outbound_file_chunk', { file_id: fileId }, `archived file ${fileId}`);
}

/** The file is on the server: file rendered → uploaded, and its run with it (rendered → uploaded). */
export function markUploaded(pool: Pool, fileId: string): Promise<void> {
  return inTransaction(pool, async (c) => {
    const { rows } = await c.query<{ run_key: string }>(
      `UPDATE outbound_file SET status = 'uploaded', uploaded_at = COALESCE(uploaded_at, now())
       WHERE file_id = $1 AND status IN ('rendered', 'uploaded') RETURNING run_key`,
      [fileId],
    );
    if (rows[0]) await moveRun(c, rows[0].run_key, 'uploaded');
  });
}

/** Every delivery attempt that put bytes on a server, including replays, for the audit trail. */
export async function recordDelivery(
  db: Queryable,
  fileId: string,
  kind: 'upload' | 'replay',
  uploadedNow: boolean,
  reason: string | null,
  /** A further destination's ID; null (the default) is the primary. */
  destinationId: string | null = null,
): Promise<void> {
  await db.query(
    'INSERT INTO file_delivery (file_id, kind, uploaded_now, reason, destination_id) VALUES ($1, $2, $3, $4, $5)',
    [fileId, kind, uploadedNow, reason, destinationId],
  );
}

/** Files committed since a moment (deadline checks). */
export async function filesCommittedSince(
  db: Queryable,
  integrationId: string,
  since: string,
): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM outbound_file WHERE integration_id = $1 AND status = 'committed' AND committed_at > $2`,
    [integrationId, since],
  );
  return rows[0]!.n;
}
