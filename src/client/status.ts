import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { worstStatus } from '../keys';
import type {
  ActiveRun,
  DestinationOverview,
  FailedRun,
  FinishedRun,
  IntegrationActivity,
  LastFile,
  Ledger,
  StoredKeyHygieneItem,
} from '../ledger';
import type { IntegrationStatus } from '../shared/integrationWorkflow';
import { parseRunKey } from '../shared/runKey';
import { integrationWorkflowId } from '../shared/workflowIds';
import { integrationStatus } from './integration';

// `ml-connector status`: the integration as the ledger knows it (watermark, runs, the last run and
// file, open failures, what is running now with its live progress, whatever started it), plus the
// integration workflow's schedule when there is one. The ledger is the truth for what happened;
// the workflow only knows the syncs it started itself. Key hygiene is what the worker's last
// daily check stored in the ledger (the CLI holds no keys to read them itself).

export type RunStage = 'extract' | 'render' | 'upload' | 'commit';

export interface RunningRun {
  runKey: string;
  workflowId: string | null;
  /** Who started it: the integration workflow's schedule, `sync`, a resync, `retry`. */
  startedBy: 'schedule' | 'sync' | 'resync' | 'retry' | 'other';
  kind: 'sync' | 'resend';
  /** The stage it is in now (from the run's status). */
  stage: RunStage;
  startedAt: string;
  progress: ActiveRun['progress'];
  /** When the progress was last written (a run whose progress stops moving is stuck or waiting). */
  progressAt: string | null;
}

export interface ScheduleStatus {
  workflowId: string;
  paused: boolean;
  nextRun: string | null;
  nextDeadline: IntegrationStatus['nextDeadline'];
  lastDeadlineMissed: IntegrationStatus['lastDeadlineMissed'];
  lastError: IntegrationStatus['lastError'];
  resync: IntegrationStatus['resync'];
  lastResync: IntegrationStatus['lastResync'];
  /** What the workflow counted itself (its scheduled syncs and resyncs only). */
  counts: IntegrationStatus['counts'];
  /** When the workflow last ran its daily key hygiene check (null before the first). */
  lastKeyHygiene: IntegrationStatus['lastKeyHygiene'];
}

export interface StatusReport {
  integrationId: string;
  watermark: string | null;
  running: RunningRun[];
  lastRun: FinishedRun | null;
  lastFile: LastFile | null;
  counts: IntegrationActivity['runs'] & { delivered: number; openFailures: number };
  openFailures: FailedRun[];
  /**
   * Each destination, `primary` (the \`sftp\` one) first: files delivered, failed and waiting,
   * and the last error. Only for an integration that has delivered to further destinations.
   */
  destinations?: DestinationOverview[];
  /**
   * Key hygiene as the worker's last daily check found it: each PGP key's expiry, each stored
   * credential's age, each host key pin's last confirmation, ok / warn / expired with days left.
   * Public facts only (key IDs, fingerprints, names, dates). Empty before the first check.
   */
  keys: {
    status: 'ok' | 'warn' | 'expired' | 'unknown';
    checkedAt: string | null;
    items: StoredKeyHygieneItem[];
  };
  /**
   * X12 acknowledgements (sftp.acknowledgements): delivered files still waiting for the partner's
   * 997/999 (or late), files it rejected, and acknowledgements that matched nothing we sent. Only
   * when one of them is not zero.
   */
  acknowledgements?: { awaiting: number; rejected: number; unmatched: number };
  /** The integration workflow, or null when none was started (syncs can still run with `sync`). */
  schedule: ScheduleStatus | null;
  /** Why the workflow could not be asked (no worker answering, for one); the rest still holds. */
  scheduleError?: string;
}

const STAGE_OF_STATUS: Record<string, RunStage> = {
  staging: 'extract',
  staged: 'render',
  rendered: 'upload',
  uploaded: 'commit',
};

function startedBy(workflowId: string | null, scheduled: string | null): RunningRun['startedBy'] {
  if (!workflowId) return 'other';
  if (workflowId === scheduled) return 'schedule';
  if (workflowId.startsWith('sync-')) return 'sync';
  if (workflowId.startsWith('resync-')) return 'resync';
  if (workflowId.startsWith('retry-')) return 'retry';
  return 'other';
}

/** Runs that are open now, as `status` shows them. */
export function runningRuns(active: ActiveRun[], scheduledWorkflowId: string | null = null): RunningRun[] {
  return active.map((run) => {
    const workflowId = parseRunKey(run.runKey)?.workflowId ?? null;
    return {
      runKey: run.runKey,
      workflowId,
      startedBy: run.retrying ? 'retry' : startedBy(workflowId, scheduledWorkflowId),
      kind: run.kind,
      stage: STAGE_OF_STATUS[run.status] ?? 'commit',
      startedAt: run.startedAt,
      progress: run.progress,
      progressAt: run.progressAt,
    };
  });
}

/**
 * The workflow's status, or null when no integration workflow is running (never started, or
 * terminated: a closed workflow's query would wait for a worker of its old task queue).
 */
async function scheduleStatus(
  client: Client,
  integrationId: string,
  canQuery: (taskQueue: string) => Promise<boolean>,
): Promise<{ status: IntegrationStatus | null; error?: string }> {
  try {
    const workflowId = integrationWorkflowId(integrationId);
    const { status, taskQueue } = await client.workflow.getHandle(workflowId).describe();
    if (status.name !== 'RUNNING') return { status: null };
    if (!(await canQuery(taskQueue))) {
      return {
        status: null,
        error: `no worker polls task queue "${taskQueue}": ${workflowId} cannot answer its status query`,
      };
    }
    return { status: await integrationStatus(client, integrationId) };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { status: null };
    return { status: null, error: (err as Error).message };
  }
}

/**
 * The status report. `canQuery` says whether a worker polls the workflow's task queue (the CLI asks
 * the server; without a worker a query waits 30 s and fails); by default it is taken to.
 */
export async function statusReport(
  client: Client,
  ledger: Ledger,
  integrationId: string,
  canQuery: (taskQueue: string) => Promise<boolean> = async () => true,
): Promise<StatusReport> {
  const [activity, failures, workflow, further, keys, acks] = await Promise.all([
    ledger.integrationActivity(integrationId),
    ledger.failedRuns(integrationId),
    scheduleStatus(client, integrationId, canQuery),
    ledger.destinationOverview(integrationId),
    ledger.keyHygieneItems(integrationId),
    ledger.ackCounts(integrationId),
  ]);
  const destinations = further.length ? [await ledger.primaryOverview(integrationId), ...further] : null;
  const wf = workflow.status;
  return {
    integrationId,
    watermark: activity.watermark,
    running: runningRuns(activity.running, wf?.running?.workflowId ?? null),
    lastRun: activity.lastRun,
    lastFile: activity.lastFile,
    counts: { ...activity.runs, delivered: activity.delivered, openFailures: failures.length },
    openFailures: failures,
    ...(destinations ? { destinations } : {}),
    ...(acks.awaiting || acks.rejected || acks.unmatched ? { acknowledgements: acks } : {}),
    keys: {
      status: worstStatus(keys),
      checkedAt: keys.reduce<string | null>((at, k) => (at && at > k.checkedAt ? at : k.checkedAt), null),
      items: keys,
    },
    schedule: wf
      ? {
          workflowId: integrationWorkflowId(integrationId),
          paused: wf.paused,
          nextRun: wf.nextRun,
          nextDeadline: wf.nextDeadline,
          lastDeadlineMissed: wf.lastDeadlineMissed,
          lastError: wf.lastError,
          resync: wf.resync,
          lastResync: wf.lastResync ?? null,
          counts: wf.counts,
          lastKeyHygiene: wf.lastKeyHygiene ?? null,
        }
      : null,
    ...(workflow.error ? { scheduleError: workflow.error } : {}),
  };
}
