import { Pool } from 'pg';
import type { AckFileRecord, AckFileSeen } from './acknowledgements';
import * as acks from './acknowledgements';
import type { FileRow, RenderSink, RenderTotals } from './archive';
import * as archive from './archive';
import type { ResolvedKey } from './businessKeys';
import * as businessKeys from './businessKeys';
import * as commit from './commit';
import type { X12ControlNumbers } from './controlNumbers';
import * as controlNumbers from './controlNumbers';
import type { DestinationOverview, FileDestinationRow } from './destinations';
import * as destinations from './destinations';
import type { HostKeyConfirmation, KeyHygieneItem, StoredKeyHygieneItem } from './keyHygiene';
import * as keyHygiene from './keyHygiene';
import { migrate } from './migrate';
import type { ActiveRun, IntegrationActivity, RunProgress } from './progress';
import * as progress from './progress';
import type { QuarantinedDetail, QuarantinedItem } from './quarantine';
import * as quarantine from './quarantine';
import type { IntegrationRegistration } from './registry';
import * as registry from './registry';
import type { BusinessNumberQuery, PageQuery, ReportRange } from './reports';
import * as reports from './reports';
import type { RunStatus } from './runStates';
import type { FailedStartInput, OpenResendRunInput, OpenRunInput, RunRow } from './runs';
import * as runs from './runs';
import type { PreparedStaging, QuarantineEntry, StagedEntry } from './staging';
import * as staging from './staging';

export type {
  AckDetail,
  AckFileRecord,
  AckFileSeen,
  AckGroupResult,
  AckOutcome,
  AckSetResult,
  LateFile,
} from './acknowledgements';
export type { DestinationMeta, FileRow, RenderSink, RenderTotals } from './archive';
export type { ResolvedKey } from './businessKeys';
export type { X12ControlNumbers } from './controlNumbers';
export type {
  DestinationOverview,
  DestinationStatus,
  DestinationTotals,
  FileDestinationRow,
} from './destinations';
export { contentDigest } from './digest';
export type {
  HostKeyConfirmation,
  KeyHygieneItem,
  KeyHygieneKind,
  KeyHygieneStatus,
  StoredKeyHygieneItem,
} from './keyHygiene';
export { migrate } from './migrate';
export type { ActiveRun, FinishedRun, IntegrationActivity, LastFile, RunProgress } from './progress';
export {
  NotQuarantinedError,
  type QuarantinedDetail,
  type QuarantinedItem,
  type QuarantineState,
} from './quarantine';
export type { IntegrationRegistration } from './registry';
export type {
  BusinessKey,
  BusinessNumberQuery,
  CarriedRecord,
  CommittedFile,
  DeliveredRecord,
  FailedRun,
  FileAudit,
  FileDelivery,
  FileListing,
  IntegrationOverview,
  LedgerFile,
  PageQuery,
  QuarantineListing,
  QuarantineNote,
  RecordFilter,
  RegisteredIntegration,
  ReportRange,
  RunListing,
  SearchHit,
} from './reports';
export { BUSINESS_KEYS } from './reports';
export { RUN_TRANSITIONS, type RunStatus, RunTransitionError } from './runStates';
export {
  type FailedStartInput,
  NotAFailureError,
  type OpenResendRunInput,
  type OpenRunInput,
  RunInProgressError,
  type RunKind,
  type RunRow,
} from './runs';
export type { PreparedStaging, QuarantineEntry, StagedEntry } from './staging';

// The Postgres side of exactly-once: runs, staged records, archived file bytes, the ledger of
// delivered record versions, and the watermark, which moves only in the commit transaction.
// This class is the facade: each method is one call into the module that owns its tables
// (runs, progress, staging, quarantine, businessKeys, archive, destinations, controlNumbers, keyHygiene, commit, registry, reports; runStates holds the run
// state machine). The pool stays in here: no SQL on ledger tables runs anywhere else.

export class Ledger {
  /** A ledger over a pool the caller made (tests, tools); close() ends it. */
  constructor(private readonly pool: Pool) {}

  /**
   * A pool for the ledger. An idle connection that Postgres drops (a restart, a failover, an admin)
   * is reported to `onIdleError` and replaced on next use; unhandled, it would crash the worker.
   */
  static connect(connectionString: string, onIdleError: (err: Error) => void = () => {}): Ledger {
    const pool = new Pool({ connectionString, max: 10, application_name: 'ml-connector' });
    pool.on('error', onIdleError);
    return new Ledger(pool);
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  /** Applies the schema migrations not yet applied (migrations.ts); safe from every worker at start. */
  migrate(): Promise<number[]> {
    return migrate(this.pool);
  }

  /**
   * The ledger's pool, lent to the one other store in the ledger's database: the sealed
   * credentials (table `credential`, src/credentials/store.ts). Lent under this name, not as a
   * public `pool`, so that SQL on ledger tables stays in src/ledger while the process keeps one
   * pool: one connection budget and one handler for connections Postgres drops.
   */
  credentialsPool(): Pool {
    return this.pool;
  }

  /** Ends every other session on the ledger's database (the fault tests' `drop-db` failpoint). */
  async terminateOtherSessions(): Promise<void> {
    await this.pool.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
  }

  // X12 acknowledgements (acknowledgements.ts)

  knownAckFiles(seen: AckFileSeen[]): Promise<Set<string>> {
    return acks.knownAckFiles(this.pool, seen);
  }

  recordAckFile(ack: AckFileRecord): Promise<acks.AckOutcome[] | null> {
    return acks.recordAckFile(this.pool, ack);
  }

  claimLateAckFiles(integrationId: string, hours: number): Promise<acks.LateFile[]> {
    return acks.claimLateFiles(this.pool, integrationId, hours);
  }

  fileAcknowledgements(fileId: string): Promise<acks.AckDetail[]> {
    return acks.fileAcknowledgements(this.pool, fileId);
  }

  ackCounts(integrationId: string): Promise<{ awaiting: number; rejected: number; unmatched: number }> {
    return acks.ackCounts(this.pool, integrationId);
  }

  // Runs (runs.ts)

  getRun(runKey: string): Promise<RunRow | null> {
    return runs.getRun(this.pool, runKey);
  }

  openRun(input: OpenRunInput): Promise<RunRow> {
    return runs.openRun(this.pool, input);
  }

  openResendRun(input: OpenResendRunInput): Promise<RunRow> {
    return runs.openResendRun(this.pool, input);
  }

  setRunCounts(runKey: string, counts: { extracted: number; alreadySent: number }): Promise<void> {
    return runs.setRunCounts(this.pool, runKey, counts);
  }

  recordRunFailure(runKey: string, stage: string, reason: string): Promise<'closed' | 'kept-for-retry'> {
    return runs.recordRunFailure(this.pool, runKey, stage, reason);
  }

  recordFailedStart(input: FailedStartInput): Promise<'closed' | 'kept-for-retry'> {
    return runs.recordFailedStart(this.pool, input);
  }

  acknowledgeFailure(input: { runKey: string; by: string; note: string | null }) {
    return runs.acknowledgeFailure(this.pool, input);
  }

  findResumableRun(
    integrationId: string,
    runKey?: string,
  ): Promise<{ runKey: string; fileId: string } | null> {
    return runs.findResumableRun(this.pool, integrationId, runKey);
  }

  openRunOf(integrationId: string): Promise<{ runKey: string; status: RunStatus } | null> {
    return runs.openRunOf(this.pool, integrationId);
  }

  // Live progress and the integration's activity (progress.ts)

  reportRunProgress(runKey: string, report: RunProgress): Promise<void> {
    return progress.reportRunProgress(this.pool, runKey, report);
  }

  runProgress(runKey: string): Promise<ActiveRun | null> {
    return progress.runProgress(this.pool, runKey);
  }

  integrationActivity(integrationId: string): Promise<IntegrationActivity> {
    return progress.integrationActivity(this.pool, integrationId);
  }

  // Staging and quarantine (staging.ts)

  restartStaging(runKey: string): Promise<void> {
    return staging.restartStaging(this.pool, runKey);
  }

  stage(
    runKey: string,
    integrationId: string,
    firstSeq: number,
    entries: StagedEntry[] | PreparedStaging,
    resend = false,
  ): Promise<{ staged: number; alreadySent: number }> {
    return staging.stage(this.pool, runKey, integrationId, firstSeq, entries, resend);
  }

  /** The worker's part of stage() (no database): the next page is prepared while this one is stored. */
  prepareStaging(entries: StagedEntry[], firstSeq: number): PreparedStaging {
    return staging.prepareStaging(entries, firstSeq);
  }

  alreadySent(integrationId: string, entries: (StagedEntry & { digest?: string })[]): Promise<Set<string>> {
    return staging.alreadySent(this.pool, integrationId, entries);
  }

  quarantine(runKey: string, integrationId: string, items: QuarantineEntry[]): Promise<void> {
    return staging.quarantine(this.pool, runKey, integrationId, items);
  }

  finishStaging(runKey: string): Promise<RunRow> {
    return staging.finishStaging(this.pool, runKey);
  }

  stagedPayloads(runKey: string, pageSize = 2000): AsyncGenerator<{ seq: number; payload: unknown }[]> {
    return staging.stagedPayloads(this.pool, runKey, pageSize);
  }

  // Acting on the quarantine (quarantine.ts), business numbers (businessKeys.ts)

  listQuarantine(integrationId?: string): Promise<QuarantinedItem[]> {
    return quarantine.listQuarantine(this.pool, integrationId);
  }

  getQuarantined(quarantineId: string): Promise<QuarantinedDetail | null> {
    return quarantine.getQuarantined(this.pool, quarantineId);
  }

  releaseQuarantine(input: {
    integrationId: string;
    recordIds: string[] | null;
    reason: string;
    by: string;
  }): Promise<string[]> {
    return quarantine.releaseQuarantine(this.pool, input);
  }

  resolveRecordKeys(integrationId: string | null, keys: readonly string[]): Promise<ResolvedKey[]> {
    return businessKeys.resolveRecordKeys(this.pool, integrationId, keys);
  }

  // Key hygiene (keyHygiene.ts)

  /** A connection found the pinned host key: when it was last confirmed (one upsert). */
  confirmHostKey(input: {
    integrationId: string;
    destination: string;
    host: string;
    fingerprint: string;
  }): Promise<void> {
    return keyHygiene.confirmHostKey(this.pool, input);
  }

  hostKeyConfirmations(integrationId: string): Promise<HostKeyConfirmation[]> {
    return keyHygiene.hostKeyConfirmations(this.pool, integrationId);
  }

  /** Stores the check's findings; returns those to alert now (not ok, not alerted today), marked alerted. */
  saveKeyHygiene(
    integrationId: string,
    items: readonly KeyHygieneItem[],
    alertable: (item: KeyHygieneItem) => boolean,
  ): Promise<KeyHygieneItem[]> {
    return keyHygiene.saveKeyHygiene(this.pool, integrationId, items, alertable);
  }

  keyHygieneItems(integrationId: string): Promise<StoredKeyHygieneItem[]> {
    return keyHygiene.keyHygieneItems(this.pool, integrationId);
  }

  // Files and their bytes (archive.ts), control numbers (controlNumbers.ts)

  getFileByRun(runKey: string): Promise<FileRow | null> {
    return archive.getFileByRun(this.pool, runKey);
  }

  getFile(fileId: string): Promise<FileRow | null> {
    return archive.getFile(this.pool, fileId);
  }

  getFileByName(integrationId: string, fileName: string): Promise<FileRow | null> {
    return archive.getFileByName(this.pool, integrationId, fileName);
  }

  saveRenderedFile(
    run: RunRow,
    meta: { fileName: string; remotePath: string; format: string; destinations?: archive.DestinationMeta[] },
    render: (sink: RenderSink) => Promise<RenderTotals>,
  ): Promise<FileRow | null> {
    return archive.saveRenderedFile(this.pool, run, meta, render);
  }

  fileChunks(fileId: string): AsyncGenerator<Buffer> {
    return archive.fileChunks(this.pool, fileId);
  }

  markUploaded(fileId: string): Promise<void> {
    return archive.markUploaded(this.pool, fileId);
  }

  recordDelivery(
    fileId: string,
    kind: 'upload' | 'replay',
    uploadedNow: boolean,
    reason: string | null,
    destinationId: string | null = null,
  ): Promise<void> {
    return archive.recordDelivery(this.pool, fileId, kind, uploadedNow, reason, destinationId);
  }

  filesCommittedSince(integrationId: string, since: string): Promise<number> {
    return archive.filesCommittedSince(this.pool, integrationId, since);
  }

  // Further destinations of a file (destinations.ts)

  getFileDestination(fileId: string, destinationId: string): Promise<FileDestinationRow | null> {
    return destinations.getFileDestination(this.pool, fileId, destinationId);
  }

  getFileDestinationByName(
    integrationId: string,
    destinationId: string,
    fileName: string,
  ): Promise<FileDestinationRow | null> {
    return destinations.getFileDestinationByName(this.pool, integrationId, destinationId, fileName);
  }

  fileDestinations(fileId: string): Promise<FileDestinationRow[]> {
    return destinations.fileDestinations(this.pool, fileId);
  }

  pendingDestinationDeliveries(
    integrationId: string,
    runKey?: string,
  ): Promise<{ fileId: string; destinationId: string; runKey: string }[]> {
    return destinations.pendingDestinationDeliveries(this.pool, integrationId, runKey);
  }

  destinationChunks(fileId: string, destinationId: string): AsyncGenerator<Buffer> {
    return destinations.destinationChunks(this.pool, fileId, destinationId);
  }

  markDestinationDelivered(fileId: string, destinationId: string, uploadedNow: boolean): Promise<void> {
    return destinations.markDestinationDelivered(this.pool, fileId, destinationId, uploadedNow);
  }

  noteDestinationFailure(fileId: string, destinationId: string, reason: string): Promise<void> {
    return destinations.noteDestinationFailure(this.pool, fileId, destinationId, reason);
  }

  destinationOverview(integrationId: string): Promise<DestinationOverview[]> {
    return destinations.destinationOverview(this.pool, integrationId);
  }

  primaryOverview(integrationId: string): Promise<DestinationOverview> {
    return destinations.primaryOverview(this.pool, integrationId);
  }

  destinationsOfFiles(fileIds: readonly string[]): Promise<Map<string, FileDestinationRow[]>> {
    return destinations.destinationsOfFiles(this.pool, fileIds);
  }

  destinationLedgerFiles(integrationId: string, destinationId: string) {
    return destinations.destinationLedgerFiles(this.pool, integrationId, destinationId);
  }

  allocateX12ControlNumbers(partnerId: string, transactionSets: number): Promise<X12ControlNumbers> {
    return controlNumbers.allocateX12ControlNumbers(this.pool, partnerId, transactionSets);
  }

  // Commit and watermark (commit.ts)

  commitRun(
    runKey: string,
    options: { beforeCommit?: () => void | Promise<void> } = {},
  ): Promise<{ sent: number; watermark: string }> {
    return commit.commitRun(this.pool, runKey, options);
  }

  watermark(integrationId: string): Promise<string | null> {
    return commit.watermark(this.pool, integrationId);
  }

  // The integration registry (registry.ts)

  /** Returns the IDs that are new or whose configuration changed. */
  registerIntegrations(integrations: IntegrationRegistration[]): Promise<string[]> {
    return registry.registerIntegrations(this.pool, integrations);
  }

  // Read-only reports for audit, admin and the ledger report (reports.ts)

  failedRuns(integrationId?: string, options: { all?: boolean } = {}): Promise<reports.FailedRun[]> {
    return reports.failedRuns(this.pool, integrationId, options);
  }

  filesInRange(query: ReportRange & { integrationId?: string | undefined }): Promise<reports.FileAudit[]> {
    return reports.filesInRange(this.pool, query);
  }

  deliveredRecords(query: ReportRange & reports.RecordFilter): Promise<reports.DeliveredRecord[]> {
    return reports.deliveredRecords(this.pool, query);
  }

  quarantineNotes(query: ReportRange & reports.RecordFilter): Promise<reports.QuarantineNote[]> {
    return reports.quarantineNotes(this.pool, query);
  }

  filesOfIntegration(integrationId: string, folder: string | null): Promise<reports.LedgerFile[]> {
    return reports.filesOfIntegration(this.pool, integrationId, folder);
  }

  registeredIntegrations(): Promise<reports.RegisteredIntegration[]> {
    return reports.registeredIntegrations(this.pool);
  }

  deliveredCount(integrationId: string): Promise<number> {
    return reports.deliveredCount(this.pool, integrationId);
  }

  latestCommittedFiles(integrationId: string, limit: number): Promise<reports.CommittedFile[]> {
    return reports.latestCommittedFiles(this.pool, integrationId, limit);
  }

  // Read-only pages and search for the audit page, src/ui (reports.ts)

  integrationOverview(ids: string[]): Promise<reports.IntegrationOverview[]> {
    return reports.integrationOverview(this.pool, ids);
  }

  filesPage(
    query: PageQuery & { integrationId: string | null; from: string | null; to: string | null },
  ): Promise<reports.FileListing[]> {
    return reports.filesPage(this.pool, query);
  }

  fileListing(fileId: string): Promise<reports.FileListing | null> {
    return reports.fileListing(this.pool, fileId);
  }

  fileDeliveries(fileId: string, limit: number): Promise<reports.FileDelivery[]> {
    return reports.fileDeliveries(this.pool, fileId, limit);
  }

  recordsOfFile(fileId: string, page: PageQuery): Promise<reports.CarriedRecord[]> {
    return reports.recordsOfFile(this.pool, fileId, page);
  }

  searchDelivered(query: PageQuery & BusinessNumberQuery): Promise<reports.SearchHit[]> {
    return reports.searchDelivered(this.pool, query);
  }

  searchQuarantined(query: PageQuery & BusinessNumberQuery): Promise<reports.QuarantineListing[]> {
    return reports.searchQuarantined(this.pool, query);
  }

  quarantinePage(query: PageQuery & { integrationId: string | null }): Promise<reports.QuarantineListing[]> {
    return reports.quarantinePage(this.pool, query);
  }

  runsPage(
    query: PageQuery & { integrationId: string | null; openFailures: boolean },
  ): Promise<reports.RunListing[]> {
    return reports.runsPage(this.pool, query);
  }
}
