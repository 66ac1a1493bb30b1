import type { RunStatus } from './runStates';
import { TERMINAL_RUN_STATUSES } from './runStates';
import { type Queryable, rfc3339 } from './sql';

// Live progress of a run (sync_run.progress, migration 8) and the integration's activity as the
// ledger knows it: what `status` shows whatever started a run (the schedule, `sync`, `retry`, a
// resync). Progress is informational: written by the activities as they go, never decided on.

/** Where a run is and how far it got. Every count is for the current attempt of its stage. */
export interface RunProgress {
  stage?: 'extract' | 'render' | 'upload';
  /** Pages read from Fusion. */
  pages?: number;
  /** Records read from Fusion. */
  extracted?: number;
  /** Records staged (new versions; a resend stages all). */
  staged?: number;
  alreadySent?: number;
  quarantined?: number;
  /** Records written into the file. */
  rendered?: number;
  bytesUploaded?: number;
  bytesTotal?: number;
}

/** Merges `progress` into the run's progress and stamps it. A missing run is no error. */
export async function reportRunProgress(db: Queryable, runKey: string, progress: RunProgress): Promise<void> {
  await db.query(
    `UPDATE sync_run SET progress = progress || $2::jsonb, progress_at = now() WHERE run_key = $1`,
    [runKey, JSON.stringify(progress)],
  );
}

export interface ActiveRun {
  runKey: string;
  kind: 'sync' | 'resend';
  status: RunStatus;
  startedAt: string;
  progress: RunProgress;
  progressAt: string | null;
  /** A failed delivery being delivered now (`retry`, or the next sync delivering it first). */
  retrying: boolean;
}

export interface FinishedRun {
  runKey: string;
  kind: 'sync' | 'resend';
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  extracted: number;
  staged: number;
  quarantined: number;
  fileName: string | null;
  failedStage: string | null;
  error: string | null;
}

export interface LastFile {
  fileName: string;
  remotePath: string;
  records: number;
  bytes: number;
  sha256: string;
  committedAt: string;
  runKey: string;
}

export interface IntegrationActivity {
  watermark: string | null;
  /** Runs by kind and how they ended (`open`: not ended yet, or a delivery waiting for a retry). */
  runs: { total: number; syncs: number; resends: number; committed: number; failed: number; open: number };
  /** Record versions delivered (resends included). */
  delivered: number;
  /** Open runs not marked failed, or a failed delivery with progress since: what is running now. */
  running: ActiveRun[];
  lastRun: FinishedRun | null;
  lastFile: LastFile | null;
}

const progressColumns = `run_key AS "runKey", kind, status, ${rfc3339('started_at')} AS "startedAt",
  progress, ${rfc3339('progress_at')} AS "progressAt", failed_at IS NOT NULL AS retrying`;

export async function activeRuns(db: Queryable, integrationId: string): Promise<ActiveRun[]> {
  const { rows } = await db.query<ActiveRun>(
    `SELECT ${progressColumns} FROM sync_run
     WHERE integration_id = $1 AND status <> ALL($2) AND (failed_at IS NULL OR progress_at > failed_at)
     ORDER BY started_at`,
    [integrationId, TERMINAL_RUN_STATUSES],
  );
  return rows;
}

/** One run's progress (the CLI's progress line follows the run its `sync` started). */
export async function runProgress(db: Queryable, runKey: string): Promise<ActiveRun | null> {
  const { rows } = await db.query<ActiveRun>(`SELECT ${progressColumns} FROM sync_run WHERE run_key = $1`, [
    runKey,
  ]);
  return rows[0] ?? null;
}

/** The integration's activity from the ledger: watermark, counts, the running, last run and file. */
export async function integrationActivity(
  db: Queryable,
  integrationId: string,
): Promise<IntegrationActivity> {
  const watermark = await db.query<{ at: string }>(
    `SELECT ${rfc3339('last_update_date')} AS at FROM watermark WHERE integration_id = $1`,
    [integrationId],
  );
  const runs = await db.query<IntegrationActivity['runs']>(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE kind = 'sync')::int AS syncs,
            count(*) FILTER (WHERE kind = 'resend')::int AS resends,
            count(*) FILTER (WHERE status = 'committed')::int AS committed,
            count(*) FILTER (WHERE status = 'failed')::int AS failed,
            count(*) FILTER (WHERE status <> ALL($2))::int AS open
     FROM sync_run WHERE integration_id = $1`,
    [integrationId, TERMINAL_RUN_STATUSES],
  );
  const delivered = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM ledger_entry WHERE integration_id = $1',
    [integrationId],
  );
  // The run that ended last: committed, failed, or kept for a retry (failed_at set, file staged).
  const lastRun = await db.query<FinishedRun>(
    `SELECT r.run_key AS "runKey", r.kind, r.status, ${rfc3339('r.started_at')} AS "startedAt",
            ${rfc3339('coalesce(r.committed_at, r.failed_at)')} AS "finishedAt",
            r.extracted, r.staged, r.quarantined, f.file_name AS "fileName",
            r.failed_stage AS "failedStage", r.last_error AS error
     FROM sync_run r LEFT JOIN outbound_file f USING (run_key)
     WHERE r.integration_id = $1 AND (r.status = ANY($2) OR r.failed_at IS NOT NULL)
     ORDER BY coalesce(r.committed_at, r.failed_at) DESC NULLS LAST, r.started_at DESC LIMIT 1`,
    [integrationId, TERMINAL_RUN_STATUSES],
  );
  const lastFile = await db.query<LastFile>(
    `SELECT file_name AS "fileName", remote_path AS "remotePath", record_count AS records,
            byte_count::float8 AS bytes, sha256, ${rfc3339('committed_at')} AS "committedAt", run_key AS "runKey"
     FROM outbound_file WHERE integration_id = $1 AND status = 'committed'
     ORDER BY committed_at DESC, file_id DESC LIMIT 1`,
    [integrationId],
  );
  return {
    watermark: watermark.rows[0]?.at ?? null,
    runs: runs.rows[0]!,
    delivered: delivered.rows[0]!.n,
    running: await activeRuns(db, integrationId),
    lastRun: lastRun.rows[0] ?? null,
    lastFile: lastFile.rows[0] ?? null,
  };
}
