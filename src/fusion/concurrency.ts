import { setTimeout as sleep } from 'node:timers/promises';

// How many Fusion requests one pod gets at once when the configuration does not fix it
// (fusion.parallelPages unset), and how fast they may be sent: found by the pod's own answers,
// as TCP finds a link's window. Two signals, two controls:
// - Requests at once (the window). Every clean answer widens it (by one per answer until the
//   first sign of congestion, then by one per round of `limit` answers back up to where it was
//   last cut, and a quarter of that beyond, probing slowly where the pod said no before); a 503
//   (the pod is overloaded) cuts it to 0.7 of itself, once per round (answers to requests sent
//   before the last cut do not cut again). It never leaves [1, max].
// - Requests a second (the pace). A 429 says the pod counts requests over time, not at once: a
//   window cannot hold a rate when each answer takes 0.5–2 s (the same window sends twice as fast
//   when answers are quick). So a 429 sets a pace, once per round: 0.9 of the rate the requests
//   went out at over the last two seconds; once paced, no faster than the pod answered cleanly
//   since the last 429 either, but never below half of that first figure. The pace then rises by
//   2 % a second (compounded) and is forgotten once it has doubled, 35 s without a 429. No pace
//   from a 429 to fewer than 4 requests in those two seconds: a 429 to a request or two says
//   nothing of a rate, its Retry-After covers it.
// A Retry-After of either holds every new request until it has passed. Each cut costs a
// Retry-After of the whole pod's throughput, so both close in on the pod's level instead of
// swinging past it.

/** What became of one request, as the controller learns from it. */
export type Outcome =
  /** A 2xx answer. */
  | { kind: 'clean' }
  /** 503: the pod is overloaded (fewer at once); retryAfterSeconds when it said how long. */
  | { kind: 'unavailable'; retryAfterSeconds?: number }
  /** 429: the pod's request-rate limit (slower); retryAfterSeconds when it said how long. */
  | { kind: 'throttled'; retryAfterSeconds?: number }
  /** Anything else (a 4xx, a network error): says nothing about the pod's capacity. */
  | { kind: 'other' };

/** One point of the controller's history: when, the limit, requests in flight, what happened. */
export interface ConcurrencySample {
  /** ms since the controller was made. */
  atMs: number;
  limit: number;
  inFlight: number;
  event: 'widen' | 'narrow' | 'pause' | 'pace';
  /** Requests a second at most, once a 429 has set a pace. */
  pace?: number;
}

export interface Permit {
  readonly sentAt: number;
  /** The order it was taken in. */
  readonly seq: number;
}

const HISTORY = 10_000;

/** What a 503 leaves of the limit. */
const CUT = 0.7;

/** What a 429 leaves of the rate requests went out at. */
const PACE_CUT = 0.9;

/** How fast the pace rises without a 429: 2 % a second, compounded. */
const PACE_RISE_PER_SECOND = 1.02;

/**
 * A pace that has risen to this many times what a 429 set (35 s without one) is forgotten: it no
 * longer says anything of the pod, and the next 429 sets one afresh from the rate it meets.
 */
const PACE_FORGOTTEN_AT = 2;

/** The slowest pace, requests a second (a pod that allows less says so with Retry-After). */
const PACE_FLOOR = 0.5;

/** Over how long the send rate is taken when a 429 sets the pace. */
const RATE_SPAN_MS = 2000;

/**
 * Requests sent in that span for a 429 to set the pace: fewer say nothing of a rate (a 429 to a
 * request or two, one at a time, is the pod's or its other clients' doing; Retry-After covers it).
 */
const MIN_PACED_SENDS = 4;

/** Over how long the rate of clean answers is taken (the pod's own rate, when it says 429). */
const ACCEPTED_SPAN_MS = 4000;

export class AdaptiveConcurrency {
  private window: number;
  private inFlight = 0;
  private slowStart = true;
  /** When a 503 last cut the window, and a 429 last set the pace (each once per round). */
  private lastCut = Number.NEGATIVE_INFINITY;
  private lastPaceCut = Number.NEGATIVE_INFINITY;
  /** The window when it was last cut: the pod's level, as far as we know. */
  private cutAt = Number.POSITIVE_INFINITY;
  private pausedUntil = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly started: number;
  private timer: NodeJS.Timeout | null = null;
  private taken = 0;
  /** The pace a 429 last set (Infinity: none), which rises from `pacedAt` on. */
  private paceSet = Number.POSITIVE_INFINITY;
  private pacedAt = 0;
  /** The earliest the next request may go under the pace. */
  private nextSendAt = 0;
  /** When the requests of the last RATE_SPAN_MS were sent. */
  private readonly sends: number[] = [];
  /** When the clean answers of the last ACCEPTED_SPAN_MS came. */
  private readonly accepted: number[] = [];
  /** The last permit that found the limit full (taken as the last place, or waited for one). */
  private lastFull = 0;
  /** The latest changes of the limit (at most 10,000), for the bench and for tests. */
  readonly history: ConcurrencySample[] = [];

  constructor(
    /** The bound (fusion.limits.maxParallelPages): the limit never goes above it. */
    readonly max: number,
    initial = 1,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(Number.isInteger(max) && max >= 1)) throw new RangeError('max must be an integer >= 1');
    this.window = Math.min(max, Math.max(1, initial));
    this.started = this.now();
  }

  /** Requests allowed at once now. */
  get limit(): number {
    return Math.floor(this.window);
  }

  /** Requests a second at most now; Infinity until a 429 sets a pace, and once it is forgotten. */
  get pace(): number {
    return this.paceAt(this.now());
  }

  /** Requests sent and not yet answered. */
  get active(): number {
    return this.inFlight;
  }

  /** Waits for a free place (and for a Retry-After to pass), then takes it. */
  async acquire(): Promise<Permit> {
    for (;;) {
      const wait = this.pausedUntil - this.now();
      if (wait > 0) {
        await sleep(wait);
        continue;
      }
      if (this.inFlight < this.limit) {
        const paced = this.nextSendAt - this.now();
        if (paced <= 0) break;
        await sleep(paced);
        continue;
      }
      this.lastFull = this.taken + 1;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    const now = this.now();
    this.inFlight++;
    this.taken++;
    if (this.inFlight >= this.limit) this.lastFull = this.taken;
    this.sends.push(now);
    while (this.sends.length && this.sends[0]! <= now - RATE_SPAN_MS) this.sends.shift();
    const pace = this.paceAt(now);
    if (Number.isFinite(pace)) this.nextSendAt = Math.max(this.nextSendAt, now) + 1000 / pace;
    return { sentAt: now, seq: this.taken };
  }

  /** Gives the place back and learns from what the request met. */
  release(permit: Permit, outcome: Outcome): void {
    // Only an answer the limit was actually used for says the pod could take more: the limit was
    // full at some point while this request was out.
    const busy = this.lastFull >= permit.seq;
    this.inFlight--;
    const now = this.now();
    if (outcome.kind === 'clean') {
      this.accepted.push(now);
      while (this.accepted[0]! <= now - ACCEPTED_SPAN_MS) this.accepted.shift();
      if (busy && this.window < this.max) {
        const step = this.slowStart ? 1 : this.window < this.cutAt - 1 ? 1 / this.window : 0.25 / this.window;
        this.window = Math.min(this.max, this.window + step);
        this.record('widen', now);
      }
    } else if (outcome.kind === 'unavailable') {
      if (permit.sentAt >= this.lastCut) {
        this.slowStart = false;
        this.cutAt = this.window;
        this.window = Math.max(1, this.window * CUT);
        this.lastCut = now;
        this.record('narrow', now);
      }
    } else if (outcome.kind === 'throttled') {
      const recent = this.sends.filter((t) => t > now - RATE_SPAN_MS);
      if (permit.sentAt >= this.lastPaceCut && recent.length >= MIN_PACED_SENDS) {
        // The rate that drew the 429, less a tenth; once paced, no faster than the pod let through
        // since the last 429 either (the first comes in the ramp up, when that says nothing of the
        // pod), but not below half the first figure: a pod that let nothing through had a
        // Retry-After to say so.
        const pace = this.paceAt(now);
        // Requests a second over the last RATE_SPAN_MS, from the oldest of them (at least 250 ms).
        const sent = PACE_CUT * Math.min(pace, (recent.length * 1000) / Math.max(now - recent[0]!, 250));
        const accepted = Number.isFinite(pace) ? Math.max(this.acceptedRate(now), sent / 2) : sent;
        this.paceSet = Math.max(PACE_FLOOR, Math.min(sent, accepted));
        this.pacedAt = now;
        this.slowStart = false;
        this.lastPaceCut = now;
        this.record('pace', now);
      }
    }
    if (outcome.kind === 'unavailable' || outcome.kind === 'throttled') {
      const seconds = outcome.retryAfterSeconds;
      if (seconds !== undefined && seconds > 0) {
        this.pausedUntil = Math.max(this.pausedUntil, now + seconds * 1000);
        this.record('pause', now);
        this.wakeAfterPause();
      }
    }
    this.wake();
  }

  /**
   * Clean answers a second since the last 429 that set the pace and its Retry-After (at most
   * ACCEPTED_SPAN_MS back): under a rate limit, the pod's own rate. Infinity when that is too short
   * a time to tell.
   */
  private acceptedRate(now: number): number {
    const since = Math.max(now - ACCEPTED_SPAN_MS, this.lastPaceCut, this.pausedUntil);
    if (now - since < 1000) return Number.POSITIVE_INFINITY;
    return (this.accepted.filter((t) => t > since).length * 1000) / (now - since);
  }

  /** The pace at `now`: as set, risen by 2 % for each second since, forgotten once doubled. */
  private paceAt(now: number): number {
    if (!Number.isFinite(this.paceSet)) return this.paceSet;
    const rise = PACE_RISE_PER_SECOND ** (Math.max(0, now - this.pacedAt) / 1000);
    return rise >= PACE_FORGOTTEN_AT ? Number.POSITIVE_INFINITY : this.paceSet * rise;
  }

  private wake(): void {
    let free = this.limit - this.inFlight;
    while (free-- > 0 && this.waiters.length) this.waiters.shift()!();
  }

  /** Waiters blocked on a full limit re-check once the pause is over (they then sleep it out). */
  private wakeAfterPause(): void {
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(0, this.pausedUntil - this.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, wait);
    this.timer.unref();
  }

  private record(event: ConcurrencySample['event'], now: number): void {
    const pace = this.paceAt(now);
    if (this.history.length >= HISTORY) this.history.shift();
    this.history.push({
      atMs: Math.round(now - this.started),
      limit: this.limit,
      inFlight: this.inFlight,
      event,
      ...(Number.isFinite(pace) ? { pace: Math.round(pace * 100) / 100 } : {}),
    });
  }
}
