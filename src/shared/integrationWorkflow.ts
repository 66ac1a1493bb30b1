import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DeliveredFile } from './index';
import type { LastKeyHygiene } from './keyHygiene';

// The long-lived integration workflow's interface: what the CLI, the Temporal CLI and the Web
// UI can send it and ask it. Defined once, here, for the workflow and every client.

export const INTEGRATION_SEARCH_ATTRIBUTE = 'MlcIntegration';
export const ENTITY_SEARCH_ATTRIBUTE = 'MlcEntity';

/** What to send again. Resent records are recorded as resends; the live watermark does not move. */
export type ResyncScope =
  | { mode: 'all' }
  | { mode: 'since'; since: string }
  | { mode: 'range'; from: string; to: string }
  | {
      mode: 'records';
      recordIds: string[];
      /**
       * Released quarantined records (`quarantine release`): read again by ID and delivered once,
       * deduplicated like a live sync and recorded as deliveries, not resends.
       */
      release?: boolean;
    };

export type ResyncRequest = ResyncScope & {
  /** Why (kept with every resent record's run). */
  reason: string;
  /** Window length for date ranges (a backfill), in hours; default 24. */
  windowHours?: number;
  /** The requester's own ID for it (`resync --wait` follows the resync that carries it). */
  requestId?: string;
};

export interface ResyncAck {
  accepted: true;
  /** 0 = starts now; n = n requests ahead of it. */
  position: number;
}

export interface ResyncProgress {
  workflowId: string;
  windowsDone: number;
  windowsTotal: number;
  sent: number;
  quarantined: number;
  done: boolean;
  error?: string;
}

export interface IntegrationStatus {
  integrationId: string;
  paused: boolean;
  watermark: string | null;
  nextRun: string | null;
  nextDeadline: { at: string; since: string; label: string } | null;
  /** The scheduled sync running now, if any (a pause lets it finish). */
  running: { workflowId: string; startedAt: string } | null;
  lastRun: {
    workflowId: string;
    finishedAt: string;
    ok: boolean;
    sent: number;
    quarantined: number;
    file: DeliveredFile | null;
    error?: string;
  } | null;
  lastFile: DeliveredFile | null;
  lastError: { at: string; message: string } | null;
  counts: { runs: number; failures: number; sent: number; quarantined: number; resyncs: number };
  resync: { current: (ResyncProgress & { request: ResyncRequest }) | null; queued: number };
  /** The resync that ended last, as it ended (windowsDone = windowsTotal unless it failed). */
  lastResync?: (ResyncProgress & { request: ResyncRequest }) | null;
  lastDeadlineMissed: { at: string; label: string } | null;
  /** The last daily key hygiene check (absent before it first ran, or in workflows started before it). */
  lastKeyHygiene?: LastKeyHygiene | null;
}

export interface IntegrationWorkflowInput {
  integrationId: string;
  /** Carried across continue-as-new. */
  state?: IntegrationStatus & { queue: QueuedResync[] };
  /** Continue as new after this many loop turns (tests make it small). */
  maxTurns?: number;
  heartbeatTimeout?: string;
}

/** A resync request waiting its turn. */
export type QueuedResync = ResyncRequest;

/** A resync child's input: what to send again, and whom to report progress to. */
export interface ResyncInput {
  integrationId: string;
  request: ResyncRequest;
  /** The integration workflow to report progress to. */
  parentWorkflowId?: string;
  heartbeatTimeout?: string;
}

export interface ResyncResult {
  windows: number;
  sent: number;
  quarantined: number;
  files: string[];
}

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
/**
 * Plan again now: ends the current wait, so the next sync and deadline come from the worker's
 * config as it is now (the worker sends it at start, so a changed schedule applies at once).
 */
export const replanSignal = defineSignal('replan');
export const forceResyncSignal = defineSignal<[ResyncRequest]>('forceResync');
/** The same request as an Update: the caller gets an acknowledgement (or a validation error). */
export const forceResyncUpdate = defineUpdate<ResyncAck, [ResyncRequest]>('forceResync');
/** Sent by a resync child to its parent as it progresses. */
export const resyncProgressSignal = defineSignal<[ResyncProgress]>('resyncProgress');
export const statusQuery = defineQuery<IntegrationStatus>('status');

/** Why a resync request cannot be accepted, or null. Pure: the workflow's update validator uses it. */
export function resyncRequestProblem(request: ResyncRequest): string | null {
  if (!request || typeof request !== 'object') return 'a resync request is an object';
  if (!request.reason?.trim()) return 'a resync needs a reason (it is recorded with every resent record)';
  const instant = (s: string) =>
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(s);
  switch (request.mode) {
    case 'all':
      return null;
    case 'since':
      return instant(request.since) ? null : 'since must be a date or an RFC 3339 time with a zone';
    case 'range':
      if (!instant(request.from) || !instant(request.to))
        return 'from and to must be dates or RFC 3339 times with a zone';
      return Date.parse(request.from) < Date.parse(request.to) ? null : 'from must be before to';
    case 'records':
      return Array.isArray(request.recordIds) && request.recordIds.length > 0
        ? null
        : 'recordIds must list at least one record';
    default:
      return `unknown mode ${(request as { mode?: unknown }).mode}`;
  }
}

export interface TimeWindow {
  from: string;
  to: string;
}

const HOUR = 3_600_000;
const MAX_WINDOWS = 1000;

/**
 * The windows a resync runs in. A date range (a backfill) is cut into `windowHours` slices
 * (default 24) so progress is visible and a failure costs one slice; `all` and `since` run as
 * one window unless windowHours is given; records are read by ID (the window is only recorded).
 */
export function resyncWindows(request: ResyncRequest, initialWatermark: string, now: string): TimeWindow[] {
  const from =
    request.mode === 'range' ? request.from : request.mode === 'since' ? request.since : initialWatermark;
  const to = request.mode === 'range' ? request.to : now;
  const start = Date.parse(from);
  const end = Date.parse(to);
  const hours = request.windowHours ?? (request.mode === 'range' ? 24 : undefined);
  if (request.mode === 'records' || hours === undefined || end <= start) {
    return [{ from: new Date(start).toISOString(), to: new Date(end).toISOString() }];
  }
  const step = Math.max(hours * HOUR, Math.ceil((end - start) / MAX_WINDOWS));
  const windows: TimeWindow[] = [];
  for (let t = start; t < end; t += step) {
    windows.push({ from: new Date(t).toISOString(), to: new Date(Math.min(end, t + step)).toISOString() });
  }
  return windows;
}
