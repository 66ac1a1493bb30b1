import { readdirSync, readFileSync } from 'node:fs';

// Samples, every 100 ms, the worker process's resident memory (/proc/<pid>/status VmRSS, VmHWM)
// and the CPU time of every process taking part in a sync: the worker, Postgres, sshd, the
// Temporal server, and this process (which hosts the Fusion simulator). CPU comes from
// /proc/<pid>/stat (utime + stime, all threads) in clock ticks; processes that come and go
// (Postgres backends, one sshd per SSH connection) are summed by their deltas while seen. The
// worker's own threads are summed the same way: its JavaScript thread (node's main thread) and
// V8's helper threads (V8Worker: concurrent and parallel garbage collection, the optimizing
// compiler; named so by Node 24, not by Node 20, where that column is left out); the rest of the
// worker (the workflow thread, the CSV check thread, the Temporal core, libuv) is what it used
// beyond those two.

const TICK_MS = 10; // CLK_TCK is 100 on Linux x86-64 and arm64

export type CpuGroup = 'worker' | 'workerJs' | 'workerV8' | 'postgres' | 'sshd' | 'temporal' | 'simulator';

export interface Sample {
  /** Epoch ms. */
  t: number;
  rssBytes: number;
  hwmBytes: number;
  /** Cumulative CPU ms per group since the sampler started. */
  cpuMs: Record<CpuGroup, number>;
}

function statusKb(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** utime + stime of a process (or of one thread: `task/<tid>` of its process) in ms, or null when it is gone. */
function cpuOf(pid: number, task = ''): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/${task}stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

function commOf(pid: number, task = ''): string {
  try {
    return readFileSync(`/proc/${pid}/${task}comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** V8's helper threads, by the name node gives them (with a `node-` prefix on some versions). */
const V8_HELPER = /V8Worker$/;

const GROUP_OF_COMM: Record<string, CpuGroup> = {
  postgres: 'postgres',
  sshd: 'sshd',
  'sftp-server': 'sshd',
  temporal: 'temporal',
};

/** The peak resident set size of a process over its whole life (VmHWM), in bytes. */
export function peakRss(pid: number): number {
  return statusKb(pid, 'VmHWM') * 1024;
}

export class Sampler {
  readonly samples: Sample[] = [];
  private readonly lastCpu = new Map<number, number>();
  private readonly groupOf = new Map<number, CpuGroup>();
  /** The worker's threads by thread ID: the group each counts in (null: none; undefined: not known yet), its last CPU. */
  private readonly threadCpu = new Map<number, { group: CpuGroup | null | undefined; ms: number }>();
  /** The thread groups any thread was found for: one never found is left out of cpuBetween. */
  private readonly seenGroups = new Set<CpuGroup>();
  private readonly totals: Record<CpuGroup, number> = {
    worker: 0,
    workerJs: 0,
    workerV8: 0,
    postgres: 0,
    sshd: 0,
    temporal: 0,
    simulator: 0,
  };
  private simulatorStart = process.cpuUsage();
  private timer: NodeJS.Timeout | null = null;
  private scanTimer: NodeJS.Timeout | null = null;

  constructor(private readonly workerPid: number) {}

  start(intervalMs = 100): void {
    this.groupOf.set(this.workerPid, 'worker');
    this.scan();
    this.simulatorStart = process.cpuUsage();
    for (const pid of this.groupOf.keys()) this.lastCpu.set(pid, cpuOf(pid) ?? 0);
    this.sampleThreads(false);
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.scanTimer = setInterval(() => this.scan(), 1000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.scanTimer) clearInterval(this.scanTimer);
    this.timer = null;
    this.scanTimer = null;
    this.sample();
  }

  /** Finds the processes of the other groups (new Postgres backends and sshd sessions appear). */
  private scan(): void {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      if (this.groupOf.has(pid)) continue;
      const group = GROUP_OF_COMM[commOf(pid)];
      if (!group) continue;
      this.groupOf.set(pid, group);
      // A process first seen now counts from now (its earlier CPU is not this sync's).
      this.lastCpu.set(pid, cpuOf(pid) ?? 0);
    }
  }

  /**
   * Adds each counted worker thread's CPU since the last sample (a thread first seen counts from
   * now). The JavaScript thread is the one whose ID is the process's; a helper is named by V8
   * (`V8Worker`, `node-V8Worker` on some versions) once it runs. A new thread starts with its
   * parent's name, so one still named like the process is asked again at the next sample; once it
   * has a name of its own it is counted, or never read again. Threads gone from the listing are
   * forgotten, so that a reused thread ID starts afresh.
   */
  private sampleThreads(count = true): void {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${this.workerPid}/task`);
    } catch {
      return; // the worker is gone
    }
    const listed = new Set<number>();
    /** The process's own name, read once a sample (only when a thread's group is not known yet). */
    let processName: string | undefined;
    for (const entry of tids) {
      const tid = Number(entry);
      listed.add(tid);
      let seen = this.threadCpu.get(tid);
      if (seen?.group === null) continue; // not one of the counted threads
      const task = `task/${tid}/`;
      const now = cpuOf(this.workerPid, task);
      if (now === null) continue;
      if (!seen) {
        seen = { group: undefined, ms: now };
        this.threadCpu.set(tid, seen);
      }
      if (seen.group === undefined) {
        processName ??= commOf(this.workerPid);
        seen.group = this.threadGroup(tid, task, processName);
      }
      if (seen.group) {
        this.seenGroups.add(seen.group);
        if (count) this.totals[seen.group] += Math.max(0, now - seen.ms);
      }
      seen.ms = now;
    }
    for (const tid of this.threadCpu.keys()) if (!listed.has(tid)) this.threadCpu.delete(tid);
  }

  /** The group a worker thread counts in, null for none, undefined while it has its parent's name. */
  private threadGroup(tid: number, task: string, processName: string): CpuGroup | null | undefined {
    if (tid === this.workerPid) return 'workerJs';
    const name = commOf(this.workerPid, task);
    if (V8_HELPER.test(name)) return 'workerV8';
    return name === processName ? undefined : null;
  }

  private sample(): void {
    this.sampleThreads();
    for (const [pid, group] of this.groupOf) {
      const now = cpuOf(pid);
      if (now === null) {
        this.groupOf.delete(pid);
        this.lastCpu.delete(pid);
        continue;
      }
      this.totals[group] += Math.max(0, now - (this.lastCpu.get(pid) ?? now));
      this.lastCpu.set(pid, now);
    }
    const sim = process.cpuUsage(this.simulatorStart);
    this.totals.simulator = (sim.user + sim.system) / 1000;
    let rssBytes = 0;
    let hwmBytes = 0;
    try {
      rssBytes = statusKb(this.workerPid, 'VmRSS') * 1024;
      hwmBytes = statusKb(this.workerPid, 'VmHWM') * 1024;
    } catch {
      // the worker is gone
    }
    this.samples.push({ t: Date.now(), rssBytes, hwmBytes, cpuMs: { ...this.totals } });
  }

  /** Highest sampled RSS between two instants (epoch ms). */
  maxRss(from = 0, to = Number.POSITIVE_INFINITY): number {
    let max = 0;
    for (const s of this.samples) if (s.t >= from && s.t <= to) max = Math.max(max, s.rssBytes);
    return max;
  }

  /** CPU ms each group used between two instants (from the samples nearest to them). */
  cpuBetween(from: number, to: number): Record<CpuGroup, number> {
    const at = (t: number): Sample => {
      let best = this.samples[0]!;
      for (const s of this.samples) if (Math.abs(s.t - t) < Math.abs(best.t - t)) best = s;
      return best;
    };
    const a = at(from);
    const b = at(to);
    const out = {} as Record<CpuGroup, number>;
    for (const group of Object.keys(this.totals) as CpuGroup[]) {
      if ((group === 'workerJs' || group === 'workerV8') && !this.seenGroups.has(group)) continue;
      out[group] = b.cpuMs[group] - a.cpuMs[group];
    }
    return out;
  }
}
