import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'lossless-json';
import { BadRequest, type Row, type StampPrecision, type StampUnits, stampUnits } from './attributes';
import { Auth, type BasicUser, type TokenRateLimit } from './auth';
import {
  compileQuery,
  DEFAULT_PAGING,
  listCollection,
  type PagingLimits,
  selectPage,
  serializeRow,
  showItem,
} from './collection';
import { handleControl } from './control';
import { type FaultConfig, FaultInjector } from './faults';
import { type GeneratedJournalsOptions, JournalGenerator } from './generator';
import { HttpError, send, sendText } from './http';
import { DEFAULT_SEED, type JournalSeed, JournalStore, lineAttributes } from './journals';
import { childNode, describe, findItem, type ResourceNode } from './resource';
import { createInvoiceStore } from './resources/invoices';
import { journalBatchesNode } from './resources/journals';
import { createPurchaseOrderStore } from './resources/purchaseOrders';
import { createSupplierStore } from './resources/suppliers';
import type { ChangePolicy, TreeStore } from './tree-store';

// A real HTTP server that answers like Oracle Fusion: the identity domain's token endpoint and
// the fscmRestApi resources, per ../shared/reference/oracle-fusion-rest.md. Test-only control
// endpoints live under /__sim/ (see control.ts) and are never used by the connector itself.

export interface SimulatorOptions {
  clientId: string;
  clientSecret: string;
  /** The scope a client must ask for; the Fusion form ends in urn:opc:resource:consumer::all. */
  scope?: string;
  tokenTtlSeconds?: number;
  /** Framework version applied when a request sends no REST-Framework-Version header. */
  defaultFrameworkVersion?: number;
  /** defaultLimit 25, maxLimit 500 (499: the silent-clamp pods), childLimit 25. */
  paging?: Partial<PagingLimits>;
  seed?: JournalSeed;
  /** false: the no-bump mode, a child row's change leaves its parents' LastUpdateDate alone. */
  childChangeBumpsParents?: boolean;
  now?: () => number;
  /**
   * LastUpdateDate stamps: `millisecond` (default, like a pod), `second` (whole seconds stored and
   * served), `coarse` (milliseconds stored, whole seconds served).
   */
  stampPrecision?: StampPrecision;
  /**
   * Child resources this pod (or the integration user's role) does not expose, by name (e.g.
   * `invoiceDistributions`): `expand`, `fields`, `q` and child links naming one answer 400.
   */
  unexposedChildren?: string[];
  /** A Fusion user accepted with Basic auth on the REST resources (besides Bearer tokens). */
  basicAuth?: BasicUser;
  /** 429 from the token endpoint beyond this rate. */
  tokenRateLimit?: TokenRateLimit;
  /** Faults active from the start (see faults.ts; also POST /__sim/faults). */
  faults?: FaultConfig;
  /**
   * Serve a computed journal data set of this size instead of the seeded journals (never held
   * in memory). Journals created or lines changed through the store are merged into it.
   */
  generated?: GeneratedJournalsOptions;
}

function withoutPaging(params: URLSearchParams): URLSearchParams {
  const kept = new URLSearchParams(params);
  for (const name of ['q', 'offset', 'finder']) kept.delete(name);
  return kept;
}

function hideChildren(node: ResourceNode, hidden: ReadonlySet<string>): void {
  if (hidden.size === 0) return;
  node.children = node.children.filter((child) => !hidden.has(child.name));
  for (const child of node.children) hideChildren(child, hidden);
}

export const DEFAULT_SCOPE = 'urn:opc:resource:fa:instanceid=700000001urn:opc:resource:consumer::all';
const API_ROOT = '/fscmRestApi/resources/';
const API_VERSIONS = ['11.13.18.05', 'latest'];
const MAX_FRAMEWORK_VERSION = 9;
const MEDIA = {
  collection: 'application/vnd.oracle.adf.resourcecollection+json',
  item: 'application/vnd.oracle.adf.resourceitem+json',
  describe: 'application/vnd.oracle.adf.description+json',
  error: 'application/vnd.oracle.adf.error+json',
};

export interface SimulatorStats {
  tokensIssued: number;
  /** Collection GETs by resource name, and token requests. */
  requests: Record<string, number>;
  /** Injected faults by kind (latency, tooManyRequests, …, tokenRateLimit, updateDuringPaging). */
  faults: Record<string, number>;
  /** The latest collection GETs (up to 500): resource and query parameters, for tests to inspect. */
  recentCollectionGets: { resource: string; params: Record<string, string> }[];
  /** REST requests being answered now, and the most at once since the simulator started (or reset). */
  restInFlight: { now: number; peak: number };
}

/** Rows an answer serves: the objects in its arrays, nested children included, links not. */
function rowsIn(value: unknown): number {
  if (!value || typeof value !== 'object') return 0;
  let rows = 0;
  if (Array.isArray(value)) {
    for (const item of value) if (item && typeof item === 'object') rows += 1 + rowsIn(item);
    return rows;
  }
  for (const [key, nested] of Object.entries(value)) {
    if (key === 'links' || !nested || typeof nested !== 'object') continue;
    // A v3+ child collection's envelope: its items are rows, the envelope itself is not.
    rows += Array.isArray(nested) ? rowsIn(nested) : rowsIn((nested as { items?: unknown }).items ?? nested);
  }
  return rows;
}

export class FusionSimulator {
  readonly journals: JournalStore;
  /** The computed journal data set, when the `generated` option is given. */
  readonly generator: JournalGenerator | undefined;
  readonly invoices: TreeStore;
  readonly purchaseOrders: TreeStore;
  readonly suppliers: TreeStore;
  readonly faults: FaultInjector;
  readonly stats: SimulatorStats = {
    tokensIssued: 0,
    requests: {},
    faults: {},
    recentCollectionGets: [],
    restInFlight: { now: 0, peak: 0 },
  };
  private readonly auth: Auth;
  private readonly resources = new Map<string, ResourceNode>();
  private readonly policy: ChangePolicy;
  private readonly paging: PagingLimits;
  private readonly defaultFrameworkVersion: number;
  private readonly now: () => number;
  readonly stampUnits: StampUnits;
  private server: Server | null = null;

  constructor(options: SimulatorOptions) {
    this.now = options.now ?? Date.now;
    this.stampUnits = stampUnits(options.stampPrecision);
    // Stores stamp rows with the stored unit; the token clock keeps full precision.
    const storedUnit = this.stampUnits.storedMs;
    const stampClock = () => Math.floor(this.now() / storedUnit) * storedUnit;
    this.paging = { ...DEFAULT_PAGING, ...options.paging };
    this.defaultFrameworkVersion = options.defaultFrameworkVersion ?? 1;
    const seed = options.seed ?? DEFAULT_SEED;
    this.policy = { childChangeBumpsParents: options.childChangeBumpsParents ?? true };
    let generator: JournalGenerator | undefined;
    this.journals = new JournalStore(options.generated ? { ...seed, batches: 0 } : seed, {
      now: stampClock,
      childChangeBumpsParents: this.policy.childChangeBumpsParents,
      materializeHeader: (headerId) => generator?.materializeHeader(headerId) ?? false,
    });
    if (options.generated) {
      generator = new JournalGenerator(options.generated, seed.baseTime, this.journals, this.stampUnits);
    }
    this.generator = generator;
    this.suppliers = createSupplierStore(this.policy, stampClock, seed.baseTime);
    this.invoices = createInvoiceStore(this.policy, stampClock, seed.baseTime, seed.seed);
    this.purchaseOrders = createPurchaseOrderStore(this.policy, stampClock, seed.baseTime, this.suppliers);
    for (const node of [
      journalBatchesNode(this.journals, generator),
      this.invoices.node,
      this.purchaseOrders.node,
      this.suppliers.node,
    ]) {
      this.resources.set(node.name, node);
      hideChildren(node, new Set(options.unexposedChildren ?? []));
    }
    this.auth = new Auth(
      {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        scope: options.scope ?? DEFAULT_SCOPE,
        tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
        now: this.now,
        basicAuth: options.basicAuth,
        tokenRateLimit: options.tokenRateLimit,
      },
      this.stats,
    );
    this.faults = new FaultInjector(this.stats.faults, (bumps) => this.setChildChangeBumpsParents(bumps), [
      ...this.resources.keys(),
    ]);
    if (options.faults) this.faults.set(options.faults);
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    return `http://${host}:${address.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Drops every issued token: the next REST call answers 401 until the client fetches a new one. */
  revokeTokens(): void {
    this.auth.revoke();
  }

  /** The no-bump mode switch, for the journals and the other resources alike. */
  setChildChangeBumpsParents(bumps: boolean): void {
    this.policy.childChangeBumpsParents = bumps;
    this.journals.childChangeBumpsParents = bumps;
  }

  /** A top-level resource by name (journalBatches, invoices, purchaseOrders, suppliers). */
  resource(name: string): ResourceNode | undefined {
    return this.resources.get(name);
  }

  private count(route: string): void {
    this.stats.requests[route] = (this.stats.requests[route] ?? 0) + 1;
  }

  private frameworkVersion(req: IncomingMessage): number {
    const raw = req.headers['rest-framework-version'];
    if (raw === undefined) return this.defaultFrameworkVersion;
    const version = Number(raw);
    if (!/^\d+$/.test(String(raw)) || version < 1 || version > MAX_FRAMEWORK_VERSION)
      throw new BadRequest(`Unsupported REST-Framework-Version: ${raw}`);
    return version;
  }

  /** Latency, then a fault that answers instead of the server; true when the request is done. */
  private async injectFaults(
    target: 'rest' | 'token',
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<boolean> {
    const delay = this.faults.latencyFor(target);
    if (delay > 0) await sleep(delay);
    const action = this.faults.before(target);
    if (!action) return false;
    if (action.kind === 'reset') {
      req.socket.destroy();
    } else if (target === 'token') {
      const error = action.status === 429 ? 'too_many_requests' : 'temporarily_unavailable';
      send(res, action.status, { error, error_description: action.text }, 'application/json', action.headers);
    } else {
      sendText(res, action.status, action.text, action.headers);
    }
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    let frameworkVersion = this.defaultFrameworkVersion;
    try {
      if (url.pathname === '/oauth2/v1/token') {
        this.count('token');
        if (await this.injectFaults('token', req, res)) return;
        return send(res, 200, await this.auth.token(req));
      }
      if (url.pathname.startsWith('/__sim/')) return await handleControl(this, req, res, url);
      if (url.pathname === API_ROOT || url.pathname.startsWith(API_ROOT)) {
        frameworkVersion = this.frameworkVersion(req);
        const inFlight = this.stats.restInFlight;
        inFlight.now++;
        inFlight.peak = Math.max(inFlight.peak, inFlight.now);
        res.once('close', () => inFlight.now--);
        if (await this.injectFaults('rest', req, res)) return;
        const { bearer } = this.auth.authorize(req);
        if (this.faults.revokesToken()) {
          if (bearer !== undefined) this.auth.revoke(bearer);
          throw Auth.challenge(bearer);
        }
        if (req.method !== 'GET') throw new HttpError(405, 'Only GET is simulated for resources');
        const origin = `http://${req.headers.host}`;
        const { body, media } = this.route(url, frameworkVersion, origin);
        const podDelay = this.faults.podLatencyFor(rowsIn(body));
        if (podDelay > 0) await sleep(podDelay);
        return this.sendRest(res, body, media, origin);
      }
      throw new HttpError(404, `Not found: ${url.pathname}`);
    } catch (err) {
      this.sendError(res, err, frameworkVersion);
    }
  }

  /** A REST answer, through the hostile faults (links, raw bytes, padding) when they are set. */
  private sendRest(res: ServerResponse, body: unknown, media: string, origin: string): void {
    const shaped = this.faults.shapeBody(stringify(body) ?? '', origin);
    const padding = media === MEDIA.collection ? shaped.padding : 0;
    if (padding === 0) {
      res.writeHead(200, { 'content-type': media, 'content-length': shaped.body.length });
      res.end(shaped.body);
      return;
    }
    // Whitespace before the closing brace, written in chunks so the simulator holds none of it.
    res.writeHead(200, { 'content-type': media, 'content-length': shaped.body.length + padding });
    res.write(shaped.body.subarray(0, shaped.body.length - 1));
    const chunk = Buffer.alloc(Math.min(padding, 1 << 20), 0x20);
    let left = padding;
    const pump = (): void => {
      while (left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end(shaped.body.subarray(shaped.body.length - 1));
    };
    res.on('close', () => {
      left = 0;
    });
    pump();
  }

  private sendError(res: ServerResponse, err: unknown, frameworkVersion: number): void {
    if (err instanceof BadRequest) {
      const status = err.errorCode === 'SIM-404' ? 404 : 400;
      if (frameworkVersion >= 4) {
        const body = {
          title: status === 404 ? 'Not Found' : 'Bad Request',
          status: String(status),
          'o:errorDetails': [{ detail: err.message, 'o:errorCode': err.errorCode }],
        };
        send(res, status, body, MEDIA.error);
      } else {
        sendText(res, status, err.message);
      }
      return;
    }
    if (err instanceof HttpError) {
      if (err.body !== undefined) send(res, err.status, err.body, 'application/json', err.headers);
      else if (err.status === 401) res.writeHead(401, err.headers).end();
      else sendText(res, err.status, err.message, err.headers);
      return;
    }
    throw err;
  }

  // --- Resources ---------------------------------------------------------------------------------

  /** Walks `<resource>[/<key>/child/<name>]…[/<key>|/describe]` and answers that collection or item. */
  private route(url: URL, frameworkVersion: number, origin: string): { body: unknown; media: string } {
    const segments = url.pathname.slice(API_ROOT.length).split('/').filter(Boolean).map(decodeURIComponent);
    const version = segments.shift();
    if (version === undefined) return { body: this.contextRoot(origin), media: MEDIA.collection };
    if (!API_VERSIONS.includes(version)) throw new HttpError(404, `Unknown API version ${version}`);
    const [name = '', ...rest] = segments;
    const top = this.resources.get(name);
    if (!top) throw new BadRequest(`Unknown resource ${name}`, 'SIM-404');
    let node: ResourceNode = top;
    let href = `${origin}${API_ROOT}${version}/${name}`;
    let parent: Row | undefined;
    const { searchParams: params } = url;
    for (let i = 0; ; i += 3) {
      const key = rest[i];
      if (key === undefined) {
        this.count(node.name);
        const recent = this.stats.recentCollectionGets;
        recent.push({ resource: node.name, params: Object.fromEntries(params) });
        if (recent.length > 500) recent.shift();
        // endlessPages: the same first page whatever the query, always "more to come".
        const endless = this.faults.endlessPages(node.name);
        const asked = endless ? withoutPaging(params) : params;
        const page = listCollection(
          node,
          parent,
          { params: asked, frameworkVersion, href, stampUnitMs: this.stampUnits.servedMs },
          this.paging,
        );
        if (endless) page.hasMore = true;
        if (!parent) this.afterTopLevelPage(node, params, frameworkVersion);
        return { body: page, media: MEDIA.collection };
      }
      if (key === 'describe' && rest.length === i + 1) return { body: describe(node), media: MEDIA.describe };
      const row = findItem(node, parent, key);
      if (!row) throw new BadRequest(`${node.name} ${key} not found`, 'SIM-404');
      if (rest[i + 1] === undefined) {
        const item = showItem(
          node,
          row,
          href,
          params,
          frameworkVersion,
          this.paging,
          this.stampUnits.servedMs,
        );
        return { body: item, media: MEDIA.item };
      }
      const child: ResourceNode | undefined =
        rest[i + 1] === 'child' ? childNode(node, rest[i + 2] ?? '') : undefined;
      if (!child) throw new BadRequest(`Unknown child ${rest[i + 2]} of ${node.name}`, 'SIM-404');
      href = `${href}/${key}/child/${child.name}`;
      parent = row;
      node = child;
    }
  }

  private contextRoot(origin: string): unknown {
    return {
      items: [
        {
          version: '11.13.18.05',
          isLatest: true,
          'adf:extension': {
            defaultFrameworkVersion: String(this.defaultFrameworkVersion),
            allowedFrameworkVersions: Array.from({ length: MAX_FRAMEWORK_VERSION }, (_, i) => i + 1).join(
              ',',
            ),
          },
          links: [{ rel: 'self', href: `${origin}${API_ROOT}11.13.18.05`, name: 'versions', kind: 'item' }],
        },
      ],
    };
  }

  /** updateDuringPaging: rows of the window the client is paging change under it. */
  private afterTopLevelPage(node: ResourceNode, params: URLSearchParams, frameworkVersion: number): void {
    const count = this.faults.pageServed(node.name);
    if (count > 0) this.faults.recordUpdates(this.touchWindow(node, params, frameworkVersion, count));
  }

  /**
   * Gives the first `count` rows of a collection's filtered, ordered window a LastUpdateDate
   * later than every row of that window (and not before now), as a concurrent edit would.
   * Returns how many rows changed.
   */
  touchWindow(node: ResourceNode, params: URLSearchParams, frameworkVersion: number, count: number): number {
    const query = compileQuery(node, params, frameworkVersion, this.paging);
    const first = selectPage(node, undefined, { ...query, offset: 0, limit: count });
    if (first.rows.length === 0) return 0;
    const last = selectPage(node, undefined, { ...query, offset: first.total - 1, limit: 1 });
    const latest = [...first.rows, ...last.rows].reduce(
      (max, r) => Math.max(max, r.LastUpdateDate as number),
      0,
    );
    const unit = this.stampUnits.storedMs;
    const at = Math.max(Math.floor(this.now() / unit) * unit, latest + 1000);
    for (const row of first.rows) node.touch(row, at);
    return first.rows.length;
  }

  // --- Test views ----------------------------------------------------------------------------------

  /**
   * Every stored journal line with its batch and header context, as tests compare delivered files
   * to it. In generated mode only the lines copied into the store (changed) or created are here;
   * use `generator.lineAt(i)` for the rest.
   */
  flatJournalLines(): Row[] {
    return this.journals.lines.map((line) => {
      const header = this.journals.headers.find((h) => h.JeHeaderId === line._JeHeaderId)!;
      const batch = this.journals.batches.find((b) => b.JeBatchId === header._JeBatchId)!;
      return {
        JeBatchId: batch.JeBatchId,
        BatchName: batch.BatchName,
        JeHeaderId: header.JeHeaderId,
        JournalName: header.JournalName,
        LedgerName: header.LedgerName,
        PeriodName: header.PeriodName,
        DefaultEffectiveDate: header.DefaultEffectiveDate,
        ...serializeRow(line, lineAttributes, null, this.stampUnits.servedMs),
      };
    });
  }
}
