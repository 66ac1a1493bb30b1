import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { activityInfo, heartbeat, log } from '@temporalio/activity';
import { type Alert, type AlertSink, sendAlert } from '../alerts';
import { ConfigError, type IntegrationConfig } from '../config';
import { rendererFor, SAMPLE_ENVELOPE } from '../config/formats';
import { readChanges, readRecordsById } from '../fusion';
import type { IntegrationRuntime } from '../integrations';
import type { FileRow, Ledger, RunRow } from '../ledger';
import type { Metrics } from '../observability/metrics';
import { fileExtension, formatExtension } from '../pipeline';
import { type PlannedTimes, planAfter } from '../schedule';
import { deliverFile, renderFileName } from '../sftp';
import type { DeliveredFile, RenderedFile, StagedRun } from '../shared';
import { parseRunKey } from '../shared/runKey';
import { typedFailures } from './failures';
import { renderStagedRecords } from './render';
import { stageExtracted } from './staging';

export type { IntegrationRuntime };

// Thin adapters between the workflow and fusion/formats/sftp/ledger. Inputs and results are
// small references (run keys, file IDs, counts): record data stays in Postgres.

/**
 * Named fault points for the fault-injection suite (see worker.ts failpointFromEnv). `in-commit` is
 * inside the commit transaction, every write done, before COMMIT.
 */
export type Failpoint = 'mid-extraction' | 'mid-upload' | 'after-upload' | 'before-commit' | 'in-commit';

export interface ActivityDeps {
  ledger: Ledger;
  integration(id: string): IntegrationRuntime;
  /** Where failure alerts go; none configured is a valid setup (the failure is still recorded). */
  alertSinks: AlertSink[];
  /** Prometheus counters; absent in tests that do not scrape. */
  metrics?: Metrics;
  failpoint?: (at: Failpoint) => void | Promise<void>;
  /** Whether a workflow run is still open in Temporal (false when it ended or is unknown). */
  workflowRunIsOpen(workflowId: string, runId: string): Promise<boolean>;
}

function renderedSummary(file: FileRow): RenderedFile {
  return {
    fileId: file.fileId,
    fileName: file.fileName,
    byteCount: file.byteCount,
    sha256: file.sha256,
    recordCount: file.recordCount,
  };
}

function stagedSummary(run: RunRow): StagedRun {
  return {
    runKey: run.runKey,
    integrationId: run.integrationId,
    windowFrom: run.windowFrom,
    windowTo: run.windowTo,
    extracted: run.extracted,
    staged: run.staged,
    alreadySent: run.alreadySent,
    quarantined: run.quarantined,
  };
}

/** Writes bytes to the archive in ~1 MiB chunks while hashing and counting them. */

/**
 * Heartbeats while one long call (a single SQL statement) runs, so a dead worker is noticed
 * after the heartbeat timeout rather than after the whole start-to-close timeout.
 */
async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  heartbeat();
  const timer = setInterval(() => heartbeat(), 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/**
 * The archived file as a stream, two 1 MiB chunks read ahead at most: the default (16 objects)
 * held 16 MiB per upload on top of the SFTP write buffer, for no gain in speed.
 */
function archivedBytes(ledger: Ledger, fileId: string): Readable {
  return Readable.from(ledger.fileChunks(fileId), { highWaterMark: 2 });
}

/** Deterministic per run: the window end for people, a run hash so two runs never share a name. */
export function outboundFileName(
  config: IntegrationConfig,
  windowTo: string,
  runKey: string,
  ext: string,
): string {
  const run = createHash('sha256').update(runKey).digest('hex').slice(0, 8);
  return renderFileName(config.sftp.fileNameTemplate, {
    integration: config.id,
    entity: config.entity,
    at: new Date(windowTo),
    run,
    ext,
  });
}

export function createActivities(deps: ActivityDeps) {
  const { ledger } = deps;

  /** Stages the extracted pages into the open run, closes its staging and reports the counts. */
  const stageIntoRun = async (
    rt: IntegrationRuntime,
    open: RunRow,
    pages: Parameters<typeof stageExtracted>[3],
    only?: ReadonlySet<string>,
    afterPage?: () => void | Promise<void>,
  ): Promise<StagedRun> => {
    await stageExtracted(ledger, rt, open, pages, only, afterPage);
    const run = await ledger.finishStaging(open.runKey);
    deps.metrics?.recordsExtracted(run.integrationId, run.extracted);
    deps.metrics?.recordsQuarantined(run.integrationId, run.quarantined);
    log.info('Changes staged', { ...stagedSummary(run), kind: run.kind });
    return stagedSummary(run);
  };

  return {
    /** Fetches (or reuses) the OAuth token; returns only its expiry, never the token. */
    async refreshFusionToken(input: { integrationId: string }): Promise<{ expiresAt: string | null }> {
      return typedFailures(async () => {
        const { expiresAt } = await deps.integration(input.integrationId).fusion.auth.warm();
        return { expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString() };
      });
    },

    /** The non-secret settings the workflow needs to plan a run (retry windows). */
    async integrationSettings(input: { integrationId: string }): Promise<{
      uploadRetryWindowSeconds: number;
      entity: string;
      initialWatermark: string;
      scheduled: boolean;
    }> {
      return typedFailures(async () => {
        const { config } = deps.integration(input.integrationId);
        return {
          uploadRetryWindowSeconds: config.sftp.retryWindowMinutes * 60,
          entity: config.entity,
          initialWatermark: new Date(config.fusion.initialWatermark).toISOString(),
          scheduled: config.schedule !== undefined,
        };
      });
    },

    /** The next scheduled sync and the next deadline after a moment, from the integration's cron rules. */
    async planNextTimes(input: { integrationId: string; after: string }): Promise<PlannedTimes> {
      return typedFailures(async () => {
        const { config } = deps.integration(input.integrationId);
        if (!config.schedule) {
          throw new ConfigError(
            `Integration "${config.id}" has no schedule: add "schedule": { "cron": [...] }`,
          );
        }
        return planAfter(config.schedule, new Date(input.after));
      });
    },

    async filesCommittedSince(input: { integrationId: string; since: string }): Promise<number> {
      return typedFailures(() => ledger.filesCommittedSince(input.integrationId, input.since));
    },

    async currentWatermark(input: { integrationId: string }): Promise<string | null> {
      return typedFailures(() => ledger.watermark(input.integrationId));
    },

    /**
     * An open run whose workflow ended without closing it (terminated, timed out, reset) would
     * block every later run. It is closed as failed the way a failing run closes itself: before
     * a file exists nothing was sent and the window is read again; once a file exists it stays
     * for the next sync to deliver first (findResumableRun).
     */
    async releaseAbandonedRun(input: {
      integrationId: string;
    }): Promise<{ runKey: string; outcome: 'closed' | 'kept-for-retry' } | null> {
      return typedFailures(async () => {
        const open = await ledger.openRunOf(input.integrationId);
        if (!open) return null;
        const owner = parseRunKey(open.runKey);
        const me = activityInfo().workflowExecution;
        if (!owner || (owner.workflowId === me?.workflowId && owner.runId === me?.runId)) return null;
        if (await deps.workflowRunIsOpen(owner.workflowId, owner.runId)) return null; // really in progress
        const stage = open.status === 'staging' ? 'extract' : open.status === 'staged' ? 'render' : 'upload';
        const reason = `abandoned: workflow ${owner.workflowId} (run ${owner.runId}) ended without finishing this run`;
        const outcome = await ledger.recordRunFailure(open.runKey, stage, reason);
        log.warn('Abandoned run released', { runKey: open.runKey, status: open.status, outcome });
        return { runKey: open.runKey, outcome };
      });
    },

    /** A file an earlier run rendered but could not deliver: the next sync delivers it first. */
    async findResumableRun(input: {
      integrationId: string;
      runKey?: string;
    }): Promise<{ runKey: string; fileId: string } | null> {
      return typedFailures(() => ledger.findResumableRun(input.integrationId, input.runKey));
    },

    /** Records a run's failure in Postgres: what failed, why, and whether its file waits for a retry. */
    async recordRunFailure(input: {
      runKey: string;
      stage: string;
      reason: string;
    }): Promise<'closed' | 'kept-for-retry'> {
      return typedFailures(async () => {
        const outcome = await ledger.recordRunFailure(input.runKey, input.stage, input.reason);
        const run = await ledger.getRun(input.runKey);
        if (run) deps.metrics?.failure(run.integrationId, input.stage);
        log.error('Run failed', { ...input, outcome });
        return outcome;
      });
    },

    /** Sends a failure alert to every configured sink; one sink failing does not stop the others. */
    async sendAlert(input: Omit<Alert, 'at'>): Promise<{ delivered: number; failed: number }> {
      const outcomes = await sendAlert(deps.alertSinks, { ...input, at: new Date().toISOString() });
      for (const o of outcomes) {
        if (!o.ok) log.error('Alert not delivered', { sink: o.sink, error: o.error.message });
      }
      const delivered = outcomes.filter((o) => o.ok).length;
      return { delivered, failed: outcomes.length - delivered };
    },

    /** Extracts the window's changes and stages the versions the ledger has not seen. */
    async stageChanges(input: {
      integrationId: string;
      runKey: string;
      windowTo: string;
    }): Promise<StagedRun> {
      return typedFailures(async () => {
        const rt = deps.integration(input.integrationId);
        const run = await ledger.openRun({
          runKey: input.runKey,
          integrationId: input.integrationId,
          entity: rt.config.entity,
          windowTo: input.windowTo,
          initialWatermark: rt.config.fusion.initialWatermark,
          overlapSeconds: rt.config.fusion.overlapSeconds,
        });
        if (run.status !== 'staging') return stagedSummary(run);
        const window = { from: run.windowFrom, to: run.windowTo };
        const pages = readChanges(rt.fusion.client, rt.config.entity, window, rt.read);
        return stageIntoRun(rt, run, pages, undefined, () => deps.failpoint?.('mid-extraction'));
      });
    },

    /**
     * Stages a resend (a forced resync or one backfill window): every current record in the window,
     * or the given records, whether sent before or not. The live watermark does not move.
     */
    async stageResend(input: {
      integrationId: string;
      runKey: string;
      window: { from: string; to: string };
      recordIds?: string[];
      reason: string;
    }): Promise<StagedRun> {
      return typedFailures(async () => {
        const rt = deps.integration(input.integrationId);
        const run = await ledger.openResendRun({
          runKey: input.runKey,
          integrationId: input.integrationId,
          entity: rt.config.entity,
          windowFrom: input.window.from,
          windowTo: input.window.to,
          reason: input.reason,
        });
        if (run.status !== 'staging') return stagedSummary(run);
        const pages = input.recordIds
          ? readRecordsById(rt.fusion.client, rt.config.entity, input.recordIds, rt.read)
          : readChanges(rt.fusion.client, rt.config.entity, input.window, rt.read);
        return stageIntoRun(rt, run, pages, input.recordIds ? new Set(input.recordIds) : undefined);
      });
    },

    /**
     * Renders the staged records in the integration's format, checks the result with an
     * independent parser and archives it in Postgres, all in one transaction. A record that
     * cannot be written is quarantined; a file that fails its check is never stored or sent.
     */
    async renderFile(input: { integrationId: string; runKey: string }): Promise<RenderedFile | null> {
      return typedFailures(async () => {
        const rt = deps.integration(input.integrationId);
        const run = await ledger.getRun(input.runKey);
        if (!run) throw new Error(`No run ${input.runKey}`);
        const existing = await ledger.getFileByRun(input.runKey);
        if (existing) return renderedSummary(existing);
        if (run.status !== 'staged') return null; // rendered earlier with no record left: no file

        const { format } = rt.config;
        const numbers =
          format.type === 'x12' ? await ledger.allocateX12ControlNumbers(format.partnerId, run.staged) : null;
        const envelope = numbers
          ? {
              interchangeControlNumber: numbers.interchange,
              groupControlNumber: numbers.group,
              firstTransactionSetControlNumber: numbers.firstSet,
              createdAt: run.windowTo,
            }
          : SAMPLE_ENVELOPE;
        const { compress } = rt.config.sftp;
        const extension = fileExtension(format.type, rt.pgp, compress);
        const fileName = outboundFileName(rt.config, run.windowTo, run.runKey, extension);
        const renderer = rendererFor(rt.config, envelope, {
          fileName,
          integration: rt.config.id,
          windowTo: run.windowTo,
        });
        const file = await ledger.saveRenderedFile(
          run,
          {
            fileName,
            remotePath: `${rt.config.sftp.folder.replace(/\/+$/, '')}/${fileName}`,
            format: format.type,
          },
          (sink) =>
            renderStagedRecords(
              {
                ledger,
                runKey: run.runKey,
                renderer,
                format: format.type,
                pgp: rt.pgp,
                numbers,
                // A zip holds the file under the run's own name with the format's extension.
                ...(compress
                  ? {
                      compress: {
                        type: compress,
                        entryName: outboundFileName(
                          rt.config,
                          run.windowTo,
                          run.runKey,
                          formatExtension(format.type),
                        ),
                        mtime: new Date(run.windowTo),
                      },
                    }
                  : {}),
              },
              sink,
            ),
        );
        if (file)
          log.info('File rendered', {
            fileName: file.fileName,
            records: file.recordCount,
            bytes: file.byteCount,
          });
        return file ? renderedSummary(file) : null;
      });
    },

    /** Delivers the archived bytes over a new SFTP connection; safe to retry after any crash. */
    async uploadFile(input: { integrationId: string; fileId: string }): Promise<DeliveredFile> {
      return typedFailures(async () => {
        const rt = deps.integration(input.integrationId);
        const file = await ledger.getFile(input.fileId);
        if (!file) throw new Error(`No file ${input.fileId}`);
        const result = await deliverFile(
          rt.sftp,
          {
            fileName: file.fileName,
            byteCount: file.byteCount,
            sha256: file.sha256,
            open: () => archivedBytes(ledger, file.fileId),
          },
          (bytes) => {
            heartbeat({ bytes });
            void deps.failpoint?.('mid-upload');
          },
        );
        await deps.failpoint?.('after-upload');
        await ledger.markUploaded(file.fileId);
        await ledger.recordDelivery(file.fileId, 'upload', result.uploadedNow, null);
        if (result.uploadedNow) {
          deps.metrics?.fileSent(input.integrationId, { bytes: file.byteCount, records: file.recordCount });
        }
        log.info('File delivered', { fileName: file.fileName, ...result });
        return {
          fileId: file.fileId,
          fileName: file.fileName,
          byteCount: file.byteCount,
          sha256: file.sha256,
          recordCount: file.recordCount,
          remotePath: result.remotePath,
          uploadedNow: result.uploadedNow,
        };
      });
    },

    /**
     * Delivers a past file again, byte for byte from the archive, with the admin's reason recorded.
     * If the server still holds the identical file, nothing is uploaded (and that is recorded too).
     */
    async replayFile(input: {
      integrationId: string;
      fileName: string;
      reason: string;
    }): Promise<DeliveredFile> {
      return typedFailures(async () => {
        const rt = deps.integration(input.integrationId);
        const file = await ledger.getFileByName(input.integrationId, input.fileName);
        if (file?.status !== 'committed') {
          throw new ConfigError(
            `No delivered file "${input.fileName}" for integration "${input.integrationId}"`,
          );
        }
        const result = await deliverFile(
          rt.sftp,
          {
            fileName: file.fileName,
            byteCount: file.byteCount,
            sha256: file.sha256,
            open: () => archivedBytes(ledger, file.fileId),
          },
          (bytes) => heartbeat({ bytes }),
        );
        await ledger.recordDelivery(file.fileId, 'replay', result.uploadedNow, input.reason);
        log.info('File replayed', {
          integrationId: input.integrationId,
          fileName: file.fileName,
          reason: input.reason,
          ...result,
        });
        return { ...renderedSummary(file), remotePath: result.remotePath, uploadedNow: result.uploadedNow };
      });
    },

    /** Records every delivered record in the ledger and moves the watermark, in one transaction. */
    async commitRun(input: { runKey: string }): Promise<{ sent: number; watermark: string }> {
      return typedFailures(async () => {
        await deps.failpoint?.('before-commit');
        const committed = await whileHeartbeating(() =>
          ledger.commitRun(input.runKey, { beforeCommit: () => deps.failpoint?.('in-commit') }),
        );
        const run = await ledger.getRun(input.runKey);
        if (run?.kind === 'sync') {
          deps.metrics?.watermarkMoved(run.integrationId, committed.watermark);
          deps.metrics?.syncFinished(run.integrationId, (Date.now() - Date.parse(run.startedAt)) / 1000);
        }
        log.info('Run committed', { integrationId: run?.integrationId, runKey: input.runKey, ...committed });
        return committed;
      });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
