import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { AuthProvider } from './auth';
import type { AdaptiveConcurrency, Outcome } from './concurrency';
import { FusionError } from './errors';
import { sendRequest } from './http';
import { retryTransient } from './retry';

// Authenticated, retried GETs and paging over the REST framework's collection envelope. Every
// read is bounded (FusionLimits): a server that never says "no more", a body without end or a
// Retry-After of years cannot hold a run, the worker's memory or the integration for ever.

/** Bounds on what one answer, or one sequence of answers, may cost. */
export interface FusionLimits {
  /** One response body, in bytes; checked as it streams. */
  maxResponseBytes: number;
  /** Pages of one collection read by one pages() call (each page must move forward). */
  maxPagesPerCollection: number;
  /** Pages of one change window (enforced by the window reader). */
  maxPagesPerWindow: number;
  /** Child rows of one document, all collections and levels together (enforced by the document reader). */
  maxRowsPerDocument: number;
  /** A longer Retry-After (from Fusion or the token endpoint) is read as this. */
  maxRetryAfterSeconds: number;
  /** Requests at once when parallelPages is not set: the bound of the adaptive limit. */
  maxParallelPages: number;
}

export const DEFAULT_FUSION_LIMITS: FusionLimits = {
  maxResponseBytes: 64 * 1024 * 1024,
  maxPagesPerCollection: 10_000,
  maxPagesPerWindow: 100_000,
  maxRowsPerDocument: 100_000,
  maxRetryAfterSeconds: 15 * 60,
  maxParallelPages: 8,
};

/** The defaults with the given overrides (undefined values do not override). */
export function fusionLimits(overrides: Partial<FusionLimits> = {}): FusionLimits {
  const limits = { ...DEFAULT_FUSION_LIMITS };
  for (const key of Object.keys(limits) as (keyof FusionLimits)[]) {
    const value = overrides[key];
    if (value !== undefined) limits[key] = value;
  }
  return Object.freeze(limits);
}

/** Options of one pages() call. */
export interface PageOptions {
  /** More rows than this across the pages is an error (e.g. a child collection of one document). */
  maxRows?: number;
}

export interface FusionClientSettings {
  baseUrl: string;
  frameworkVersion: number;
  pageSize: number;
  /** Time slices of a window read at once, fixed; 1 = sequential (the default without `concurrency`). */
  parallelPages?: number;
  /**
   * Without parallelPages: the adaptive limit every GET of this client waits for (one per pod);
   * windows are then read in up to `concurrency.max` slices.
   */
  concurrency?: AdaptiveConcurrency;
  /** In-call retries of a throttled or unavailable GET before the error goes to Temporal. */
  transientRetries?: number;
  /** Cap for one wait, whatever Retry-After says; a longer wait is Temporal's to schedule. */
  maxRetryWaitSeconds?: number;
  limits?: Partial<FusionLimits>;
}

export interface CollectionEnvelope {
  items: Record<string, unknown>[];
  count: number;
  hasMore: boolean;
  limit: number;
  offset: number;
}

export interface Link {
  rel: string;
  href: string;
  name: string;
}

export class FusionClient {
  private readonly retries: number;
  private readonly maxWait: number;
  private readonly origin: string;
  /** The bounds this client reads within. */
  readonly limits: FusionLimits;

  constructor(
    private readonly settings: FusionClientSettings,
    private readonly auth: AuthProvider,
    private readonly dispatcher: Dispatcher,
  ) {
    this.retries = settings.transientRetries ?? 3;
    this.maxWait = settings.maxRetryWaitSeconds ?? 30;
    this.limits = fusionLimits(settings.limits);
    this.origin = new URL(settings.baseUrl).origin;
  }

  /** The REST-Framework-Version sent: it decides the `q` syntax (v1 query-by-example, v2+ expressions). */
  get frameworkVersion(): number {
    return this.settings.frameworkVersion;
  }

  /** Rows asked for per page. */
  get pageSize(): number {
    return this.settings.pageSize;
  }

  /** How many windows a large extraction may page at once. */
  get parallelism(): number {
    return this.settings.parallelPages ?? this.settings.concurrency?.max ?? 1;
  }

  /** The adaptive limit on requests at once; null when parallelPages fixes the parallelism. */
  get adaptive(): AdaptiveConcurrency | null {
    return this.settings.parallelPages === undefined ? (this.settings.concurrency ?? null) : null;
  }

  /** URL of a top-level resource: `<baseUrl>/<name>`. Child URLs always come from links. */
  resourceUrl(name: string): string {
    return `${this.settings.baseUrl.replace(/\/+$/, '')}/${name}`;
  }

  /**
   * One GET: one token refresh on 401, bounded retries on 429/502/503/504/network errors. Only
   * on the base URL's origin: a link elsewhere would take our Authorization header with it.
   */
  async getJson(url: string): Promise<unknown> {
    this.checkOrigin(url);
    return retryTransient(() => this.gated(() => this.getWithAuth(url)), {
      retries: this.retries,
      maxWaitSeconds: this.maxWait,
    });
  }

  /** One attempt, within the adaptive limit when there is one; its outcome feeds the limit. */
  private async gated<T>(work: () => Promise<T>): Promise<T> {
    const limit = this.adaptive;
    if (!limit) return work();
    const permit = await limit.acquire();
    let outcome: Outcome = { kind: 'other' };
    try {
      const result = await work();
      outcome = { kind: 'clean' };
      return result;
    } catch (err) {
      if (err instanceof FusionError && (err.status === 429 || err.status === 503)) {
        const kind = err.status === 429 ? 'throttled' : 'unavailable';
        outcome =
          err.retryAfterSeconds === undefined ? { kind } : { kind, retryAfterSeconds: err.retryAfterSeconds };
      }
      throw err;
    } finally {
      limit.release(permit, outcome);
    }
  }

  private async getWithAuth(url: string, refreshed = false): Promise<unknown> {
    const authorization = await this.auth.header();
    try {
      const { body } = await sendRequest(
        this.dispatcher,
        url,
        {
          method: 'GET',
          headers: {
            authorization,
            accept: 'application/json',
            'rest-framework-version': String(this.settings.frameworkVersion),
          },
        },
        `GET ${redactQuery(url)}`,
        {
          maxResponseBytes: this.limits.maxResponseBytes,
          maxRetryAfterSeconds: this.limits.maxRetryAfterSeconds,
          secrets: credentialParts(authorization),
        },
      );
      return body;
    } catch (err) {
      // A 401 with OAuth: the token was revoked or expired early. Fetch a new one, try once more.
      if (
        err instanceof FusionError &&
        err.kind === 'auth' &&
        err.status !== 407 && // the proxy refused us: a new token would not help
        !refreshed &&
        this.auth.rejected(authorization)
      ) {
        return this.getWithAuth(url, true);
      }
      throw err;
    }
  }

  private checkOrigin(url: string): void {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new FusionError(
        'bad-response',
        'Fusion returned a link that is not a URL',
        undefined,
        undefined,
        {
          permanent: true,
        },
      );
    }
    if (target.origin !== this.origin) {
      throw new FusionError(
        'foreign-origin',
        `GET ${target.protocol}//${target.host}${redactQuery(url)}: not sent, the link leaves the Fusion base URL's origin (${this.origin})`,
        undefined,
        undefined,
        { permanent: true },
      );
    }
  }

  /**
   * Every page of a collection. The offset advances by the rows actually returned (a server may
   * clamp the limit), and paging stops on hasMore=false or an empty page. Each page must move
   * forward: a page that starts with a row an earlier page of this call started with (the server
   * ignores offset, or cycles) is an error, and so is more than maxPagesPerCollection pages or
   * more than `options.maxRows` rows.
   */
  async *pages(
    collectionUrl: string,
    params: Record<string, string>,
    startOffset = 0,
    pageSize = this.settings.pageSize,
    options: PageOptions = {},
  ): AsyncGenerator<CollectionEnvelope> {
    const maxPages = this.limits.maxPagesPerCollection;
    const firstRows = new Set<string>();
    let offset = startOffset;
    let rows = 0;
    for (let n = 1; ; n++) {
      const url = new URL(collectionUrl);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      url.searchParams.set('limit', String(pageSize));
      url.searchParams.set('offset', String(offset));
      const where = `GET ${redactQuery(url.toString())}`;
      // In a holder handed over when yielded: a suspended generator keeps every value its frame
      // held, and a reader waiting its turn would keep its last page (readWhere says more).
      const holder: { page: CollectionEnvelope | null } = {
        page: asEnvelope(await this.getJson(url.toString()), collectionUrl),
      };
      const { hasMore } = holder.page!;
      const identity = firstRowIdentity(holder.page!.items);
      const count = holder.page!.items.length;
      if (identity !== null) {
        if (firstRows.has(identity)) {
          throw new FusionError(
            'bad-response',
            `${where}: the page at offset ${offset} starts with the same row as an earlier page; the server does not advance (page ${n})`,
            undefined,
            undefined,
            { permanent: true },
          );
        }
        firstRows.add(identity);
      }
      rows += count;
      if (options.maxRows !== undefined && rows > options.maxRows) {
        throw new FusionError(
          'bad-response',
          `${where}: more than ${options.maxRows} rows (fusion.limits.maxRowsPerDocument)`,
          undefined,
          undefined,
          { permanent: true },
        );
      }
      yield handOverPage(holder);
      // An empty page ends the collection even when it claims more (the reference's rule; hasMore
      // may come from an estimated count): the offset cannot advance, asking again would get the
      // same empty page, and an error would fail every run of a pod that answers so.
      if (!hasMore || count === 0) return;
      if (n >= maxPages) {
        throw new FusionError(
          'bad-response',
          `${where}: still more rows after ${maxPages} pages (fusion.limits.maxPagesPerCollection)`,
          undefined,
          undefined,
          { permanent: true },
        );
      }
      offset += count;
    }
  }
}

/** A row's JSON, hashed (two distinct rows differ at least in their key or self link); null for no row. */
function firstRowIdentity(items: unknown[]): string | null {
  return items.length ? createHash('sha256').update(JSON.stringify(items[0])).digest('base64') : null;
}

/** The holder's page, which it no longer holds. */
function handOverPage(holder: { page: CollectionEnvelope | null }): CollectionEnvelope {
  const { page } = holder;
  holder.page = null;
  return page!;
}

function asEnvelope(body: unknown, url: string): CollectionEnvelope {
  const b = body as Partial<Record<keyof CollectionEnvelope, unknown>> | null;
  if (!b || !Array.isArray(b.items)) {
    throw new FusionError('bad-response', `GET ${redactQuery(url)}: the response has no items array`);
  }
  const hasMore = b.hasMore === true || b.hasMore === 'true';
  return {
    items: b.items,
    count: Number(b.count),
    hasMore,
    limit: Number(b.limit),
    offset: Number(b.offset),
  };
}

export function childLink(item: Record<string, unknown>, name: string): string {
  const links = item.links as Link[] | undefined;
  const link = links?.find((l) => l.rel === 'child' && l.name === name);
  // Asking again gets the same item: permanent, so that document is quarantined (documents.ts).
  if (!link)
    throw new FusionError('bad-response', `Item has no child link "${name}"`, undefined, undefined, {
      permanent: true,
    });
  return link.href;
}

/** The header and what it carries (a token; for Basic, also `user:password` and the password). */
function credentialParts(authorization: string): string[] {
  const [scheme = '', value = ''] = authorization.split(' ', 2);
  const parts = [authorization, value];
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    parts.push(decoded, decoded.slice(decoded.indexOf(':') + 1));
  }
  return parts.filter((p) => p.length >= 4); // never blank out single letters of a message
}

/** Keeps the path and parameter names, drops values (a q filter may hold business data). */
export function redactQuery(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search ? `?${[...u.searchParams.keys()].join(',')}` : ''}`;
}
