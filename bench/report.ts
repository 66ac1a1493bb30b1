import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Stack } from '../dev/stack';
import { MB, round } from './common';
import type { ActionCount } from './history';
import type { AdaptiveResult } from './scenarios/adaptive';
import type { ConcurrentResult } from './scenarios/concurrent';
import type { SizeResult } from './scenarios/fullSync';
import type { LatencyResult } from './scenarios/latency';
import type { ManyIntegrationsResult } from './scenarios/manyIntegrations';
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
  concurrent: ConcurrentResult | null = null,
  many: ManyIntegrationsResult | null = null,
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
  if (concurrent) {
    out.push({
      target: `peak worker RSS ≤ 300 MB (${concurrent.syncs} syncs of ${fmt(concurrent.linesEach)} lines at once)`,
      measured: `${concurrent.memory.peakRssMB} MB (idle ${concurrent.memory.idleRssMB} MB, VmHWM ${concurrent.memory.vmHwmMB} MB)`,
      met: concurrent.memory.peakRssMB <= 300,
    });
  }
  if (many?.flat) {
    out.push({
      target: `cost of one more integration is flat (${many.flat.rule})`,
      measured: many.flat.measured,
      met: many.flat.met,
    });
  }
  const largest = many?.rounds.at(-1);
  if (largest) {
    out.push({
      target: `idle worker CPU with ${largest.integrations} integrations ≤ 2 % of one core`,
      measured: `${largest.idle.workerCpuPercent} % over ${largest.idle.seconds} s (load average ${largest.loadAverage.idle})`,
      met: largest.idle.workerCpuPercent <= 2,
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
  concurrent: ConcurrentResult | null = null,
  many: ManyIntegrationsResult | null = null,
): string {
  const out: string[] = [];
  if (sizes.length) {
    const paging =
      sizes[0]!.parallelPages === null
        ? 'adaptive (parallelPages unset, as shipped)'
        : `parallelPages ${sizes[0]!.parallelPages}`;
    out.push(
      `Full sync: journal lines → CSV on OpenSSH sftp (real workflow, worker in its own process; paging ${paging})`,
    );
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
          'idle RSS MB',
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
          s.memory.rssBeforeSyncMB.toFixed(0),
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
    out.push(
      '',
      'CPU during each phase, % of one core (2 cores = 200 %); of the worker: its JavaScript thread, and V8 helpers (garbage collection and the optimizing compiler on threads of their own)',
    );
    out.push(
      table(
        [
          'lines',
          'phase',
          's',
          'worker',
          'JS thread',
          'V8 helpers',
          'postgres',
          'simulator',
          'sshd',
          'temporal',
          'worker peak RSS MB',
        ],
        sizes.flatMap((s) =>
          s.phaseDetail
            .filter((p) => p.phase !== 'other')
            .map((p) => [
              s.lines,
              p.phase + (p.attempt > 1 ? ` (attempt ${p.attempt})` : ''),
              p.seconds.toFixed(1),
              p.cpuPercent.worker,
              p.cpuPercent.workerJs ?? '–',
              p.cpuPercent.workerV8 ?? '–',
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
    out.push(
      '',
      'Its curve, one line a second: the limit, the pace (requests/s, once a 429 set one), requests out, answers and 429s in that second',
    );
    out.push(
      table(
        ['second', 'limit', 'pace', 'in flight', 'answered', '429s', ''],
        adaptive.curve.map((c) => [
          c.second,
          c.limit,
          c.pace === null ? '-' : c.pace.toFixed(2),
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
  if (concurrent) {
    out.push(
      '',
      `Concurrent syncs: ${concurrent.syncs} integrations of ${concurrent.linesEach.toLocaleString('en-US')} lines each, started together on one worker`,
    );
    out.push(
      table(
        [
          'syncs',
          'wall s',
          'each s',
          'records/s',
          'idle RSS MB',
          'peak RSS MB',
          'VmHWM MB',
          'RSS after MB',
          'worker CPU %',
          'JS thread %',
          'V8 helpers %',
          'postgres CPU %',
        ],
        [
          [
            concurrent.syncs,
            concurrent.wallSeconds.toFixed(1),
            concurrent.syncSeconds.map((x) => x.toFixed(1)).join(' '),
            concurrent.recordsPerSecond,
            concurrent.memory.idleRssMB.toFixed(0),
            concurrent.memory.peakRssMB.toFixed(0),
            concurrent.memory.vmHwmMB.toFixed(0),
            concurrent.memory.rssAfterMB.toFixed(0),
            concurrent.cpuPercent.worker,
            concurrent.cpuPercent.workerJs ?? '–',
            concurrent.cpuPercent.workerV8 ?? '–',
            concurrent.cpuPercent.postgres,
          ],
        ],
      ),
    );
  }
  if (many) out.push(...manyReport(many));
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
    concurrent: ConcurrentResult | null;
    many: ManyIntegrationsResult | null;
    targets: Target[];
  },
  out: string,
): void {
  console.log(
    report(
      results.sizes,
      results.latency,
      results.targets,
      results.adaptive,
      results.smallSync,
      results.concurrent,
      results.many,
    ),
  );
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nJSON (also in ${out}):`);
  console.log(JSON.stringify(results, null, 2));
}

const actionHeaders = (first: string) => [
  first,
  ...['started', 'activities', 'timers', 'signals', 'updates', 'children', 'marker tasks', 'total'],
];

function manyReport(many: ManyIntegrationsResult): string[] {
  const out: string[] = [];
  const actionRow = (label: string, a: ActionCount) => [
    label,
    a.started,
    a.activities,
    a.timers,
    a.signals,
    a.updates,
    a.children,
    a.markers,
    a.total,
  ];

  if (many.rounds.length) {
    out.push(
      '',
      'Many scheduled integrations on one worker (every 15 min, staggered; none due while measured)',
    );
    out.push(
      table(
        [
          'integrations',
          'load',
          'worker up s',
          'start all s',
          'all planned s',
          'ms each',
          'idle s',
          'worker CPU %',
          'temporal CPU %',
          'RSS MB',
          'baseline MB',
          'MB each',
          'CPU % each',
          'baseline CPU %',
        ],
        many.rounds.map((r) => [
          r.integrations,
          r.loadAverage.idle.toFixed(1),
          r.worker.startSeconds.toFixed(1),
          r.start.allStartedSeconds.toFixed(1),
          r.start.allPlannedSeconds.toFixed(1),
          r.start.perIntegrationMs.toFixed(1),
          r.idle.seconds.toFixed(0),
          r.idle.workerCpuPercent.toFixed(2),
          r.idle.temporalCpuPercent.toFixed(2),
          r.idle.rssMB.toFixed(0),
          r.worker.baselineRssMB.toFixed(0),
          r.idle.rssPerIntegrationMB.toFixed(3),
          r.idle.cpuPercentPerIntegration.toFixed(4),
          r.worker.baselineCpuPercent.toFixed(2),
        ]),
      ),
    );
    out.push('', 'Worker restarts (the same config; then every schedule moved, so every workflow re-plans)');
    out.push(
      table(
        ['integrations', 'config', 'ready s', 're-planned', 'settled s', 'worker CPU s', 'actions each'],
        many.rounds.flatMap((r) =>
          (['unchanged', 'changed'] as const).map((k) => [
            r.integrations,
            k,
            r.restart[k].readySeconds.toFixed(1),
            r.restart[k].replanned,
            r.restart[k].settledSeconds.toFixed(1),
            r.restart[k].workerCpuSeconds.toFixed(1),
            r.restart[k].actionsPerIntegration.total,
          ]),
        ),
      ),
    );
    out.push('');
    out.push(
      table(
        actionHeaders('actions per integration'),
        many.rounds.flatMap((r) => [
          actionRow(`${r.integrations}: start → planned`, r.startActionsPerIntegration),
          actionRow(`${r.integrations}: restart, same config`, r.restart.unchanged.actionsPerIntegration),
          actionRow(`${r.integrations}: restart, schedules moved`, r.restart.changed.actionsPerIntegration),
        ]),
      ),
    );
    if (many.cliStartSeconds !== null)
      out.push(`  ml-connector start <id> as a process: ${many.cliStartSeconds} s each (median of 3)`);
  }
  const c = many.cycle;
  if (c) {
    out.push(
      '',
      `One planning cycle, counted from ${c.cycles} cycles on a ${c.scheduleSeconds} s schedule (${c.eventsPerCycle} events a cycle in the integration workflow)`,
    );
    out.push(
      table(actionHeaders('actions per cycle'), [
        actionRow('integration workflow, changes', c.parentPerCycle.changed),
        actionRow('its sync, changes', c.syncPerCycle.changed),
        actionRow('integration workflow, none', c.parentPerCycle.unchanged),
        actionRow('its sync, none', c.syncPerCycle.unchanged),
      ]),
    );
    out.push(
      `  per integration per day at every 15 min (${c.perDay15Min.cycles} cycles): ${c.perDay15Min.changed.toLocaleString('en-US')} actions with changes every cycle, ` +
        `${c.perDay15Min.unchanged.toLocaleString('en-US')} without; continue-as-new ${c.perDay15Min.continueAsNew} a day`,
    );
  }
  return out;
}
