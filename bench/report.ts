import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Stack } from '../dev/stack';
import { MB, round } from './common';
import type { AdaptiveResult } from './scenarios/adaptive';
import type { SizeResult } from './scenarios/fullSync';
import type { LatencyResult } from './scenarios/latency';
import type { SmallSyncResult } from './scenarios/smallSync';

// The targets, the printed tables and the JSON copy of the results.

const execFileAsync = promisify(execFile);

export interface Target {
  target: string;
  measured: string;
  met: boolean | null;
}

export function targets(
  sizes: SizeResult[],
  latency: LatencyResult | null,
  adaptive: AdaptiveResult | null = null,
  smallSync: SmallSyncResult | null = null,
): Target[] {
  const out: Target[] = [];
  const fmt = (n: number) => n.toLocaleString('en-US');
  for (const s of sizes) {
    out.push({
      target: `end to end ≤ 1.5× the limit (${fmt(s.lines)} lines)`,
      measured: `${s.limit.ratio}× (${s.sync.wallSeconds} s vs ${s.limit.limitSeconds} s)`,
      met: s.limit.ratio <= 1.5,
    });
    out.push({
      target: `peak worker RSS ≤ 300 MB (${fmt(s.lines)} lines)`,
      measured: `${s.memory.peakRssDuringSyncMB} MB during the sync (VmHWM ${s.memory.vmHwmMB} MB)`,
      met: s.memory.peakRssDuringSyncMB <= 300,
    });
    out.push({
      target: `no history payload over 256 KB (${fmt(s.lines)} lines)`,
      measured: `largest ${fmt(s.temporal.largestPayloadBytes)} B (${s.temporal.largestPayloadIn})`,
      met: s.temporal.largestPayloadBytes <= 256 * 1024,
    });
  }
  const sorted = [...sizes].sort((a, b) => a.lines - b.lines);
  const small = sorted[0];
  const large = sorted.at(-1);
  if (small && large && small !== large) {
    const ratio = large.memory.peakRssDuringSyncMB / small.memory.peakRssDuringSyncMB;
    out.push({
      target: `peak RSS within 1.2× from ${fmt(small.lines)} to ${fmt(large.lines)} lines`,
      measured: `${round(ratio)}× (${small.memory.peakRssDuringSyncMB} → ${large.memory.peakRssDuringSyncMB} MB)`,
      met: ratio <= 1.2,
    });
    const eventsGrowth = large.temporal.historyEvents / small.temporal.historyEvents;
    out.push({
      target: 'history grows with pages, not records',
      measured:
        `${small.temporal.historyEvents} → ${large.temporal.historyEvents} events, ` +
        `${fmt(small.temporal.historyBytes)} → ${fmt(large.temporal.historyBytes)} B for ${round(large.lines / small.lines, 1)}× the records`,
      met: eventsGrowth < 1.5,
    });
  }
  const at4 = latency?.runs.find((r) => r.parallelPages === 4);
  if (latency && at4) {
    out.push({
      target: 'parallel efficiency ≥ 0.8 at parallelPages 4 (extraction under latency)',
      measured: `${at4.efficiency} (speed-up ${at4.speedUp}× on the stage phase)`,
      met: at4.efficiency >= 0.8,
    });
  }
  if (adaptive) {
    out.push({
      target: `adaptive paging ≥ 0.8 of the rate-limit-bound throughput (${fmt(adaptive.lines)} lines, ${adaptive.rateLimitPerSecond} req/s)`,
      measured: `${adaptive.ratio} over the run, ${adaptive.steadyRatio} in its second half (${fmt(adaptive.linesPerSecond)} of ${fmt(adaptive.boundLinesPerSecond)} lines/s)`,
      met: adaptive.ratio >= 0.8,
    });
  }
  if (smallSync) {
    out.push({
      target: `small sync (${smallSync.changedPerRun} changed lines): p50 end to end within 1.5× of its floors`,
      measured: `${smallSync.ratio}× (p50 ${smallSync.wall.p50} s, p95 ${smallSync.wall.p95} s vs ${smallSync.floors.total} s)`,
      met: smallSync.ratio <= 1.5,
    });
  }
  return out;
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toLocaleString('en-US') : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => String(r[i] ?? '').length)));
  // Figures right-aligned, words left-aligned.
  const numeric = headers.map((_, i) => cells.every((r) => /^[-\d.,×%]*$/.test(String(r[i] ?? ''))));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 || !numeric[i] ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [
    line(headers),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map((r) => line(r.map(String))),
  ].join('\n');
}

export function report(
  sizes: SizeResult[],
  latency: LatencyResult | null,
  checks: Target[],
  adaptive: AdaptiveResult | null = null,
  smallSync: SmallSyncResult | null = null,
): string {
  const out: string[] = [];
  if (sizes.length) {
    out.push('Full sync: journal lines → CSV on OpenSSH sftp (real workflow, worker in its own process)');
    out.push(
      table(
        [
          'lines',
          'wall s',
          'records/s',
          'MB/s',
          'file MB',
          'stage s',
          'render s',
          'upload s',
          'commit s',
          'other s',
          'peak RSS MB',
          'VmHWM MB',
          'events',
          'history B',
          'max payload B',
        ],
        sizes.map((s) => [
          s.lines,
          s.sync.wallSeconds.toFixed(1),
          s.sync.recordsPerSecond,
          s.sync.mbPerSecond.toFixed(2),
          (s.sync.fileBytes / MB).toFixed(1),
          s.phases.stage!.toFixed(1),
          s.phases.render!.toFixed(1),
          s.phases.upload!.toFixed(1),
          s.phases.commit!.toFixed(1),
          (s.phases.other! + s.phases.workflow!).toFixed(1),
          s.memory.peakRssDuringSyncMB.toFixed(0),
          s.memory.vmHwmMB.toFixed(0),
          s.temporal.historyEvents,
          s.temporal.historyBytes,
          s.temporal.largestPayloadBytes,
        ]),
      ),
    );
    out.push('', 'The limit, measured in the same run (same window, same bytes, same sshd)');
    out.push(
      table(
        [
          'lines',
          'raw paging s',
          'raw records/s',
          'JSON MB',
          'requests',
          'batches each',
          'sftp put s',
          'sftp MB/s',
          'limit s',
          'end to end / limit',
        ],
        sizes.map((s) => [
          s.lines,
          s.limit.rawPaging.seconds.toFixed(1),
          s.limit.rawPaging.recordsPerSecond,
          s.limit.rawPaging.jsonMB.toFixed(0),
          s.limit.rawPaging.pages,
          s.limit.rawPaging.limit,
          s.limit.rawUpload.seconds.toFixed(2),
          s.limit.rawUpload.mbPerSecond.toFixed(0),
          s.limit.limitSeconds.toFixed(1),
          `${s.limit.ratio.toFixed(2)}×`,
        ]),
      ),
    );
    out.push('', 'CPU during each phase, % of one core (2 cores = 200 %)');
    out.push(
      table(
        ['lines', 'phase', 's', 'worker', 'postgres', 'simulator', 'sshd', 'temporal', 'worker peak RSS MB'],
        sizes.flatMap((s) =>
          s.phaseDetail
            .filter((p) => p.phase !== 'other')
            .map((p) => [
              s.lines,
              p.phase + (p.attempt > 1 ? ` (attempt ${p.attempt})` : ''),
              p.seconds.toFixed(1),
              p.cpuPercent.worker,
              p.cpuPercent.postgres,
              p.cpuPercent.simulator,
              p.cpuPercent.sshd,
              p.cpuPercent.temporal,
              p.peakRssMB.toFixed(0),
            ]),
        ),
      ),
    );
    for (const s of sizes) {
      if (!s.profile) continue;
      out.push(
        '',
        `Worker CPU profile, ${s.lines.toLocaleString('en-US')} lines: self time by owner per phase`,
      );
      for (const slice of s.profile) {
        out.push(
          `  ${slice.name.padEnd(7)} ${(slice.totalMs / 1000).toFixed(1)} s: ` +
            slice.byOwner.map((b) => `${b.owner} ${(b.ms / 1000).toFixed(1)}`).join(', '),
        );
      }
    }
  }
  if (latency) {
    out.push(
      '',
      `Parallel paging under latency: ${latency.latencyMs} ms per REST answer, ${latency.lines.toLocaleString('en-US')} lines, pageSize ${latency.pageSize}`,
    );
    out.push(
      table(
        ['parallelPages', 'requests', 'stage s', 'speed-up', 'efficiency', 'wall s', 'wall speed-up'],
        latency.runs.map((r) => [
          r.parallelPages,
          r.requests,
          r.stageSeconds.toFixed(2),
          `${r.speedUp.toFixed(2)}×`,
          r.efficiency.toFixed(2),
          r.wallSeconds.toFixed(2),
          `${r.wallSpeedUp.toFixed(2)}×`,
        ]),
      ),
    );
  }
  if (adaptive) {
    out.push(
      '',
      `Adaptive paging (parallelPages unset, bound ${adaptive.bound}): ${adaptive.lines.toLocaleString('en-US')} lines, ` +
        `pod latency ${adaptive.latency}, rate limit ${adaptive.rateLimitPerSecond} requests/s`,
    );
    out.push(
      table(
        ['s', 'requests', 'lines/s', 'bound lines/s', 'ratio', 'steady ratio', '429s', 'peak at pod'],
        [
          [
            adaptive.seconds.toFixed(1),
            adaptive.requests,
            adaptive.linesPerSecond,
            adaptive.boundLinesPerSecond,
            adaptive.ratio.toFixed(2),
            adaptive.steadyRatio.toFixed(2),
            adaptive.throttled,
            adaptive.peakInFlightAtPod,
          ],
        ],
      ),
    );
    out.push('', 'Its curve, one line a second: the limit, requests out, answers and 429s in that second');
    out.push(
      table(
        ['second', 'limit', 'in flight', 'answered', '429s', ''],
        adaptive.curve.map((c) => [
          c.second,
          c.limit,
          c.inFlight,
          c.requests,
          c.throttled,
          '#'.repeat(c.limit),
        ]),
      ),
    );
  }
  if (smallSync) {
    const f = smallSync.floors;
    out.push(
      '',
      `Small sync: ${smallSync.runs} incremental syncs one after another, each after ${smallSync.changedPerRun} changed lines ` +
        `(${smallSync.activitiesPerSync} activities each, ${smallSync.localActivitiesPerSync} of them local), beside the floors of the same run (p50 s)`,
    );
    out.push(
      table(
        [
          'p50 s',
          'p95 s',
          'min s',
          'max s',
          'token',
          'GET',
          'sftp put',
          'raw I/O',
          'Temporal no-op',
          'floors',
          'p50 / floors',
        ],
        [
          [
            smallSync.wall.p50.toFixed(3),
            smallSync.wall.p95.toFixed(3),
            smallSync.wall.min.toFixed(3),
            smallSync.wall.max.toFixed(3),
            f.token.toFixed(3),
            f.get.toFixed(3),
            f.put.toFixed(3),
            f.rawIo.toFixed(3),
            f.temporalNoop.toFixed(3),
            f.total.toFixed(3),
            `${smallSync.ratio.toFixed(2)}×`,
          ],
        ],
      ),
    );
    out.push(
      `  where it goes (p50 s): ${Object.entries(smallSync.phasesP50)
        .map(([k, v]) => `${k} ${v.toFixed(3)}`)
        .join(', ')}`,
    );
    const b = smallSync.betweenP50;
    out.push(
      `  between the activities (p50 s): ${b.workflowTasks} workflow tasks queued ${b.taskQueued.toFixed(3)}, ` +
        `run in the worker ${b.taskRun.toFixed(3)}; activity tasks queued ${b.activityQueued.toFixed(3)}`,
    );
  }
  out.push('', 'Targets (reported, not asserted)');
  out.push(
    table(
      ['target', 'measured', 'met'],
      checks.map((c) => [c.target, c.measured, c.met === null ? '–' : c.met ? 'yes' : 'NO']),
    ),
  );
  return out.join('\n');
}

export async function machine(stack: Stack) {
  const os = await import('node:os');
  const pg = await import('pg');
  const client = new pg.Client({ connectionString: stack.postgres.url });
  await client.connect();
  const pgVersion = (await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`))
    .rows[0]!.v;
  await client.end();
  const ssh = await execFileAsync('ssh', ['-V']).then(
    (r) => (r.stderr || r.stdout).trim(),
    () => 'unknown',
  );
  return {
    cpus: os.cpus().length,
    /** 1-minute load average when the benchmark started: above ~0.5 something else was running. */
    loadAverage1m: round(os.loadavg()[0] ?? 0),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGB: round(os.totalmem() / 1e9, 1),
    node: process.version,
    postgres: pgVersion,
    openssh: ssh,
    temporal: stack.temporal.address,
  };
}

/** The tables, then the same figures as JSON on stdout and in `out`. */
export function printAndSave(
  results: {
    started: string;
    finished: string;
    machine: Awaited<ReturnType<typeof machine>>;
    options: unknown;
    sizes: SizeResult[];
    latency: LatencyResult | null;
    adaptive: AdaptiveResult | null;
    smallSync: SmallSyncResult | null;
    targets: Target[];
  },
  out: string,
): void {
  console.log(report(results.sizes, results.latency, results.targets, results.adaptive, results.smallSync));
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nJSON (also in ${out}):`);
  console.log(JSON.stringify(results, null, 2));
}
