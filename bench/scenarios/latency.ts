import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from '../../dev/stack';
import type { WorkerProcess } from '../../dev/workerProcess';
import { FusionSimulator } from '../../simulator/server';
import { CLIENT_ID, CLIENT_SECRET, integration, log, type Options, round, startBenchWorker } from '../common';
import { measuredSync, phaseTotals } from '../measure';
import type { CpuGroup } from '../sampler';

// Scenario 2: parallel paging under Fusion latency, one full sync for each parallelPages value.

export interface LatencyRun {
  parallelPages: number;
  requests: number;
  stageSeconds: number;
  wallSeconds: number;
  sent: number;
  speedUp: number;
  efficiency: number;
  wallSpeedUp: number;
  cpuPercent: Record<CpuGroup, number>;
}

export interface LatencyResult {
  latencyMs: number;
  lines: number;
  pageSize: number;
  runs: LatencyRun[];
}

export async function runLatency(stack: Stack, o: Options): Promise<LatencyResult> {
  log(
    `Latency: ${o.latencyMs} ms per REST answer, ${o.latencyLines.toLocaleString('en-US')} lines, ` +
      `pageSize ${o.latencyPageSize}, parallelPages ${o.parallel.join(', ')}`,
  );
  const db = await stack.scratchDatabase('mlc_bench');
  // The window is split into equal time slices, so the lines are spread evenly over one day that
  // ends just before now: each slice then holds the same share (the window's end moves with each
  // run, by minutes, a small fraction of the day).
  const layout = { linesPerHeader: 10, headersPerBatch: 2, batchesPerTimestamp: 2 };
  const batches = Math.ceil(Math.ceil(o.latencyLines / layout.linesPerHeader) / layout.headersPerBatch);
  const stamps = Math.ceil(batches / layout.batchesPerTimestamp);
  const stepMs = Math.max(1, Math.floor(86_400 / stamps)) * 1000;
  const from = Math.floor(Date.now() / 1000) * 1000 - stamps * stepMs - 60_000;
  const sim = new FusionSimulator({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    generated: { journalLines: o.latencyLines, from, stepMs, ...layout },
  });
  const simUrl = await sim.listen();
  const taskQueue = `bench-${randomUUID()}`;
  const id = (p: number) => `bench-latency-p${p}`;
  const config = {
    integrations: o.parallel.map((p) =>
      integration(id(p), simUrl, stack.sshd, {
        pageSize: o.latencyPageSize,
        parallelPages: p,
        initialWatermark: new Date(from).toISOString(),
        overlapSeconds: 1,
      }),
    ),
  };
  let worker: WorkerProcess | null = null;
  try {
    worker = await startBenchWorker(stack, o, {
      scenario: 'latency',
      config,
      databaseUrl: db.url,
      taskQueue,
    });
    sim.faults.set({ latency: { ms: o.latencyMs, target: 'rest' } });
    const runs: LatencyRun[] = [];
    for (const p of o.parallel) {
      const before = sim.stats.requests.journalBatches ?? 0;
      const sync = await measuredSync(stack, worker, taskQueue, id(p));
      const stageSeconds = phaseTotals(sync).stage ?? 0;
      if (sync.result.file) rmSync(join(stack.sshd.folder, sync.result.file.fileName), { force: true });
      const base = runs[0];
      const speedUp = base ? base.stageSeconds / stageSeconds : 1;
      const relative = base ? p / base.parallelPages : 1;
      runs.push({
        parallelPages: p,
        requests: (sim.stats.requests.journalBatches ?? 0) - before,
        stageSeconds: round(stageSeconds, 3),
        wallSeconds: sync.wallSeconds,
        sent: sync.result.sent,
        speedUp: round(speedUp),
        efficiency: round(speedUp / relative),
        wallSpeedUp: round(base ? base.wallSeconds / sync.wallSeconds : 1),
        cpuPercent: sync.cpuPercent,
      });
      log(`  parallelPages ${p}: stage ${stageSeconds.toFixed(2)} s, wall ${sync.wallSeconds.toFixed(2)} s`);
    }
    await worker.stop();
    return { latencyMs: o.latencyMs, lines: o.latencyLines, pageSize: o.latencyPageSize, runs };
  } catch (err) {
    await worker?.stop();
    throw err;
  } finally {
    await sim.close();
    await db.dispose().catch(() => undefined);
  }
}
