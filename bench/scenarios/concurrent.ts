import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack } from '../../dev/stack';
import type { WorkerProcess } from '../../dev/workerProcess';
import type { SyncResult } from '../../src/shared';
import { syncIntegration } from '../../src/workflows';
import {
  fullSyncFusion,
  generatedJournalLines,
  integration,
  log,
  MB,
  type Options,
  round,
  startBenchWorker,
} from '../common';
import { percentOf } from '../measure';
import { type CpuGroup, peakRss, Sampler } from '../sampler';

// Scenario 5: one worker running several full syncs at once (--concurrent N): N integrations, each
// reading the whole window of one simulator (each has its own watermark), all started together.
// What it shows is whether the worker's memory stays bounded when syncs overlap: its peak RSS
// against the single sync's and against the target.

export interface ConcurrentResult {
  syncs: number;
  linesEach: number;
  wallSeconds: number;
  /** Each sync's own wall time, start to result. */
  syncSeconds: number[];
  sent: number;
  recordsPerSecond: number;
  memory: {
    idleRssMB: number;
    peakRssMB: number;
    vmHwmMB: number;
    /** RSS a few seconds after the last sync ended. */
    rssAfterMB: number;
  };
  cpuPercent: Record<CpuGroup, number>;
}

export async function runConcurrent(stack: Stack, o: Options): Promise<ConcurrentResult> {
  const n = o.concurrent;
  const lines = o.concurrentLines;
  log(`Concurrent: ${n} full syncs of ${lines.toLocaleString('en-US')} journal lines at once, one worker`);
  const db = await stack.scratchDatabase('mlc_bench');
  const sim = generatedJournalLines(lines);
  const simUrl = await sim.listen();
  const taskQueue = `bench-${randomUUID()}`;
  const ids = Array.from({ length: n }, (_, i) => `bench-concurrent-${i + 1}`);
  const config = {
    integrations: ids.map((id) => integration(id, simUrl, stack.sshd, fullSyncFusion(o))),
  };
  let worker: WorkerProcess | null = null;
  const sampler = { current: null as Sampler | null };
  try {
    worker = await startBenchWorker(stack, o, {
      scenario: 'concurrent',
      config,
      databaseUrl: db.url,
      taskQueue,
    });
    const s = new Sampler(worker.pid);
    sampler.current = s;
    s.start(100);
    await sleep(300);
    const idle = s.samples.at(-1)?.rssBytes ?? 0;
    const started = Date.now();
    const handles = await Promise.all(
      ids.map((id) =>
        stack.client.workflow.start(syncIntegration, {
          taskQueue,
          workflowId: `bench-${id}-${Date.now()}`,
          args: [{ integrationId: id }],
        }),
      ),
    );
    const died = worker.exited().then(({ code, signal }) => {
      throw new Error(`the worker process exited (${signal ?? code}) during the syncs`);
    });
    died.catch(() => undefined);
    const syncSeconds: number[] = [];
    let results: SyncResult[];
    try {
      results = await Promise.race([
        Promise.all(
          handles.map((h) =>
            h.result().then((r) => {
              syncSeconds.push(round((Date.now() - started) / 1000, 3));
              return r;
            }),
          ),
        ),
        died,
      ]);
    } catch (err) {
      await Promise.all(handles.map((h) => h.terminate('benchmark failed').catch(() => undefined)));
      throw new Error(`The syncs failed: ${(err as Error).message}\nworker said:\n${worker.tail()}`);
    }
    const finished = Date.now();
    await sleep(3000);
    s.stop();
    const vmHwm = peakRss(worker.pid);
    await worker.stop();
    for (const r of results) {
      if (!r.file) throw new Error(`A sync delivered no file: ${JSON.stringify(r)}`);
      rmSync(join(stack.sshd.folder, r.file.fileName), { force: true });
    }
    const sent = results.reduce((a, r) => a + r.sent, 0);
    const wallSeconds = round((finished - started) / 1000, 3);
    log(
      `  ${n} syncs in ${wallSeconds.toFixed(1)} s, peak RSS ${(s.maxRss(started, finished) / MB).toFixed(0)} MB`,
    );
    return {
      syncs: n,
      linesEach: lines,
      wallSeconds,
      syncSeconds,
      sent,
      recordsPerSecond: Math.round(sent / wallSeconds),
      memory: {
        idleRssMB: round(idle / MB, 1),
        peakRssMB: round(s.maxRss(started, finished + 200) / MB, 1),
        vmHwmMB: round(vmHwm / MB, 1),
        rssAfterMB: round((s.samples.at(-1)?.rssBytes ?? 0) / MB, 1),
      },
      cpuPercent: percentOf(s.cpuBetween(started, finished), finished - started),
    };
  } catch (err) {
    sampler.current?.stop();
    await worker?.stop();
    throw err;
  } finally {
    await sim.close();
    await db.dispose().catch(() => undefined);
  }
}
