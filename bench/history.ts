import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

// What a sync leaves in Temporal: the number of history events, the encoded history size, every
// payload's size (the largest one named), and the time of each activity from its scheduled,
// started and completed events (server timestamps).

type History = temporal.api.history.v1.IHistory;

export interface ActivitySpan {
  name: string;
  scheduledAt: number;
  startedAt: number | null;
  closedAt: number | null;
  attempt: number;
  outcome: 'completed' | 'failed' | 'timed-out' | 'canceled' | 'open';
}

export interface HistoryFigures {
  events: number;
  historyBytes: number;
  payloads: number;
  payloadBytes: number;
  largestPayload: { bytes: number; where: string };
  activities: ActivitySpan[];
  /** Local activities run (their markers), by name. */
  localActivities: string[];
  /** Workflow tasks: ms queued (scheduled → started) and ms in the worker (started → completed). */
  workflowTasks: { queuedMs: number; runMs: number }[];
  startedAt: number;
  closedAt: number | null;
}

/** Every Payload (an object with `data` bytes and `metadata`) reachable from a value, with its path. */
function* payloadsIn(value: unknown, path: string): Generator<{ bytes: number; where: string }> {
  if (value === null || typeof value !== 'object') return;
  if (value instanceof Uint8Array) return;
  const v = value as Record<string, unknown>;
  if (v.data instanceof Uint8Array && 'metadata' in v) {
    yield { bytes: v.data.length, where: path };
    return;
  }
  for (const [key, child] of Object.entries(v)) {
    // `workflowExecutionCompletedEventAttributes.result.payloads.0` → `.result`
    const step = key.endsWith('EventAttributes') || key === 'payloads' || /^\d+$/.test(key) ? '' : `.${key}`;
    if (child && typeof child === 'object') yield* payloadsIn(child, `${path}${step}`);
  }
}

function attributesName(event: Record<string, unknown>): string {
  const key = Object.keys(event).find((k) => k.endsWith('EventAttributes') && event[k]);
  return key ? key.replace(/EventAttributes$/, '') : 'event';
}

export function analyseHistory(history: History): HistoryFigures {
  const events = history.events ?? [];
  const historyBytes = temporal.api.history.v1.History.encode(history).finish().length;
  let payloads = 0;
  let payloadBytes = 0;
  let largestPayload = { bytes: 0, where: '' };
  const spans = new Map<string, ActivitySpan>();
  const tasks = new Map<string, { scheduledAt: number; startedAt: number | null }>();
  const workflowTasks: HistoryFigures['workflowTasks'] = [];
  const localActivities: string[] = [];
  let startedAt = 0;
  let closedAt: number | null = null;

  for (const event of events) {
    const id = String(event.eventId);
    const at = tsToMs(event.eventTime);
    const name = attributesName(event as unknown as Record<string, unknown>);
    for (const p of payloadsIn(event, name)) {
      payloads++;
      payloadBytes += p.bytes;
      if (p.bytes > largestPayload.bytes) largestPayload = p;
    }
    if (event.workflowExecutionStartedEventAttributes) startedAt = at;
    if (
      event.workflowExecutionCompletedEventAttributes ||
      event.workflowExecutionFailedEventAttributes ||
      event.workflowExecutionTerminatedEventAttributes ||
      event.workflowExecutionTimedOutEventAttributes
    ) {
      closedAt = at;
    }
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName === 'core_local_activity') {
      const data = marker.details?.data?.payloads?.[0]?.data;
      const parsed = data
        ? (JSON.parse(Buffer.from(data).toString()) as { activityType?: string; activity_type?: string })
        : {};
      localActivities.push(parsed.activityType ?? parsed.activity_type ?? '?');
      continue;
    }
    if (event.workflowTaskScheduledEventAttributes) {
      tasks.set(id, { scheduledAt: at, startedAt: null });
      continue;
    }
    const taskStarted = event.workflowTaskStartedEventAttributes;
    if (taskStarted) {
      const task = tasks.get(String(taskStarted.scheduledEventId));
      if (task) task.startedAt = at;
      continue;
    }
    const taskDone = event.workflowTaskCompletedEventAttributes;
    if (taskDone) {
      const task = tasks.get(String(taskDone.scheduledEventId));
      if (task?.startedAt) {
        workflowTasks.push({ queuedMs: task.startedAt - task.scheduledAt, runMs: at - task.startedAt });
      }
      continue;
    }
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      spans.set(id, {
        name: scheduled.activityType?.name ?? '?',
        scheduledAt: at,
        startedAt: null,
        closedAt: null,
        attempt: 1,
        outcome: 'open',
      });
      continue;
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const span = spans.get(String(started.scheduledEventId));
      if (span) {
        span.startedAt = at;
        span.attempt = started.attempt ?? 1;
      }
      continue;
    }
    const closings: [ActivitySpan['outcome'], { scheduledEventId?: unknown } | null | undefined][] = [
      ['completed', event.activityTaskCompletedEventAttributes],
      ['failed', event.activityTaskFailedEventAttributes],
      ['timed-out', event.activityTaskTimedOutEventAttributes],
      ['canceled', event.activityTaskCanceledEventAttributes],
    ];
    for (const [outcome, attrs] of closings) {
      if (!attrs) continue;
      const span = spans.get(String(attrs.scheduledEventId));
      if (span) {
        span.closedAt = at;
        span.outcome = outcome;
      }
    }
  }
  return {
    events: events.length,
    historyBytes,
    payloads,
    payloadBytes,
    largestPayload,
    activities: [...spans.values()],
    localActivities,
    workflowTasks,
    startedAt,
    closedAt,
  };
}

/** The sync's phases, by activity: stage, render, upload, commit, and the short calls around them. */
export const PHASES: Record<string, string> = {
  stageChanges: 'stage',
  renderFile: 'render',
  uploadFile: 'upload',
  commitRun: 'commit',
};

export function phaseOf(activity: string): string {
  return PHASES[activity] ?? 'other';
}

/**
 * The billable Temporal actions a history shows (Temporal Cloud's action types that leave an
 * event, docs.temporal.io/cloud/actions): the run's start (client start or continue-as-new), each
 * activity attempt, each timer started, each signal and accepted update received, each child
 * workflow initiated (two: the intent and the attempt to start it; the child's own history is
 * counted separately, from its second action on), and one for each workflow task that recorded
 * markers (local activities and patches: every marker of one task is one action, `markers`
 * counts those tasks). Queries and heartbeats leave no event and are not counted here.
 */
export interface ActionCount {
  started: number;
  activities: number;
  timers: number;
  signals: number;
  updates: number;
  children: number;
  /** Workflow tasks that recorded markers (local activities, patches): one action each. */
  markers: number;
  /** Every counted action. */
  total: number;
}

export function emptyActions(): ActionCount {
  return { started: 0, activities: 0, timers: 0, signals: 0, updates: 0, children: 0, markers: 0, total: 0 };
}

export function countActions(
  events: temporal.api.history.v1.IHistoryEvent[],
  into: ActionCount = emptyActions(),
): ActionCount {
  const scheduled = new Set<string>();
  const markerTasks = new Set<string>();
  for (const e of events) {
    if (e.workflowExecutionStartedEventAttributes) into.started++;
    else if (e.activityTaskScheduledEventAttributes) {
      into.activities++;
      scheduled.add(String(e.eventId));
    } else if (e.activityTaskStartedEventAttributes) {
      // A retried activity's started event carries its last attempt: each retry is one more action.
      into.activities += Math.max(0, (e.activityTaskStartedEventAttributes.attempt ?? 1) - 1);
    } else if (e.timerStartedEventAttributes) into.timers++;
    else if (e.workflowExecutionSignaledEventAttributes) into.signals++;
    else if (e.workflowExecutionUpdateAcceptedEventAttributes) into.updates++;
    else if (e.startChildWorkflowExecutionInitiatedEventAttributes) into.children += 2;
    else if (e.markerRecordedEventAttributes)
      markerTasks.add(String(e.markerRecordedEventAttributes.workflowTaskCompletedEventId));
  }
  into.markers += markerTasks.size;
  into.total =
    into.started + into.activities + into.timers + into.signals + into.updates + into.children + into.markers;
  return into;
}
