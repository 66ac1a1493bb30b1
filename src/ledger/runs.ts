import type { Pool } from 'pg';
import { liveWindowFrom } from '../shared/window';
import {
  canMoveRun,
  FAILED_BEFORE_OPEN,
  INITIAL_RUN_STATUS,
  type RunStatus,
  RunTransitionError,
  runStatusesInto,
  TERMINAL_RUN_STATUSES,
} from './runStates';
import type { Queryable } from './sql';
import { inTransaction } from './transaction';

// Runs (table sync_run): opening one, moving it through the state machine (runStates.ts), and
// the questions the workflows ask about open and resumable runs.

export interface RunRow {
  runKey: string;
  integrationId: string;
  entity: string;
  /**
   * `sync`: the live incremental run. `resend`: a forced resync or backfill (no dedup, no
   * watermark). `release`: released quarantined records read again by ID (dedup, no watermark).
   */
  kind: RunKind;
  windowFrom: string;
  windowTo: string;
  status: RunStatus;
  extracted: number;
  staged: number;
  alreadySent: number;
  quarantined: number;
  startedAt: string;
}

/** Another run of the same integration is open: starting a second would send records twice. */
export class RunInProgressError extends Error {
  constructor(
    readonly integrationId: string,
    readonly openRunKey: string,
  ) {
    super(
      `Integration "${integrationId}" already has an open run (${openRunKey}). ` +
        'Let it finish, or resolve it before starting another.',
    );
    this.name = 'RunInProgressError';
  }
}

export type RunKind = 'sync' | 'resend' | 'release';

export interface OpenRunInput {
  runKey: string;
  integrationId: string;
  entity: string;
  windowTo: string;
  initialWatermark: string;
  overlapSeconds: number;
}

export interface OpenResendRunInput {
  runKey: string;
  integrationId: string;
  entity: string;
  windowFrom: string;
  windowTo: string;
  reason: string;
  /** A release run (quarantined records released by an operator); default a resend. */
  release?: boolean;
}

export const runColumns = `run_key AS "runKey", integration_id AS "integrationId", entity, kind,
  to_char(window_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "windowFrom",
  to_char(window_to AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "windowTo",
  status, extracted, staged, already_sent AS "alreadySent", quarantined,
  to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startedAt"`;

/**
 * Moves a run to `to`, assigning `set` too (its parameters from $4 on), in one UPDATE that only
 * matches the statuses runStates.ts allows into `to`. Returns the moved run; null when it already
 * was in `to` (an activity retried after its commit), nothing changed. Any other status refuses
 * the move with a RunTransitionError.
 */
export async function moveRun(
  db: Queryable,
  runKey: string,
  to: RunStatus,
  change: { set?: string; params?: unknown[] } = {},
): Promise<RunRow | null> {
  const set = change.set ? `, ${change.set}` : '';
  const { rows } = await db.query<RunRow>(
    `UPDATE sync_run r SET status = $2${set} WHERE run_key = $1 AND status = ANY($3) RETURNING ${runColumns}`,
    [runKey, to, runStatusesInto(to), ...(change.params ?? [])],
  );
  if (rows[0]) return rows[0];
  const now = (
    await db.query<{ status: RunStatus }>('SELECT status FROM sync_run WHERE run_key = $1', [runKey])
  ).rows[0];
  if (now?.status === to) return null;
  throw new RunTransitionError(runKey, now?.status ?? null, to);
}

export async function getRun(db: Queryable, runKey: string): Promise<RunRow | null> {
  const { rows } = await db.query<RunRow>(`SELECT ${runColumns} FROM sync_run WHERE run_key = $1`, [runKey]);
  return rows[0] ?? null;
}

/** Where a live sync's window starts: `overlapSeconds` before the watermark (or the initial one). */
async function liveWindowStart(
  c: Queryable,
  input: { integrationId: string; initialWatermark: string; overlapSeconds: number },
): Promise<string> {
  const watermark = await c.query<{ at: Date }>(
    'SELECT last_update_date AS at FROM watermark WHERE integration_id = $1',
    [input.integrationId],
  );
  const at = watermark.rows[0]?.at;
  return liveWindowFrom(at ? at.toISOString() : null, input.initialWatermark, input.overlapSeconds);
}

/**
 * Opens the run, or returns it when it is already open (an activity retry). The window starts
 * `overlapSeconds` before the watermark; the ledger drops what the overlap reads again.
 */
export function openRun(pool: Pool, input: OpenRunInput): Promise<RunRow> {
  return inTransaction(pool, async (c) => {
    const existing = await getRun(c, input.runKey);
    if (existing) return existing;
    const open = await c.query<{ run_key: string }>(
      'SELECT run_key FROM sync_run WHERE integration_id = $1 AND status <> ALL($2)',
      [input.integrationId, TERMINAL_RUN_STATUSES],
    );
    if (open.rows[0]) throw new RunInProgressError(input.integrationId, open.rows[0].run_key);
    const windowFrom = await liveWindowStart(c, input);
    const { rows } = await c.query<RunRow>(
      `INSERT INTO sync_run (run_key, integration_id, entity, window_from, window_to, status)
       VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz, $6)
       RETURNING ${runColumns}`,
      [input.runKey, input.integrationId, input.entity, windowFrom, input.windowTo, INITIAL_RUN_STATUS],
    );
    return rows[0]!;
  });
}

/**
 * Opens (or returns) a resend run over an explicit window: a forced resync or one window of a
 * backfill. It may run beside the live sync; it never moves the watermark.
 */
export async function openResendRun(db: Queryable, input: OpenResendRunInput): Promise<RunRow> {
  const { rows } = await db.query<RunRow>(
    `WITH inserted AS (
       INSERT INTO sync_run (run_key, integration_id, entity, window_from, window_to, status, kind, reason)
       VALUES ($1, $2, $3, $4, $5, $7, $8, $6)
       ON CONFLICT (run_key) DO NOTHING
       RETURNING ${runColumns})
     SELECT * FROM inserted UNION ALL SELECT ${runColumns} FROM sync_run WHERE run_key = $1 LIMIT 1`,
    [
      input.runKey,
      input.integrationId,
      input.entity,
      input.windowFrom,
      input.windowTo,
      input.reason,
      INITIAL_RUN_STATUS,
      input.release ? 'release' : 'resend',
    ],
  );
  return rows[0]!;
}

export async function setRunCounts(
  db: Queryable,
  runKey: string,
  counts: { extracted: number; alreadySent: number },
): Promise<void> {
  await db.query('UPDATE sync_run SET extracted = $2, already_sent = $3 WHERE run_key = $1', [
    runKey,
    counts.extracted,
    counts.alreadySent,
  ]);
}

/**
 * Records why a run stopped. Before a file exists the run is closed as failed (nothing was
 * sent, the watermark did not move, the next run reads the same window again). Once a file
 * was rendered it stays staged and open, marked failed, for the next sync (or an admin) to
 * deliver: re-rendering would risk a second, different file with the same records. A committed
 * run (or none) is left as it is.
 */
export function recordRunFailure(
  pool: Pool,
  runKey: string,
  stage: string,
  reason: string,
): Promise<'closed' | 'kept-for-retry'> {
  return inTransaction(pool, async (c) => {
    const file = (
      await c.query<{ status: string }>('SELECT status FROM outbound_file WHERE run_key = $1', [runKey])
    ).rows[0];
    const keep = file !== undefined && file.status !== 'committed';
    const { rowCount } = await c.query(
      `UPDATE sync_run SET failed_at = now(), failed_stage = $2, last_error = $3
       WHERE run_key = $1 AND status <> 'committed'`,
      [runKey, stage, reason.slice(0, 4000)],
    );
    if (!keep) {
      if (rowCount) await moveRun(c, runKey, 'failed');
      await c.query('DELETE FROM staged_record WHERE run_key = $1', [runKey]);
    }
    return keep ? 'kept-for-retry' : 'closed';
  });
}

/** What a live sync that failed before its run was opened knows: enough to record the run. */
export interface FailedStartInput {
  runKey: string;
  integrationId: string;
  entity: string;
  windowTo: string;
  initialWatermark: string;
  overlapSeconds: number;
  stage: string;
  reason: string;
}

/**
 * Records a live sync that failed before it opened its run (a token or authentication failure):
 * a run row with the window it would have read, opened and failed at once (staging → failed, see
 * FAILED_BEFORE_OPEN), so the failure is listed like any other. Nothing was staged or sent and
 * the watermark stays. Idempotent: a row already there (the run was opened after all, or an
 * activity retry) is marked as recordRunFailure marks it.
 */
export function recordFailedStart(pool: Pool, input: FailedStartInput): Promise<'closed' | 'kept-for-retry'> {
  if (!canMoveRun(INITIAL_RUN_STATUS, FAILED_BEFORE_OPEN))
    throw new RunTransitionError(input.runKey, INITIAL_RUN_STATUS, FAILED_BEFORE_OPEN);
  return inTransaction(pool, async (c) => {
    const windowFrom = await liveWindowStart(c, input);
    // Inserted in its final status: a failed run does not count as the integration's open run.
    const { rowCount } = await c.query(
      `INSERT INTO sync_run (run_key, integration_id, entity, window_from, window_to, status,
         failed_at, failed_stage, last_error)
       VALUES ($1, $2, $3, LEAST($4::timestamptz, $5::timestamptz), $5::timestamptz, $6, now(), $7, $8)
       ON CONFLICT (run_key) DO NOTHING`,
      [
        input.runKey,
        input.integrationId,
        input.entity,
        windowFrom,
        input.windowTo,
        FAILED_BEFORE_OPEN,
        input.stage,
        input.reason.slice(0, 4000),
      ],
    );
    return rowCount ? 'closed' : null;
  }).then((outcome) => outcome ?? recordRunFailure(pool, input.runKey, input.stage, input.reason));
}

/** A failure acknowledgement that names no failed run. */
export class NotAFailureError extends Error {
  constructor(
    readonly runKey: string,
    why: string,
  ) {
    super(`Run ${runKey} ${why}`);
    this.name = 'NotAFailureError';
  }
}

/**
 * An operator has seen to a failed run: who, when and a note are kept with it, and `failures`
 * stops listing it (`--all` still does). A run that does not exist or did not fail is refused.
 * Acknowledging again replaces the note.
 */
export async function acknowledgeFailure(
  db: Queryable,
  input: { runKey: string; by: string; note: string | null },
): Promise<{ runKey: string; acknowledgedAt: string; acknowledgedBy: string; note: string | null }> {
  const { rows } = await db.query<{ acknowledgedAt: string; failed: boolean }>(
    `UPDATE sync_run SET failure_acked_at = now(), failure_acked_by = $2, failure_ack_note = $3
     WHERE run_key = $1 AND failed_at IS NOT NULL
     RETURNING to_char(failure_acked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "acknowledgedAt"`,
    [input.runKey, input.by, input.note],
  );
  if (!rows[0]) {
    const run = await getRun(db, input.runKey);
    throw new NotAFailureError(input.runKey, run ? `did not fail (it is ${run.status})` : 'does not exist');
  }
  return {
    runKey: input.runKey,
    acknowledgedAt: rows[0].acknowledgedAt,
    acknowledgedBy: input.by,
    note: input.note,
  };
}

/** An open run whose workflow gave up after rendering its file: deliver it before anything new. */
export async function findResumableRun(
  db: Queryable,
  integrationId: string,
  runKey?: string,
): Promise<{ runKey: string; fileId: string } | null> {
  // Rendered or uploaded: the statuses a run with an undelivered file is in.
  const { rows } = await db.query<{ runKey: string; fileId: string }>(
    `SELECT r.run_key AS "runKey", f.file_id::text AS "fileId"
     FROM sync_run r JOIN outbound_file f USING (run_key)
     WHERE r.integration_id = $1 AND r.status IN ('rendered', 'uploaded') AND r.failed_at IS NOT NULL
       AND ($2::text IS NULL OR r.run_key = $2)`,
    [integrationId, runKey ?? null],
  );
  return rows[0] ?? null;
}

/** The integration's open run, not marked failed (at most one: sync_run_one_open_per_integration). */
export async function openRunOf(
  db: Queryable,
  integrationId: string,
): Promise<{ runKey: string; status: RunStatus } | null> {
  const { rows } = await db.query<{ runKey: string; status: RunStatus }>(
    `SELECT run_key AS "runKey", status FROM sync_run
     WHERE integration_id = $1 AND status <> ALL($2) AND failed_at IS NULL`,
    [integrationId, TERMINAL_RUN_STATUSES],
  );
  return rows[0] ?? null;
}
