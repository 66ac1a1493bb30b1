import type { Ledger } from '../ledger';

export interface LedgerReport {
  integrationId: string;
  watermark: string | null;
  records: number;
  files: {
    fileName: string;
    remotePath: string;
    records: number;
    bytes: number;
    sha256: string;
    committedAt: string;
  }[];
}

/** What the ledger holds for one integration: watermark, record count, the latest files. */
export async function ledgerReport(ledger: Ledger, integrationId: string, limit = 10): Promise<LedgerReport> {
  const [watermark, records, files] = await Promise.all([
    ledger.watermark(integrationId),
    ledger.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM ledger_entry WHERE integration_id = $1',
      [integrationId],
    ),
    ledger.pool.query<LedgerReport['files'][number]>(
      `SELECT file_name AS "fileName", remote_path AS "remotePath", record_count AS records,
              byte_count::float8 AS bytes, sha256,
              to_char(committed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "committedAt"
       FROM outbound_file WHERE integration_id = $1 AND status = 'committed'
       ORDER BY file_id DESC LIMIT $2`,
      [integrationId, limit],
    ),
  ]);
  return { integrationId, watermark, records: records.rows[0]!.n, files: files.rows };
}
