// Names and shapes every side (worker, workflows, CLI, tests) agrees on.
// No Node APIs and no imports from the rest of src/: workflow code imports this.

export const TASK_QUEUE = 'ml-connector';

export interface SyncIntegrationInput {
  /** The integration's ID in the worker's configuration. Never a secret: this lands in history. */
  integrationId: string;
  /**
   * Heartbeat timeout for long activities. How fast a dead worker's activity is retried elsewhere.
   * Tests shorten it; the default suits production.
   */
  heartbeatTimeout?: string;
}

/** `ml-connector retry`: deliver the staged file of a failed run now. */
export interface RetryDeliveryInput {
  integrationId: string;
  runKey: string;
  heartbeatTimeout?: string;
}

/** `ml-connector replay`: an archived file delivered again under its own name. */
export interface ReplayFileInput {
  integrationId: string;
  fileName: string;
  /** Why (recorded with the delivery). */
  reason: string;
  /** A further destination's ID: replayed there, its own bytes; by default to the primary (`sftp`). */
  destination?: string;
  heartbeatTimeout?: string;
}

/** The non-secret settings of an integration a workflow plans its runs with (integrationSettings). */
export interface IntegrationSettings {
  /** How long an upload is retried before the run fails (the upload preset's schedule-to-close). */
  uploadRetryWindowSeconds: number;
  entity: string;
  /** The configured initial watermark, RFC 3339: where a resync of `all` starts reading. */
  initialWatermark: string;
  /** Whether the integration has a cron schedule. */
  scheduled: boolean;
  /**
   * Further destinations (config `destinations`): their IDs and upload retry windows. Absent for
   * an integration with `sftp` alone (and in histories recorded before there were any).
   */
  destinations?: { id: string; uploadRetryWindowSeconds: number }[];
  /** Whether it reads X12 acknowledgements (sftp.acknowledgements); absent in older histories. */
  acknowledgements?: boolean;
}

/** What one acknowledgement poll did (collectAcknowledgements). */
export interface AcknowledgementPoll {
  /** Acknowledgement files read (or refused) and recorded this poll. */
  read: number;
  rejected: number;
  unmatched: number;
  /** Delivered files alerted as late this poll. */
  late: number;
}

/** Small, reference-only summaries: record data never travels through workflow history. */
export interface StagedRun {
  runKey: string;
  integrationId: string;
  windowFrom: string;
  windowTo: string;
  extracted: number;
  /** Records staged for delivery: new or changed since they were last sent. */
  staged: number;
  /** Already in the ledger with the same version: not sent again. */
  alreadySent: number;
  quarantined: number;
}

export interface RenderedFile {
  fileId: string;
  fileName: string;
  byteCount: number;
  sha256: string;
  recordCount: number;
}

export interface DeliveredFile extends RenderedFile {
  remotePath: string;
  /** False when a retry found the file already delivered by an earlier attempt. */
  uploadedNow: boolean;
}

/** A file owed to a further destination (pendingDestinationDeliveries): references only. */
export interface PendingDestinationDelivery {
  fileId: string;
  destinationId: string;
  runKey: string;
}

/** How delivering one file to one further destination went, this time. */
export interface DestinationOutcome {
  fileId: string;
  destinationId: string;
  /** Delivered: now, or found already there (uploadedNow false). */
  delivered: boolean;
  uploadedNow?: boolean;
  remotePath?: string;
  /** Not delivered: the failure's type and message; or `waiting` behind an earlier failed file. */
  error?: string;
}

/** A run's records in the ledger and its watermark moved (commitRun). */
export interface CommittedRun {
  sent: number;
  watermark: string;
}

/** A rendered file delivered and its run committed: what `ml-connector retry` returns. */
export interface DeliveredRun extends CommittedRun {
  file: DeliveredFile;
  /** Further destinations: what was delivered to each (absent with `sftp` alone). */
  destinations?: DestinationOutcome[];
}

/** `ml-connector retry` of a committed run whose further destinations still lack its file. */
export interface DestinationRetry {
  runKey: string;
  destinations: DestinationOutcome[];
}

/**
 * What recording a run's failure did with it: `closed` (nothing was sent; the window is read
 * again) or `kept-for-retry` (its file waits for the next sync or `ml-connector retry`).
 */
export type FailureOutcome = 'closed' | 'kept-for-retry';

export interface SyncResult {
  runKey: string;
  integrationId: string;
  windowFrom: string;
  windowTo: string;
  extracted: number;
  sent: number;
  alreadySent: number;
  quarantined: number;
  file: DeliveredFile | null;
  /** A file an earlier, failed run left staged, delivered by this run before its own. */
  resumed: DeliveredFile | null;
  watermark: string;
  /** Further destinations: each file delivered (or not) to each this sync (absent with `sftp` alone). */
  destinations?: DestinationOutcome[];
  /** What the acknowledgement poll after the commit did (X12 integrations with sftp.acknowledgements). */
  acknowledgements?: AcknowledgementPoll;
}
