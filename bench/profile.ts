import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Reads the worker's V8 CPU profile (`--profile` starts the worker with --cpu-prof) and says where
// its CPU went in each phase of the sync: self time by package or source file, and the top
// functions. Profile timestamps are CLOCK_MONOTONIC microseconds, the clock of process.hrtime,
// so they map to wall-clock time through one (Date.now(), hrtime) pair taken here.

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSlice {
  name: string;
  totalMs: number;
  /** Self time by package (node_modules/<pkg>) or repository folder, and the engine's own buckets. */
  byOwner: { owner: string; ms: number }[];
  topFunctions: { fn: string; ms: number }[];
}

/** Epoch ms of a CLOCK_MONOTONIC microsecond timestamp. */
function monoToEpoch(): (monoMicros: number) => number {
  const epochNow = Date.now();
  const monoNow = Number(process.hrtime.bigint() / 1000n);
  return (mono) => epochNow - (monoNow - mono) / 1000;
}

function ownerOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return 'node:internal';
  const repo = /\/(src|simulator|dev|bench)\/(.*)$/.exec(url);
  if (repo) return `${repo[1]}/${repo[2]!.split('/').slice(0, -1).join('/') || repo[2]}`;
  return url;
}

export function latestProfile(dir: string): string | null {
  try {
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    // The main thread's profile is the largest (worker threads write their own files).
    let best: { path: string; size: number } | null = null;
    for (const f of files) {
      const path = join(dir, f);
      const size = readFileSync(path).length;
      if (!best || size > best.size) best = { path, size };
    }
    return best?.path ?? null;
  } catch {
    return null;
  }
}

/** Slices the profile by wall-clock windows (epoch ms) and summarises each slice. */
export function summariseProfile(
  path: string,
  windows: { name: string; from: number; to: number }[],
  top = 8,
): ProfileSlice[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const toEpoch = monoToEpoch();
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const acc = windows.map(() => ({
    total: 0,
    owners: new Map<string, number>(),
    fns: new Map<string, number>(),
  }));
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    const at = toEpoch(t);
    const w = windows.findIndex((win) => at >= win.from && at <= win.to);
    if (w < 0) continue;
    const frame = frames.get(profile.samples[i]!);
    if (!frame) continue;
    const ms = delta / 1000;
    const owner = ownerOf(frame.url, frame.functionName);
    const fn = `${frame.functionName || '(anonymous)'} ${owner}`;
    const a = acc[w]!;
    a.total += ms;
    a.owners.set(owner, (a.owners.get(owner) ?? 0) + ms);
    a.fns.set(fn, (a.fns.get(fn) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((x, y) => y[1] - x[1]).slice(0, top);
  return windows.map((win, i) => ({
    name: win.name,
    totalMs: Math.round(acc[i]!.total),
    byOwner: sorted(acc[i]!.owners).map(([owner, ms]) => ({ owner, ms: Math.round(ms) })),
    topFunctions: sorted(acc[i]!.fns).map(([fn, ms]) => ({ fn, ms: Math.round(ms) })),
  }));
}
