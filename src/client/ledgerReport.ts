import type { CommittedFile, Ledger } from '../ledger';

export interface LedgerReport {
  integrationId: string;
  watermark: string | null;
  records: number;
  files: CommittedFile[];
}

/** What the ledger holds for one integration: watermark, record count, the latest files. */
export async function ledgerReport(ledger: Ledger, integrationId: string, limit = 10): Promise<LedgerReport> {
  const [watermark, records, files] = await Promise.all([
    ledger.watermark(integrationId),
    ledger.deliveredCount(integrationId),
    ledger.latestCommittedFiles(integrationId, limit),
  ]);
  return { integrationId, watermark, records, files };
}
