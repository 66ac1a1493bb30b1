import { FusionSimulator } from '../../simulator/server';
import { connectFusion, readChanges } from '../../src/fusion';
import { CLIENT_ID, CLIENT_SECRET, log, type Options, round } from '../common';

// Scenario 3: adaptive parallel paging (fusion.parallelPages unset) against a pod's latency and
// request-rate limit. The simulator answers an expanded page of 500 lines in a seeded 0.5–2 s
// (scaled by the rows it serves) and allows `rateLimit` requests a second (token bucket, 429 with
// Retry-After beyond it). The connector's own reader (connectFusion + readChanges, the code the
// worker runs) reads the window in this process and the controller's limit is sampled every
// second: the curve of concurrency over time, and the throughput against the rate-limit bound
// (rateLimit requests/s × 500 lines a request).

const SCOPE = 'urn:opc:resource:fa:instanceid=700000001urn:opc:resource:consumer::all';
const LINES_PER_REQUEST = 500;

export interface AdaptiveSample {
  second: number;
  limit: number;
  /** Requests a second at most (null until a 429 set a pace). */
  pace: number | null;
  inFlight: number;
  /** Requests the pod answered (2xx) in the second before. */
  requests: number;
  /** 429s the rate limit gave in the second before. */
  throttled: number;
}

export interface AdaptiveResult {
  lines: number;
  rateLimitPerSecond: number;
  latency: string;
  bound: number;
  seconds: number;
  requests: number;
  throttled: number;
  linesPerSecond: number;
  /** rateLimit × 500 lines: the most the pod lets any client read. */
  boundLinesPerSecond: number;
  /** linesPerSecond ÷ boundLinesPerSecond; the target is ≥ 0.8. */
  ratio: number;
  /** The same for the second half of the run (after the controller has found its level). */
  steadyRatio: number;
  peakInFlightAtPod: number;
  curve: AdaptiveSample[];
}

export async function runAdaptive(o: Options): Promise<AdaptiveResult> {
  const lines = o.adaptiveLines;
  log(`Adaptive paging: ${lines.toLocaleString('en-US')} lines, rate limit ${o.rateLimit} requests/s`);
  const layout = { linesPerHeader: 10, headersPerBatch: 2, batchesPerTimestamp: 2 };
  const stamps = Math.ceil(
    lines / layout.linesPerHeader / layout.headersPerBatch / layout.batchesPerTimestamp,
  );
  const stepMs = Math.max(1, Math.floor(86_400 / stamps)) * 1000;
  const from = Math.floor(Date.now() / 1000) * 1000 - stamps * stepMs - 60_000;
  const sim = new FusionSimulator({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    generated: { journalLines: lines, from, stepMs, ...layout },
    faults: {
      podLatency: { minMs: 500, maxMs: 2000, rows: LINES_PER_REQUEST, seed: 13 },
      rateLimit: { perSecond: o.rateLimit },
    },
  });
  const url = await sim.listen();
  const fusion = connectFusion({
    baseUrl: `${url}/fscmRestApi/resources/11.13.18.05`,
    auth: {
      type: 'oauth',
      tokenUrl: `${url}/oauth2/v1/token`,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scope: SCOPE,
      tokenRefreshSeconds: 3300,
    },
    pageSize: 25, // 25 batches of 20 lines: 500 lines a request
    frameworkVersion: 4,
    requestTimeoutSeconds: 60,
    transientRetries: 10,
  });
  const limit = fusion.client.adaptive!;
  const curve: AdaptiveSample[] = [];
  const answered = () => sim.stats.requests.journalBatches ?? 0;
  const throttled = () => sim.stats.faults.rateLimit ?? 0;
  let last = { requests: 0, throttled: 0 };
  const started = performance.now();
  const sample = () => {
    const now = { requests: answered(), throttled: throttled() };
    curve.push({
      second: Math.round((performance.now() - started) / 1000),
      limit: limit.limit,
      pace: Number.isFinite(limit.pace) ? round(limit.pace) : null,
      inFlight: limit.active,
      requests: now.requests - last.requests,
      throttled: now.throttled - last.throttled,
    });
    last = now;
  };
  const timer = setInterval(sample, 1000);
  let read = 0;
  try {
    const window = { from: new Date(from - 1000).toISOString(), to: new Date().toISOString() };
    for await (const page of readChanges(fusion.client, 'journalLines', window, {
      expand: true,
      childChangeFilter: true,
    })) {
      for (const x of page) if (x.ok) read++;
    }
  } finally {
    clearInterval(timer);
    await fusion.close();
    await sim.close();
  }
  sample();
  const seconds = (performance.now() - started) / 1000;
  if (read !== lines) throw new Error(`adaptive paging read ${read} lines of ${lines}`);
  const boundLinesPerSecond = o.rateLimit * LINES_PER_REQUEST;
  const half = curve.slice(Math.floor(curve.length / 2), -1);
  const steadyRequests = half.reduce((n, s) => n + s.requests, 0);
  const result: AdaptiveResult = {
    lines,
    rateLimitPerSecond: o.rateLimit,
    latency: '0.5–2 s per 500 lines (seeded), scaled by rows',
    bound: limit.max,
    seconds: round(seconds, 1),
    requests: answered(),
    throttled: throttled(),
    linesPerSecond: Math.round(lines / seconds),
    boundLinesPerSecond,
    ratio: round(lines / seconds / boundLinesPerSecond),
    steadyRatio: half.length ? round(steadyRequests / half.length / o.rateLimit) : 0,
    peakInFlightAtPod: sim.stats.restInFlight.peak,
    curve,
  };
  log(`  ${result.seconds} s, ${result.linesPerSecond} lines/s, ${result.ratio} of the rate-limit bound`);
  return result;
}
