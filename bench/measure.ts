import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack } from '../dev/stack';
import type { WorkerProcess } from '../dev/workerProcess';
import type { SyncResult } from '../src/shared';
import { syncIntegration } from '../src/workflows';
import { MB, round } from './common';
import { analyseHistory, type HistoryFigures, phaseOf } from './history';
import { type CpuGroup, Sampler } from './sampler';

// One measured sync: started with the Temporal client, its phases read from the workflow history's
// server timestamps, the worker's RSS and every process group's CPU sampled while it runs.

export interface PhaseFigure {
  phase: string;
  activity: string;
  seconds: number;
  /** Time between scheduled and started (task queue wait). */
  queueSeconds: number;
  attempt: number;
  /** Highest sampled worker RSS in the phase. */
  peakRssMB: number;
  /** Scheduled and closed, epoch ms. */
  from: number;
  to: number;
  /** CPU used in the phase, % of one core, per process group. */
  cpuPercent: Record<CpuGroup, number>;
}

export interface MeasuredSync {
  workflowId: string;
  result: SyncResult;
  wallSeconds: number;
  history: Omit<HistoryFigures, 'activities'>;
  phases: PhaseFigure[];
  /** Whole-sync CPU, % of one core, per process group. */
  cpuPercent: Record<CpuGroup, number>;
  peakRssDuringSyncBytes: number;
  rssBeforeSyncBytes: number;
}

export function percentOf(cpu: Record<CpuGroup, number>, ms: number): Record<CpuGroup, number> {
  const out = {} as Record<CpuGroup, number>;
  for (const [k, v] of Object.entries(cpu)) out[k as CpuGroup] = ms > 0 ? Math.round((100 * v) / ms) : 0;
  return out;
}

export async function measuredSync(
  stack: Stack,
  worker: WorkerProcess,
  taskQueue: string,
  integrationId: string,
): Promise<MeasuredSync> {
  const sampler = new Sampler(worker.pid);
  sampler.start(100);
  await sleep(300);
  const rssBeforeSyncBytes = sampler.samples.at(-1)?.rssBytes ?? 0;
  const workflowId = `bench-${integrationId}-${Date.now()}`;
  const started = Date.now();
  let result: SyncResult;
  const handle = await stack.client.workflow.start(syncIntegration, {
    taskQueue,
    workflowId,
    args: [{ integrationId }],
  });
  try {
    // A worker that dies (out of memory, say) would leave the workflow waiting for another one.
    const died = worker.exited().then(({ code, signal }) => {
      throw new Error(`the worker process exited (${signal ?? code}) during the sync`);
    });
    died.catch(() => undefined); // it rejects later, when the worker is stopped
    result = await Promise.race([handle.result(), died]);
  } catch (err) {
    sampler.stop();
    await handle.terminate('benchmark failed').catch(() => undefined);
    throw new Error(`The sync failed: ${(err as Error).message}\nworker said:\n${worker.tail()}`);
  }
  const finished = Date.now();
  await sleep(200);
  sampler.stop();
  const history = analyseHistory(await stack.client.workflow.getHandle(workflowId).fetchHistory());
  const phases = history.activities.map((a): PhaseFigure => {
    const closed = a.closedAt ?? finished;
    const ms = closed - a.scheduledAt;
    return {
      phase: phaseOf(a.name),
      activity: a.name,
      seconds: round(ms / 1000, 3),
      queueSeconds: round(((a.startedAt ?? a.scheduledAt) - a.scheduledAt) / 1000, 3),
      attempt: a.attempt,
      peakRssMB: round(sampler.maxRss(a.scheduledAt, closed) / MB, 1),
      from: a.scheduledAt,
      to: closed,
      cpuPercent: percentOf(sampler.cpuBetween(a.scheduledAt, closed), ms),
    };
  });
  const { activities: _, ...historyFigures } = history;
  return {
    workflowId,
    result,
    wallSeconds: round((finished - started) / 1000, 3),
    history: historyFigures,
    phases,
    cpuPercent: percentOf(sampler.cpuBetween(started, finished), finished - started),
    peakRssDuringSyncBytes: sampler.maxRss(started, finished + 200),
    rssBeforeSyncBytes,
  };
}

/** Seconds in stage, render, upload, commit, the short calls ("other") and the workflow between them. */
export function phaseTotals(sync: MeasuredSync): Record<string, number> {
  const out: Record<string, number> = { stage: 0, render: 0, upload: 0, commit: 0, other: 0 };
  for (const p of sync.phases) out[p.phase] = round((out[p.phase] ?? 0) + p.seconds, 3);
  const inActivities = Object.values(out).reduce((a, b) => a + b, 0);
  out.workflow = round(Math.max(0, sync.wallSeconds - inActivities), 3);
  return out;
}
