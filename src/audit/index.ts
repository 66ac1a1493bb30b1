// The read side for finance and operations: what was delivered, in which file, when; the files
// themselves; and reconciliation of the ledger against what is on the server. Plain functions
// over the Ledger's read-only reports (src/ledger/reports.ts, where the SQL is) and plain data:
// filters checked here, output shaped here — no Temporal, nothing written.

export { ArchivedFileError, auditFiles, type FileAudit, type FileAuditFilter, fileBytes } from './files';
export { AuditFilterError, type TimeRange } from './filter';
export { toCsv, toJson } from './output';
export {
  type AlteredFile,
  classifyListing,
  type ExpectedFile,
  type LedgerFile,
  ledgerFiles,
  type MatchedFile,
  type MissingFile,
  type PendingFile,
  type ReconcileOptions,
  type Reconciliation,
  type RemoteFile,
  reconcile,
  reconcileDestination,
} from './reconcile';
export {
  auditRecords,
  type DeliveredRecord,
  type QuarantineNote,
  type RecordAudit,
  type RecordAuditFilter,
} from './records';
