import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../src/activities';
import { planAfter, type ScheduleSpec } from '../../src/schedule';
import type { DeliveredFile, StagedRun } from '../../src/shared';

// In-memory stand-ins for every activity the workflows call, typed by the real `Activities`
// (type only: nothing of src/activities runs here), so a renamed, added or re-typed activity
// breaks compilation of these tests. The one real piece is the schedule planner (src/schedule),
// which the real planNextTimes calls too. What each fake was asked is kept for the assertions.

export type AlertInput = Parameters<Activities['sendAlert']>[0];
/** An alert the workflows sent, with the (test server) time its activity was scheduled. */
export type SentAlert = AlertInput & { scheduledAt: number };

export const INITIAL_WATERMARK = '2026-01-01T00:00:00.000Z';

export interface FakeOptions {
  schedule: ScheduleSpec;
  /** Records each scheduled sync finds, in order; syncs past the list find none (no file). */
  changes?: number[];
  /** Makes the n-th upload (1-based) fail as SFTP authentication does: non-retryable. */
  failUpload?: (n: number) => boolean;
}

interface FakeRun {
  runKey: string;
  kind: 'sync' | 'resend';
  workflowId: string;
  windowTo: string;
  staged: number;
  fileName: string | null;
  committed: boolean;
}

/** A gate the test opens: a resend waits at it, so a test can look while a resync runs. */
export class Gate {
  private opened = false;
  private waiters: (() => void)[] = [];
  waiting = 0;
  open(): void {
    this.opened = true;
    for (const w of this.waiters.splice(0)) w();
  }
  async pass(): Promise<void> {
    if (this.opened) return;
    this.waiting++;
    await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.waiting--;
  }
}

export class FakeConnector {
  readonly alerts: SentAlert[] = [];
  readonly runs: FakeRun[] = [];
  readonly failures: { runKey: string; stage: string; reason: string }[] = [];
  readonly resends: { window: { from: string; to: string }; recordIds?: string[]; reason: string }[] = [];
  /** Every activity call, by name, in call order. */
  readonly calls: (keyof Activities)[] = [];
  watermark: string | null = null;
  uploads = 0;
  /** Resends wait here when set. */
  resendGate: Gate | null = null;
  /** Schedule planning (planNextTimes) waits here when set. */
  planGate: Gate | null = null;
  /** What planNextTimes plans by: a test changes it as an operator changes the config. */
  schedule: ScheduleSpec;
  private readonly changes: number[];

  constructor(private readonly options: FakeOptions) {
    this.changes = [...(options.changes ?? [])];
    this.schedule = options.schedule;
  }

  /** Scheduled syncs, in start order. */
  syncs(): FakeRun[] {
    return this.runs.filter((r) => r.kind === 'sync');
  }

  /** Committed files (their commit time is their window end, the run's workflow time). */
  files(): FakeRun[] {
    return this.runs.filter((r) => r.committed && r.fileName !== null);
  }

  private run(runKey: string): FakeRun {
    const run = this.runs.find((r) => r.runKey === runKey);
    if (!run) throw new Error(`fake: no run ${runKey}`);
    return run;
  }

  private open(kind: FakeRun['kind'], runKey: string, windowTo: string, staged: number): StagedRun {
    this.runs.push({
      runKey,
      kind,
      workflowId: activityInfo().workflowExecution?.workflowId ?? '',
      windowTo,
      staged,
      fileName: null,
      committed: false,
    });
    return {
      runKey,
      integrationId: 'fake',
      windowFrom: this.watermark ?? INITIAL_WATERMARK,
      windowTo,
      extracted: staged,
      staged,
      alreadySent: 0,
      quarantined: 0,
    };
  }

  private delivered(fileName: string, recordCount: number): DeliveredFile {
    return {
      fileId: `file-${fileName}`,
      fileName,
      byteCount: recordCount * 100,
      sha256: '0'.repeat(64),
      recordCount,
      remotePath: `/outbound/${fileName}`,
      uploadedNow: true,
    };
  }

  activities(): Activities {
    const track = <K extends keyof Activities>(name: K, fn: Activities[K]): Activities[K] => {
      const wrapped = async (...args: Parameters<Activities[K]>) => {
        this.calls.push(name);
        return (fn as (...a: Parameters<Activities[K]>) => ReturnType<Activities[K]>)(...args);
      };
      return wrapped as Activities[K];
    };
    return {
      refreshFusionToken: track('refreshFusionToken', async () => ({ expiresAt: null })),
      checkKeyHygiene: track('checkKeyHygiene', async () => ({ items: 0, warn: 0, expired: 0, alert: null })),
      collectAcknowledgements: track('collectAcknowledgements', async () => ({
        read: 0,
        rejected: 0,
        unmatched: 0,
        late: 0,
      })),
      integrationSettings: track('integrationSettings', async () => ({
        uploadRetryWindowSeconds: 600,
        entity: 'JournalLines',
        initialWatermark: INITIAL_WATERMARK,
        scheduled: true,
      })),
      planNextTimes: track('planNextTimes', async ({ after }) => {
        await this.planGate?.pass();
        return planAfter(this.schedule, new Date(after));
      }),
      filesCommittedSince: track(
        'filesCommittedSince',
        async ({ since }) => this.files().filter((f) => f.windowTo > since).length,
      ),
      currentWatermark: track('currentWatermark', async () => this.watermark),
      releaseAbandonedRun: track('releaseAbandonedRun', async () => null),
      findResumableRun: track('findResumableRun', async () => null),
      recordRunFailure: track('recordRunFailure', async (input) => {
        this.failures.push(input);
        return 'closed';
      }),
      sendAlert: track('sendAlert', async (input) => {
        this.alerts.push({ ...input, scheduledAt: activityInfo().scheduledTimestampMs });
        return { delivered: 1, failed: 0 };
      }),
      stageChanges: track('stageChanges', async ({ runKey, windowTo }) =>
        this.open('sync', runKey, windowTo, this.changes.shift() ?? 0),
      ),
      stageResend: track('stageResend', async ({ runKey, window, recordIds, reason }) => {
        this.resends.push({ window, recordIds, reason });
        await this.resendGate?.pass();
        return this.open('resend', runKey, window.to, recordIds?.length ?? 3);
      }),
      renderFile: track('renderFile', async ({ runKey }) => {
        const run = this.run(runKey);
        if (run.staged === 0) return null;
        run.fileName = `journal-lines-${run.windowTo.replace(/[-:.]/g, '')}-${this.runs.indexOf(run)}.csv`;
        const { remotePath: _, uploadedNow: __, ...rendered } = this.delivered(run.fileName, run.staged);
        return rendered;
      }),
      uploadFile: track('uploadFile', async ({ fileId }) => {
        this.uploads++;
        if (this.options.failUpload?.(this.uploads)) {
          throw ApplicationFailure.nonRetryable('authentication failed (fake)', 'SftpAuth');
        }
        const run = this.runs.find((r) => r.fileName !== null && `file-${r.fileName}` === fileId);
        if (!run?.fileName) throw new Error(`fake: no file ${fileId}`);
        return this.delivered(run.fileName, run.staged);
      }),
      pendingDestinationDeliveries: track('pendingDestinationDeliveries', async () => []),
      uploadToDestination: track('uploadToDestination', async () => {
        throw new Error('fake: the fake integration has no further destinations');
      }),
      replayFile: track('replayFile', async ({ fileName }) => ({
        ...this.delivered(fileName, 2),
        uploadedNow: true,
      })),
      commitRun: track('commitRun', async ({ runKey }) => {
        const run = this.run(runKey);
        run.committed = true;
        if (run.kind === 'sync') this.watermark = run.windowTo;
        return { sent: run.fileName ? run.staged : 0, watermark: this.watermark ?? INITIAL_WATERMARK };
      }),
    };
  }
}
