import type { Pool } from 'pg';
import { type Queryable, rfc3339 } from './sql';
import { inTransaction } from './transaction';

// X12 acknowledgements (tables ack_file, ack_result; outbound_file.x12_* and ack_late_alerted_at):
// which 997/999 files were read, what they said about which delivered file, and the late alerts.
// The shapes below mirror src/formats/x12/acknowledgement.ts (the ledger does not import formats).

export interface AckFileSeen {
  integrationId: string;
  remoteName: string;
  byteCount: number;
  /** RFC 3339. */
  mtime: string;
}

export interface AckSetResult {
  setId: string;
  controlNumber: string;
  status: string;
  codes: Record<string, unknown>;
}

export interface AckGroupResult {
  functionalId: string;
  groupControlNumber: string;
  status: string;
  codes: Record<string, unknown>;
  sets: AckSetResult[];
}

export interface AckFileRecord extends AckFileSeen {
  sha256: string | null;
  kind: '997' | '999' | null;
  isa13: string | null;
  outcome: 'read' | 'malformed' | 'too-large';
  error: string | null;
  groups: AckGroupResult[];
}

/** One recorded result, with the delivered file it was matched to (null: unmatched). */
export interface AckOutcome {
  fileId: string | null;
  fileName: string | null;
  functionalId: string;
  groupControlNumber: string;
  setId: string | null;
  setControlNumber: string | null;
  status: string;
  codes: Record<string, unknown>;
}

/** The names among `seen` already recorded (same name, size and mtime): never read twice. */
export async function knownAckFiles(db: Queryable, seen: AckFileSeen[]): Promise<Set<string>> {
  if (seen.length === 0) return new Set();
  const { rows } = await db.query<{ remote_name: string }>(
    `SELECT a.remote_name FROM ack_file a
       JOIN unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[]) AS s(i, n, b, m)
         ON a.integration_id = s.i AND a.remote_name = s.n AND a.byte_count = s.b AND a.mtime = s.m`,
    [
      seen.map((s) => s.integrationId),
      seen.map((s) => s.remoteName),
      seen.map((s) => s.byteCount),
      seen.map((s) => s.mtime),
    ],
  );
  return new Set(rows.map((r) => r.remote_name));
}

/**
 * Records one acknowledgement file and its results, matching each to the delivered file with
 * that functional ID and GS06 whose ST02 range holds the set. Returns null when the file was
 * already recorded (a concurrent poll): its results are then not reported a second time.
 */
export function recordAckFile(pool: Pool, ack: AckFileRecord): Promise<AckOutcome[] | null> {
  return inTransaction(pool, async (c) => {
    const inserted = await c.query<{ ack_file_id: string }>(
      `INSERT INTO ack_file (integration_id, remote_name, byte_count, mtime, sha256, kind, isa13, outcome, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING ack_file_id`,
      [
        ack.integrationId,
        ack.remoteName,
        ack.byteCount,
        ack.mtime,
        ack.sha256,
        ack.kind,
        ack.isa13,
        ack.outcome,
        ack.error,
      ],
    );
    const ackFileId = inserted.rows[0]?.ack_file_id;
    if (!ackFileId) return null;
    const outcomes: AckOutcome[] = [];
    for (const g of ack.groups) {
      const rows = g.sets.length > 0 ? g.sets : [null];
      for (const s of rows) {
        const st02 = s && /^\d{1,9}$/.test(s.controlNumber) ? Number(s.controlNumber) : null;
        const match = await c.query<{ file_id: string; file_name: string }>(
          `SELECT file_id, file_name FROM outbound_file
            WHERE integration_id = $1 AND x12_functional_id = $2 AND x12_gs06 = $3
              AND status IN ('uploaded', 'committed')
              AND ($4::integer IS NULL OR $4::integer BETWEEN x12_first_st02 AND x12_last_st02)
            ORDER BY file_id DESC LIMIT 1`,
          [ack.integrationId, g.functionalId, String(Number(g.groupControlNumber)), st02],
        );
        const file = match.rows[0];
        const status = s ? s.status : g.status;
        const codes = s ? { ...s.codes, group: g.codes } : { group: g.codes };
        await c.query(
          `INSERT INTO ack_result (ack_file_id, integration_id, file_id, functional_id, group_control_number,
             set_id, set_control_number, status, group_status, codes)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [
            ackFileId,
            ack.integrationId,
            file?.file_id ?? null,
            g.functionalId,
            g.groupControlNumber,
            s?.setId ?? null,
            s?.controlNumber ?? null,
            status,
            g.status,
            JSON.stringify(codes),
          ],
        );
        outcomes.push({
          fileId: file?.file_id ?? null,
          fileName: file?.file_name ?? null,
          functionalId: g.functionalId,
          groupControlNumber: g.groupControlNumber,
          setId: s?.setId ?? null,
          setControlNumber: s?.controlNumber ?? null,
          status,
          codes,
        });
      }
    }
    return outcomes;
  });
}

export interface LateFile {
  fileId: string;
  fileName: string;
  deliveredAt: string;
}

/**
 * Delivered X12 files of an integration with no acknowledgement result `hours` after upload and no
 * late alert yet; marks them alerted in the same statement, so each is reported once.
 */
export async function claimLateFiles(
  db: Queryable,
  integrationId: string,
  hours: number,
): Promise<LateFile[]> {
  const { rows } = await db.query<LateFile>(
    `UPDATE outbound_file f SET ack_late_alerted_at = now()
      WHERE f.integration_id = $1 AND f.x12_gs06 IS NOT NULL AND f.status IN ('uploaded', 'committed')
        AND f.ack_late_alerted_at IS NULL AND f.uploaded_at < now() - make_interval(secs => $2::float8 * 3600)
        AND NOT EXISTS (SELECT 1 FROM ack_result r WHERE r.file_id = f.file_id)
      RETURNING f.file_id AS "fileId", f.file_name AS "fileName", ${rfc3339('f.uploaded_at')} AS "deliveredAt"`,
    [integrationId, hours],
  );
  return rows;
}

/**
 * A file's acknowledgement state: `rejected` (any set R), `accepted-with-errors` (any E, M, W or X
 * and none R), `accepted`, `late` (none yet, late alert sent), `awaiting` (an X12 file with none
 * yet) or null (not X12). SQL expression over outbound_file aliased `f`.
 */
export const ACK_STATE_SQL = `(CASE
  WHEN f.x12_gs06 IS NULL THEN NULL
  WHEN EXISTS (SELECT 1 FROM ack_result r WHERE r.file_id = f.file_id AND r.status = 'R') THEN 'rejected'
  WHEN EXISTS (SELECT 1 FROM ack_result r WHERE r.file_id = f.file_id AND r.status <> 'A') THEN 'accepted-with-errors'
  WHEN EXISTS (SELECT 1 FROM ack_result r WHERE r.file_id = f.file_id) THEN 'accepted'
  WHEN f.ack_late_alerted_at IS NOT NULL THEN 'late'
  ELSE 'awaiting' END)`;

export interface AckDetail {
  ackFile: string;
  readAt: string;
  functionalId: string;
  groupControlNumber: string;
  setId: string | null;
  setControlNumber: string | null;
  status: string;
  codes: Record<string, unknown>;
}

/** The acknowledgement results for one delivered file, oldest first. */
export async function fileAcknowledgements(db: Queryable, fileId: string): Promise<AckDetail[]> {
  const { rows } = await db.query<AckDetail>(
    `SELECT a.remote_name AS "ackFile", ${rfc3339('a.read_at')} AS "readAt", r.functional_id AS "functionalId",
            r.group_control_number AS "groupControlNumber", r.set_id AS "setId",
            r.set_control_number AS "setControlNumber", r.status, r.codes
       FROM ack_result r JOIN ack_file a USING (ack_file_id)
      WHERE r.file_id = $1 ORDER BY r.ack_result_id`,
    [fileId],
  );
  return rows;
}

/** Acknowledgement counts of an integration's X12 files for `status`. */
export async function ackCounts(
  db: Queryable,
  integrationId: string,
): Promise<{ awaiting: number; rejected: number; unmatched: number }> {
  const { rows } = await db.query<{ awaiting: number; rejected: number; unmatched: number }>(
    `SELECT count(*) FILTER (WHERE s IN ('awaiting', 'late'))::int AS awaiting,
            count(*) FILTER (WHERE s = 'rejected')::int AS rejected,
            (SELECT count(*)::int FROM ack_result WHERE integration_id = $1 AND file_id IS NULL) AS unmatched
       FROM (SELECT ${ACK_STATE_SQL} AS s FROM outbound_file f
              WHERE f.integration_id = $1 AND f.status IN ('uploaded', 'committed')) x`,
    [integrationId],
  );
  return rows[0]!;
}
