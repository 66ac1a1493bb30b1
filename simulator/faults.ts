import { BadRequest } from './attributes';
import { mulberry32 } from './random';

// Fault injection: what a real pod and identity domain do to a client now and then (reference
// §2.5, §4.2, §4.8). Set by the constructor's `faults` option or POST /__sim/faults (merged into
// what is active), cleared by DELETE /__sim/faults. Every injected fault is counted in stats.

/** Which requests a fault applies to: REST resource GETs (default), the token endpoint, or both. */
export type FaultTarget = 'rest' | 'token' | 'all';

/**
 * `count` alone: the next `count` matching requests (default 1). `every: k`: every k-th matching
 * request (the k-th, 2k-th …), at most `count` times if given. A request answered by an earlier
 * fault is not seen by later ones (order: latency, connectionReset, serviceUnavailable,
 * tooManyRequests, tokenRevoked).
 */
export interface CountedFault {
  count?: number;
  every?: number;
  target?: FaultTarget;
}

export interface FaultConfig {
  /** Delay before answering, for every matching request. */
  latency?: { ms: number; target?: FaultTarget };
  /**
   * A pod's own latency for REST answers: a seeded draw in [minMs, maxMs] for an answer of `rows`
   * rows (default 500; nested child rows count), scaled by the rows it actually serves, waited
   * after the answer is computed (so it comes on top of `latency`). The same seed, the same draws.
   */
  podLatency?: { minMs: number; maxMs: number; rows?: number; seed?: number };
  /**
   * A request-rate limit on REST requests: a token bucket refilled at `perSecond` tokens a second,
   * holding at most `burst` (default: perSecond, at least 1). A request finding it empty answers
   * 429 with Retry-After: the whole seconds until the next token (at least 1).
   */
  rateLimit?: { perSecond: number; burst?: number };
  /** 429; Retry-After in seconds (number) or as given (an HTTP date); no header when omitted. */
  tooManyRequests?: CountedFault & { retryAfter?: number | string };
  /** 503 (pod maintenance); optional Retry-After as above. */
  serviceUnavailable?: CountedFault & { retryAfter?: number | string };
  /** The socket is destroyed without an answer. */
  connectionReset?: CountedFault;
  /** The next `count` (default 1) REST calls answer 401 and the token they carried is revoked. */
  tokenRevoked?: { count?: number };
  /**
   * After the `afterRequests`-th page request on the top-level collection `resource`, the first
   * `count` rows of that request's filtered, ordered window get a new LastUpdateDate (later than
   * any row of the window), so offsets shift under a client that is paging. Fires once.
   */
  updateDuringPaging?: { resource: string; afterRequests: number; count: number };
  /** false: a change to a child row no longer bumps its parents' LastUpdateDate (no-bump mode). */
  childChangeBumpsParents?: boolean;
  // Hostile answers: what a broken pod, a proxy or a tampered response can send. They apply to
  // every REST answer while set.
  /**
   * Collection GETs of this resource (top-level or child, by name) ignore q and offset: the same
   * first page again, always with hasMore true.
   */
  endlessPages?: { resource: string };
  /** Each occurrence of `find` in a REST body is replaced by these bytes (hex; `ff` is invalid UTF-8). */
  rawBytes?: { find: string; bytesHex: string };
  /** Collection bodies grow by this many bytes of JSON whitespace (a huge answer). */
  padBody?: { bytes: number };
  /** Links in REST bodies point at this origin instead of the pod's (e.g. `http://127.0.0.2:9`). */
  foreignLinks?: { origin: string };
}

export type FaultKind =
  | 'latency'
  | 'tooManyRequests'
  | 'serviceUnavailable'
  | 'connectionReset'
  | 'tokenRevoked'
  | 'rateLimit';

/** What the server does instead of (or before) answering normally. */
export type FaultAction =
  | { kind: 'reset' }
  | { kind: 'respond'; status: number; headers: Record<string, string>; text: string };

interface Counter {
  seen: number;
  fired: number;
}

function retryAfterHeader(value: number | string | undefined): Record<string, string> {
  return value === undefined ? {} : { 'retry-after': String(value) };
}

function validCount(name: string, value: unknown, min: number): void {
  if (value !== undefined && !(Number.isInteger(value) && (value as number) >= min))
    throw new BadRequest(`faults.${name} must be an integer >= ${min}`);
}

export class FaultInjector {
  private config: FaultConfig = {};
  private readonly counters = new Map<string, Counter>();
  private pagesSeen = 0;
  private draw: () => number = Math.random;
  private bucket = { tokens: 0, at: 0 };

  constructor(
    private readonly counts: Record<string, number>,
    private readonly onPolicy: (childChangeBumpsParents: boolean) => void,
    /** Top-level resources updateDuringPaging may name. */
    private readonly resources: readonly string[],
  ) {}

  /** Merges `config` into the active faults; a kind given again starts counting afresh. */
  set(config: FaultConfig): void {
    for (const kind of ['tooManyRequests', 'serviceUnavailable', 'connectionReset'] as const) {
      validCount(`${kind}.count`, config[kind]?.count, 0);
      validCount(`${kind}.every`, config[kind]?.every, 1);
    }
    validCount('tokenRevoked.count', config.tokenRevoked?.count, 0);
    validCount('latency.ms', config.latency?.ms, 0);
    if (config.updateDuringPaging) {
      const u = config.updateDuringPaging;
      if (!this.resources.includes(u.resource))
        throw new BadRequest(
          `faults.updateDuringPaging.resource must be one of ${this.resources.join(', ')}`,
        );
      validCount('updateDuringPaging.afterRequests', u.afterRequests, 1);
      validCount('updateDuringPaging.count', u.count, 1);
      this.pagesSeen = 0;
    }
    if (config.rawBytes && !/^([0-9a-f]{2})+$/i.test(config.rawBytes.bytesHex))
      throw new BadRequest('faults.rawBytes.bytesHex must be hex bytes');
    validCount('padBody.bytes', config.padBody?.bytes, 0);
    if (config.podLatency) {
      const { minMs, maxMs, rows, seed } = config.podLatency;
      validCount('podLatency.minMs', minMs, 0);
      validCount('podLatency.maxMs', maxMs, 0);
      if (!(maxMs >= minMs)) throw new BadRequest('faults.podLatency.maxMs must be >= minMs');
      validCount('podLatency.rows', rows, 1);
      validCount('podLatency.seed', seed, 0);
      this.draw = mulberry32(seed ?? 1);
    }
    if (config.rateLimit) {
      const { perSecond, burst } = config.rateLimit;
      if (!(typeof perSecond === 'number' && perSecond > 0))
        throw new BadRequest('faults.rateLimit.perSecond must be a number > 0');
      if (burst !== undefined && !(typeof burst === 'number' && burst >= 1))
        throw new BadRequest('faults.rateLimit.burst must be a number >= 1');
      this.bucket = { tokens: this.burst(config.rateLimit), at: Date.now() };
    }
    for (const key of Object.keys(config) as (keyof FaultConfig)[]) this.counters.delete(key);
    if (config.childChangeBumpsParents !== undefined) this.onPolicy(config.childChangeBumpsParents);
    const { childChangeBumpsParents: _, ...faults } = config;
    this.config = { ...this.config, ...faults };
  }

  clear(): void {
    this.config = {};
    this.counters.clear();
    this.pagesSeen = 0;
    this.onPolicy(true);
  }

  active(): FaultConfig {
    return this.config;
  }

  private record(kind: string, n = 1): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + n;
  }

  private fires(kind: FaultKind, fault: CountedFault | undefined, target: 'rest' | 'token'): boolean {
    if (!fault) return false;
    const applies = (fault.target ?? 'rest') === target || fault.target === 'all';
    if (!applies) return false;
    const counter = this.counters.get(kind) ?? { seen: 0, fired: 0 };
    this.counters.set(kind, counter);
    const limit = fault.count ?? (fault.every ? Number.POSITIVE_INFINITY : 1);
    if (counter.fired >= limit) return false;
    counter.seen++;
    if (fault.every && counter.seen % fault.every !== 0) return false;
    counter.fired++;
    this.record(kind);
    return true;
  }

  /** Latency to wait before handling a request, in ms (0: none). */
  latencyFor(target: 'rest' | 'token'): number {
    const latency = this.config.latency;
    if (!latency || !((latency.target ?? 'rest') === target || latency.target === 'all')) return 0;
    this.record('latency');
    return latency.ms;
  }

  private burst(limit: { perSecond: number; burst?: number }): number {
    return limit.burst ?? Math.max(1, limit.perSecond);
  }

  /** The pod's latency for an answer of `rows` rows, in ms (0: podLatency not set). */
  podLatencyFor(rows: number): number {
    const p = this.config.podLatency;
    if (!p) return 0;
    this.record('podLatency');
    const base = p.minMs + this.draw() * (p.maxMs - p.minMs);
    return Math.round((base * Math.max(1, rows)) / (p.rows ?? 500));
  }

  /** Takes a token of the rate limit; a 429 when the bucket is empty (null: no limit or a token). */
  private rateLimited(): FaultAction | null {
    const limit = this.config.rateLimit;
    if (!limit) return null;
    const now = Date.now();
    const b = this.bucket;
    b.tokens = Math.min(this.burst(limit), b.tokens + ((now - b.at) / 1000) * limit.perSecond);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return null;
    }
    this.record('rateLimit');
    const wait = Math.max(1, Math.ceil((1 - b.tokens) / limit.perSecond));
    return {
      kind: 'respond',
      status: 429,
      headers: { 'retry-after': String(wait) },
      text: 'Too Many Requests',
    };
  }

  /** The fault that answers this request instead of the server, if one fires. */
  before(target: 'rest' | 'token'): FaultAction | null {
    const c = this.config;
    if (target === 'rest') {
      const limited = this.rateLimited();
      if (limited) return limited;
    }
    if (this.fires('connectionReset', c.connectionReset, target)) return { kind: 'reset' };
    if (this.fires('serviceUnavailable', c.serviceUnavailable, target)) {
      const headers = retryAfterHeader(c.serviceUnavailable?.retryAfter);
      return { kind: 'respond', status: 503, headers, text: 'Service Unavailable' };
    }
    if (this.fires('tooManyRequests', c.tooManyRequests, target)) {
      const headers = retryAfterHeader(c.tooManyRequests?.retryAfter);
      return { kind: 'respond', status: 429, headers, text: 'Too Many Requests' };
    }
    return null;
  }

  /** True when this authenticated REST call is to answer 401 as if its token had been revoked. */
  revokesToken(): boolean {
    return this.fires('tokenRevoked', this.config.tokenRevoked, 'rest');
  }

  /** After a page of a top-level collection: how many rows to change now (0: none). */
  pageServed(resource: string): number {
    const u = this.config.updateDuringPaging;
    if (!u || u.resource !== resource) return 0;
    this.pagesSeen++;
    if (this.pagesSeen !== u.afterRequests) return 0;
    const { updateDuringPaging: _, ...rest } = this.config;
    this.config = rest;
    return u.count;
  }

  /** Whether collection GETs of this resource serve their first page forever. */
  endlessPages(resource: string): boolean {
    if (this.config.endlessPages?.resource !== resource) return false;
    this.record('endlessPages');
    return true;
  }

  /** A REST body as the hostile faults send it: links moved, bytes replaced; padding to append. */
  shapeBody(text: string, podOrigin: string): { body: Buffer; padding: number } {
    const c = this.config;
    let out = text;
    if (c.foreignLinks) {
      out = out.split(podOrigin).join(c.foreignLinks.origin);
      this.record('foreignLinks');
    }
    let body = Buffer.from(out);
    if (c.rawBytes) {
      const find = Buffer.from(c.rawBytes.find);
      const bytes = Buffer.from(c.rawBytes.bytesHex, 'hex');
      const parts: Buffer[] = [];
      let at = 0;
      for (let i = body.indexOf(find); i >= 0; i = body.indexOf(find, at)) {
        parts.push(body.subarray(at, i), bytes);
        at = i + find.length;
        this.record('rawBytes');
      }
      body = Buffer.concat([...parts, body.subarray(at)]);
    }
    const padding = c.padBody?.bytes ?? 0;
    if (padding) this.record('padBody');
    return { body, padding };
  }

  /** Counts rows changed by updateDuringPaging. */
  recordUpdates(n: number): void {
    this.record('updateDuringPaging', n);
  }
}
