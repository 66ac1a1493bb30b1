import type { Dispatcher } from 'undici';
import type { AuthProvider } from './auth';
import { FusionError } from './errors';
import { sendRequest } from './http';
import { retryTransient } from './retry';

// Authenticated, retried GETs and paging over the REST framework's collection envelope.

export interface FusionClientSettings {
  baseUrl: string;
  frameworkVersion: number;
  pageSize: number;
  /** Pages fetched at once by parallelPages(); 1 = sequential. */
  parallelPages?: number;
  /** In-call retries of a throttled or unavailable GET before the error goes to Temporal. */
  transientRetries?: number;
  /** Cap for one wait, whatever Retry-After says; a longer wait is Temporal's to schedule. */
  maxRetryWaitSeconds?: number;
}

/** Bounds on what one answer or one window may hold (fusion.limits). */
export interface FusionLimits {
  maxPagesPerWindow: number;
  maxRowsPerDocument: number;
}

export const DEFAULT_FUSION_LIMITS: FusionLimits = {
  maxPagesPerWindow: 100_000,
  maxRowsPerDocument: 100_000,
};

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

  constructor(
    private readonly settings: FusionClientSettings,
    private readonly auth: AuthProvider,
    private readonly dispatcher: Dispatcher,
  ) {
    this.retries = settings.transientRetries ?? 3;
    this.maxWait = settings.maxRetryWaitSeconds ?? 30;
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
    return this.settings.parallelPages ?? 1;
  }

  /** Bounds on pages and rows. */
  get limits(): FusionLimits {
    return DEFAULT_FUSION_LIMITS;
  }

  /** URL of a top-level resource: `<baseUrl>/<name>`. Child URLs always come from links. */
  resourceUrl(name: string): string {
    return `${this.settings.baseUrl.replace(/\/+$/, '')}/${name}`;
  }

  /** One GET: one token refresh on 401, bounded retries on 429/502/503/504/network errors. */
  async getJson(url: string): Promise<unknown> {
    return retryTransient(() => this.getWithAuth(url), {
      retries: this.retries,
      maxWaitSeconds: this.maxWait,
    });
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
      );
      return body;
    } catch (err) {
      // A 401 with OAuth: the token was revoked or expired early. Fetch a new one, try once more.
      if (
        err instanceof FusionError &&
        err.kind === 'auth' &&
        !refreshed &&
        this.auth.rejected(authorization)
      ) {
        return this.getWithAuth(url, true);
      }
      throw err;
    }
  }

  /**
   * Every page of a collection. The offset advances by the rows actually returned (a server may
   * clamp the limit), and paging stops on hasMore=false or an empty page.
   */
  async *pages(
    collectionUrl: string,
    params: Record<string, string>,
    startOffset = 0,
    pageSize = this.settings.pageSize,
  ): AsyncGenerator<CollectionEnvelope> {
    let offset = startOffset;
    for (;;) {
      const url = new URL(collectionUrl);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      url.searchParams.set('limit', String(pageSize));
      url.searchParams.set('offset', String(offset));
      const page = asEnvelope(await this.getJson(url.toString()), collectionUrl);
      yield page;
      if (!page.hasMore || page.items.length === 0) return;
      offset += page.items.length;
    }
  }
}

function asEnvelope(body: unknown, url: string): CollectionEnvelope {
  const b = body as Partial<Record<keyof CollectionEnvelope, unknown>> | null;
  if (!b || !Array.isArray(b.items)) {
    throw new FusionError('bad-response', `GET ${url}: the response has no items array`);
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
  if (!link) throw new FusionError('bad-response', `Item has no child link "${name}"`);
  return link.href;
}

/** Keeps the path and parameter names, drops values (a q filter may hold business data). */
function redactQuery(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search ? `?${[...u.searchParams.keys()].join(',')}` : ''}`;
}
