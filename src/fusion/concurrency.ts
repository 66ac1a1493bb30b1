import { setTimeout as sleep } from 'node:timers/promises';

// How many Fusion requests one pod gets at once when the configuration does not fix it
// (fusion.parallelPages unset): found by the pod's own answers, AIMD-style, as TCP finds a link's
// window. Every clean answer widens the limit (by one per answer until the first sign of
// congestion, then by one per round of `limit` answers back up to where it was last cut, and a
// quarter of that beyond, probing slowly where the pod said no before); a 429 or 503 cuts it to
// 0.7 of itself (once per round: answers to requests sent before the last cut do not cut again)
// and a Retry-After holds every new request until it has passed. Each cut costs a Retry-After
// of the whole pod's throughput, so the limit closes in on the pod's level instead of swinging
// past it. The limit never leaves [1, max].

/** What became of one request, as the controller learns from it. */
export type Outcome =
  /** A 2xx answer. */
  | { kind: 'clean' }
  /** 429 or 503: the pod asks us to slow down; retryAfterSeconds when it said how long. */
  | { kind: 'throttled'; retryAfterSeconds?: number }
  /** Anything else (a 4xx, a network error): says nothing about the pod's capacity. */
  | { kind: 'other' };

/** One point of the controller's history: when, the limit, requests in flight, what happened. */
export interface ConcurrencySample {
  /** ms since the controller was made. */
  atMs: number;
  limit: number;
  inFlight: number;
  event: 'widen' | 'narrow' | 'pause';
}

export interface Permit {
  readonly sentAt: number;
  /** The order it was taken in. */
  readonly seq: number;
}

const HISTORY = 10_000;

/** What a 429/503 leaves of the limit. */
const CUT = 0.7;

export class AdaptiveConcurrency {
  private window: number;
  private inFlight = 0;
  private slowStart = true;
  private lastCut = Number.NEGATIVE_INFINITY;
  /** The window when it was last cut: the pod's level, as far as we know. */
  private cutAt = Number.POSITIVE_INFINITY;
  private pausedUntil = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly started: number;
  private timer: NodeJS.Timeout | null = null;
  private taken = 0;
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
      if (this.inFlight < this.limit) break;
      this.lastFull = this.taken + 1;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.inFlight++;
    this.taken++;
    if (this.inFlight >= this.limit) this.lastFull = this.taken;
    return { sentAt: this.now(), seq: this.taken };
  }

  /** Gives the place back and learns from what the request met. */
  release(permit: Permit, outcome: Outcome): void {
    // Only an answer the limit was actually used for says the pod could take more: the limit was
    // full at some point while this request was out.
    const busy = this.lastFull >= permit.seq;
    this.inFlight--;
    const now = this.now();
    if (outcome.kind === 'clean') {
      if (busy && this.window < this.max) {
        const step = this.slowStart ? 1 : this.window < this.cutAt - 1 ? 1 / this.window : 0.25 / this.window;
        this.window = Math.min(this.max, this.window + step);
        this.record('widen', now);
      }
    } else if (outcome.kind === 'throttled') {
      if (permit.sentAt >= this.lastCut) {
        this.slowStart = false;
        this.cutAt = this.window;
        this.window = Math.max(1, this.window * CUT);
        this.lastCut = now;
        this.record('narrow', now);
      }
      const seconds = outcome.retryAfterSeconds;
      if (seconds !== undefined && seconds > 0) {
        this.pausedUntil = Math.max(this.pausedUntil, now + seconds * 1000);
        this.record('pause', now);
        this.wakeAfterPause();
      }
    }
    this.wake();
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
    if (this.history.length >= HISTORY) this.history.shift();
    this.history.push({
      atMs: Math.round(now - this.started),
      limit: this.limit,
      inFlight: this.inFlight,
      event,
    });
  }
}
