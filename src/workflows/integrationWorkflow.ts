import {
  ActivityFailure,
  allHandlersFinished,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  executeChild,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { SyncResult } from '../shared';
import {
  forceResyncSignal,
  forceResyncUpdate,
  type IntegrationStatus,
  type IntegrationWorkflowInput,
  pauseSignal,
  type QueuedResync,
  type ResyncProgress,
  type ResyncRequest,
  replanSignal,
  resumeSignal,
  resyncProgressSignal,
  resyncRequestProblem,
  statusQuery,
} from '../shared/integrationWorkflow';
import { KEY_HYGIENE_INTERVAL_MS, KEY_HYGIENE_PATCH } from '../shared/keyHygiene';
import { resyncWorkflowId, syncWorkflowId } from '../shared/workflowIds';
import { alertActivities, keyHygieneActivities, quickActivities } from './activityOptions';
import { resyncIntegration } from './resyncIntegration';
import { describeFailure, syncIntegration } from './syncIntegration';

// One long-lived workflow per integration (ID `integration-<id>`): it syncs on the integration's
// cron schedule (each sync a child workflow), takes forceResync / pause / resume / replan, answers a
// `status` query, alerts when a deadline passes without a delivered file, and continues as new
// to keep its history short. Resyncs run as child workflows beside the scheduled syncs. Once a day
// it checks the integration's keys, credentials and host key pins (checkKeyHygiene) and sends the
// alert that check says is due (at most once per item per day, kept in the ledger).

/**
 * Patch ID: a signal or update that comes while a turn starts a resync or plans (activities) ends
 * that turn's wait. Before it, the wait flag was cleared after planning, so a forceResync (or a
 * resync's last progress) that came then sat queued until the next planned time.
 */
export const WAKE_DURING_PLANNING = 'wake-during-planning';

function initialStatus(integrationId: string): IntegrationStatus & { queue: QueuedResync[] } {
  return {
    integrationId,
    paused: false,
    watermark: null,
    nextRun: null,
    nextDeadline: null,
    running: null,
    lastRun: null,
    lastFile: null,
    lastError: null,
    counts: { runs: 0, failures: 0, sent: 0, quarantined: 0, resyncs: 0 },
    resync: { current: null, queued: 0 },
    lastResync: null,
    lastDeadlineMissed: null,
    queue: [],
  };
}

export async function integrationWorkflow(input: IntegrationWorkflowInput): Promise<never> {
  const { integrationId } = input;
  const quick = quickActivities();
  const state = input.state ?? initialStatus(integrationId);
  const info = workflowInfo();
  let wake = false; // set by any signal that should end the current wait early

  setHandler(statusQuery, () => {
    const { queue, ...status } = state;
    return { ...status, resync: { ...status.resync, queued: queue.length } };
  });
  setHandler(pauseSignal, () => {
    state.paused = true;
    wake = true;
  });
  setHandler(resumeSignal, () => {
    state.paused = false;
    wake = true;
  });
  // Nothing else changes: the loop plans again (a sync running now finishes first).
  setHandler(replanSignal, () => {
    wake = true;
  });
  const enqueue = (request: ResyncRequest) => {
    state.queue.push(request);
    wake = true;
    return { accepted: true as const, position: state.queue.length - 1 + (state.resync.current ? 1 : 0) };
  };
  setHandler(forceResyncSignal, (request) => {
    // A signal cannot answer: a bad request is recorded as the last error instead of lost silently.
    const problem = resyncRequestProblem(request);
    if (problem)
      state.lastError = { at: new Date().toISOString(), message: `forceResync refused: ${problem}` };
    else enqueue(request);
  });
  setHandler(forceResyncUpdate, (request) => enqueue(request), {
    validator: (request) => {
      const problem = resyncRequestProblem(request);
      if (problem) throw new Error(problem);
    },
  });
  // A child's first report can arrive in the same activation as its start, before `current` is set
  // (signals are handled first): it is held until then.
  let early: ResyncProgress | null = null;
  const applyProgress = (progress: ResyncProgress) => {
    const current = state.resync.current;
    if (!current || current.workflowId !== progress.workflowId) {
      early = progress;
      return;
    }
    Object.assign(current, progress);
    if (progress.done) {
      state.lastResync = { ...current };
      state.counts.resyncs++;
      state.counts.sent += progress.sent;
      state.counts.quarantined += progress.quarantined;
      if (progress.error)
        state.lastError = { at: new Date().toISOString(), message: `resync: ${progress.error}` };
      state.resync.current = null;
      wake = true;
    }
  };
  setHandler(resyncProgressSignal, applyProgress);

  state.watermark = await quick.currentWatermark({ integrationId });
  const childSearchAttributes = info.typedSearchAttributes;

  const startNextResync = async () => {
    const request = state.queue.shift();
    if (!request) return;
    const workflowId = resyncWorkflowId(integrationId, new Date());
    // Abandoned on continue-as-new: it reports to this workflow ID, whatever run is current.
    await startChild(resyncIntegration, {
      workflowId,
      args: [
        {
          integrationId,
          request,
          parentWorkflowId: info.workflowId,
          heartbeatTimeout: input.heartbeatTimeout,
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: childSearchAttributes,
    });
    state.resync.current = {
      workflowId,
      request,
      windowsDone: 0,
      windowsTotal: 0,
      sent: 0,
      quarantined: 0,
      done: false,
    };
    const held = early as ResyncProgress | null;
    early = null;
    if (held?.workflowId === workflowId) applyProgress(held);
  };

  const runScheduledSync = async () => {
    const workflowId = syncWorkflowId(integrationId, new Date());
    state.running = { workflowId, startedAt: new Date().toISOString() };
    state.nextRun = null; // it is this run; the next one is planned when it ends
    try {
      const result: SyncResult = await executeChild(syncIntegration, {
        workflowId,
        args: [{ integrationId, heartbeatTimeout: input.heartbeatTimeout }],
        typedSearchAttributes: childSearchAttributes,
      });
      state.counts.runs++;
      state.counts.sent += result.sent;
      state.counts.quarantined += result.quarantined;
      state.watermark = result.watermark;
      state.lastRun = {
        workflowId,
        finishedAt: new Date().toISOString(),
        ok: true,
        sent: result.sent,
        quarantined: result.quarantined,
        file: result.file,
      };
      if (result.file) state.lastFile = result.file;
    } catch (err) {
      // The sync recorded its failure in Postgres and alerted; the schedule goes on.
      if (!(err instanceof ChildWorkflowFailure)) throw err;
      const message = describeFailure(err.cause);
      state.counts.runs++;
      state.counts.failures++;
      state.lastError = { at: new Date().toISOString(), message };
      state.lastRun = {
        workflowId,
        finishedAt: new Date().toISOString(),
        ok: false,
        sent: 0,
        quarantined: 0,
        file: null,
        error: message,
      };
    } finally {
      state.running = null;
    }
  };

  const checkDeadline = async (deadline: NonNullable<IntegrationStatus['nextDeadline']>) => {
    if (state.paused) return; // paused on purpose: no file is expected
    const delivered = await quick.filesCommittedSince({ integrationId, since: deadline.since });
    if (delivered > 0) return;
    state.lastDeadlineMissed = { at: deadline.at, label: deadline.label };
    await alertActivities().sendAlert({
      severity: 'warning',
      integrationId,
      title: `ml-connector: ${integrationId} missed its deadline (${deadline.label})`,
      text: `No file was delivered between ${deadline.since} and ${deadline.at}.`,
      fields: { deadline: deadline.at, since: deadline.since, paused: String(state.paused) },
      workflowId: info.workflowId,
    });
  };

  /** When the daily key hygiene check is next due (now if it never ran or last failed). */
  const keyHygieneDueAt = () => {
    const last = state.lastKeyHygiene;
    return !last || last.error ? Date.now() : Date.parse(last.at) + KEY_HYGIENE_INTERVAL_MS;
  };
  const checkKeyHygiene = async () => {
    const at = new Date().toISOString();
    try {
      const result = await keyHygieneActivities().checkKeyHygiene({ integrationId });
      state.lastKeyHygiene = { at, warn: result.warn, expired: result.expired };
      if (result.alert) await alertActivities().sendAlert({ ...result.alert, workflowId: info.workflowId });
    } catch (err) {
      // A check that cannot run (the ledger away) must not stop the schedule: next turn tries again.
      if (!(err instanceof ActivityFailure)) throw err;
      state.lastKeyHygiene = { at, warn: 0, expired: 0, error: describeFailure(err.cause) };
    }
  };

  for (let turn = 0; ; turn++) {
    const wakeDuringPlanning = patched(WAKE_DURING_PLANNING);
    if (wakeDuringPlanning) wake = false; // from here on, a signal ends this turn's wait
    const keyHygiene = patched(KEY_HYGIENE_PATCH);
    if (keyHygiene && Date.now() >= keyHygieneDueAt()) await checkKeyHygiene();
    if (!state.resync.current && state.queue.length) await startNextResync();
    const plan = await quick.planNextTimes({ integrationId, after: new Date().toISOString() });
    state.nextRun = plan.runAt;
    state.nextDeadline = plan.deadline;
    const times = [plan.runAt, plan.deadline?.at].filter((t): t is string => t !== null && t !== undefined);
    const wakeTimes = [...times.map((t) => Date.parse(t)), ...(keyHygiene ? [keyHygieneDueAt()] : [])];
    const wakeAt = wakeTimes.length ? Math.min(...wakeTimes) : null;
    if (!wakeDuringPlanning) wake = false;
    const woken = await condition(() => wake, wakeAt === null ? undefined : Math.max(1, wakeAt - Date.now()));
    if (!woken) {
      const now = Date.now();
      if (plan.deadline && now >= Date.parse(plan.deadline.at)) await checkDeadline(plan.deadline);
      if (plan.runAt && now >= Date.parse(plan.runAt) && !state.paused) await runScheduledSync();
    }
    if (workflowInfo().continueAsNewSuggested || turn + 1 >= (input.maxTurns ?? 500)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof integrationWorkflow>({ ...input, state });
    }
  }
}
