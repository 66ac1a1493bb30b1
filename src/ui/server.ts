import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConfigFile } from '../config';
import { BUSINESS_KEYS, type BusinessKey, type Ledger } from '../ledger';
import { planAfter } from '../schedule';
import { authorized, checkBind, type UiAuth } from './auth';
import { type Html, href } from './html';
import {
  errorPage,
  fileDetailPage,
  filesPage,
  type IntegrationRow,
  integrationsPage,
  type PageContext,
  type Paging,
  quarantinePage,
  runsPage,
  SEARCH_KINDS,
  type SearchKind,
  STYLE,
  searchPage,
} from './pages';
import { BadRequest, fileIdOf, Params } from './params';

// The audit page's HTTP side, on node:http: GET (and HEAD) only, one route per page, every query
// parameter validated (400 with the reason), every list bounded, every response no-store with a
// Content-Security-Policy that allows no script at all. It reads through the Ledger's report
// queries and the configuration file (never its secrets, which it does not resolve).

export interface UiServerOptions {
  ledger: Pick<
    Ledger,
    | 'integrationOverview'
    | 'keyHygieneItems'
    | 'registeredIntegrations'
    | 'filesPage'
    | 'fileListing'
    | 'fileDeliveries'
    | 'fileDestinations'
    | 'recordsOfFile'
    | 'searchDelivered'
    | 'searchQuarantined'
    | 'quarantinePage'
    | 'runsPage'
    | 'fileAcknowledgements'
  >;
  config: ConfigFile;
  host: string;
  /** 0 picks a free port (tests); the chosen one is in `url`. */
  port: number;
  auth: UiAuth;
  temporal: PageContext['temporal'];
  /** Told about a request that failed inside (the page shows a 500 without details). */
  onError?: (err: unknown) => void;
  now?: () => Date;
}

export interface UiServer {
  /** e.g. http://127.0.0.1:8480 */
  readonly url: string;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/** What each search kind looks in: business numbers by key, and the Fusion record ID. */
const SEARCH_SCOPE: Record<SearchKind, { keys: readonly BusinessKey[]; recordId: boolean }> = {
  any: { keys: BUSINESS_KEYS, recordId: true },
  po: { keys: ['orderNumber', 'purchaseOrderNumber'], recordId: false },
  invoice: { keys: ['invoiceNumber'], recordId: false },
  supplier: { keys: ['supplierNumber'], recordId: false },
  journal: { keys: ['batchName', 'journalName'], recordId: false },
  record: { keys: [], recordId: true },
};

/** Most deliveries listed for one file: a file is replayed a handful of times, not thousands. */
const MAX_DELIVERIES = 200;

class NotFound extends Error {}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...extra });
  res.end(body); // Node sends no body for HEAD on its own
}

function sendPage(res: ServerResponse, status: number, page: Html, extra: Record<string, string> = {}) {
  send(res, status, 'text/html; charset=utf-8', page.text, extra);
}

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  checkBind(options.host, options.auth);
  const { ledger, config, temporal } = options;
  const ctx: PageContext = { temporal };
  const now = options.now ?? (() => new Date());
  const configured = config.integrations.map((i) => i.id);

  /** Configured integrations first, then any the ledger registered that this configuration lacks. */
  async function knownIntegrations() {
    const registered = await ledger.registeredIntegrations();
    const ids = [...configured, ...registered.map((r) => r.id).filter((id) => !configured.includes(id))];
    return { ids, set: new Set(ids), registered: new Map(registered.map((r) => [r.id, r])) };
  }

  function paging(
    page: { page: number; limit: number },
    rows: unknown[],
    link: (page: number) => string,
  ): Paging {
    return { page: page.page, limit: page.limit, more: rows.length > page.limit, link };
  }

  async function integrations(): Promise<Html> {
    const { ids, registered } = await knownIntegrations();
    const activity = new Map((await ledger.integrationOverview(ids)).map((a) => [a.integrationId, a]));
    const at = now();
    const rows: IntegrationRow[] = ids.map((id) => {
      const c = config.integrations.find((i) => i.id === id);
      const r = registered.get(id);
      const a = activity.get(id);
      return {
        id,
        entity: c?.entity ?? r?.entity ?? null,
        format: c?.format.type ?? r?.format ?? null,
        destination: c
          ? `sftp://${c.sftp.username}@${c.sftp.host}:${c.sftp.port}${c.sftp.folder}`
          : (r?.destination ?? null),
        inConfig: !!c,
        schedule: c?.schedule ? { cron: c.schedule.cron, timezone: c.schedule.timezone } : null,
        nextRun: c?.schedule ? planAfter(c.schedule, at).runAt : null,
        watermark: a?.watermark ?? null,
        lastRun:
          a?.lastRunKey && a.lastRunStatus && a.lastRunKind && a.lastRunStartedAt
            ? {
                runKey: a.lastRunKey,
                kind: a.lastRunKind,
                status: a.lastRunStatus,
                startedAt: a.lastRunStartedAt,
              }
            : null,
        lastFileAt: a?.lastFileAt ?? null,
        openFailures: a?.openFailures ?? 0,
        lastError:
          a?.lastError && a.lastErrorAt && a.lastErrorRunKey
            ? { message: a.lastError, at: a.lastErrorAt, runKey: a.lastErrorRunKey }
            : null,
      };
    });
    const keys = (await Promise.all(ids.map((id) => ledger.keyHygieneItems(id)))).flatMap((items, i) =>
      items.map((item) => ({ integrationId: ids[i]!, ...item })),
    );
    return integrationsPage(ctx, rows, keys);
  }

  async function files(params: Params): Promise<Html> {
    const { ids, set } = await knownIntegrations();
    const integration = params.integration(set);
    const from = params.instant('from');
    const to = params.instant('to');
    if (from && to && Date.parse(from) > Date.parse(to)) throw new BadRequest('"from" is after "to".');
    const page = params.page();
    const rows = await ledger.filesPage({
      integrationId: integration,
      from,
      to,
      limit: page.limit + 1,
      offset: page.offset,
    });
    const raw = {
      integration,
      from: params.text('from'),
      to: params.text('to'),
      limit: params.text('limit'),
    };
    return filesPage(
      ctx,
      { integrationIds: ids, integration, from: raw.from, to: raw.to },
      rows.slice(0, page.limit),
      paging(page, rows, (p) => href('/files', { ...raw, page: p })),
    );
  }

  async function fileDetail(fileId: string, params: Params): Promise<Html> {
    const file = await ledger.fileListing(fileId);
    if (!file) throw new NotFound();
    const page = params.page();
    const [log, records, destinations, acks] = await Promise.all([
      ledger.fileDeliveries(fileId, MAX_DELIVERIES),
      ledger.recordsOfFile(fileId, { limit: page.limit + 1, offset: page.offset }),
      ledger.fileDestinations(fileId),
      file.ackState ? ledger.fileAcknowledgements(fileId) : [],
    ]);
    const limit = params.text('limit');
    return fileDetailPage(
      ctx,
      file,
      log,
      records.slice(0, page.limit),
      paging(page, records, (p) => href(`/files/${fileId}`, { limit, page: p })),
      destinations,
      acks,
    );
  }

  async function search(params: Params): Promise<Html> {
    const q = params.search('q');
    const kind = params.choice('kind', SEARCH_KINDS, 'any');
    const page = params.page();
    if (q === null)
      return searchPage(ctx, null, kind, [], [], { ...page, more: false, link: () => '/search' });
    const scope = { value: q, ...SEARCH_SCOPE[kind] };
    const [delivered, held] = await Promise.all([
      ledger.searchDelivered({ ...scope, limit: page.limit + 1, offset: page.offset }),
      // Quarantine rows are listed on the first page only, bounded by the same limit.
      page.page === 1
        ? ledger.searchQuarantined({ ...scope, limit: page.limit, offset: 0 })
        : Promise.resolve([]),
    ]);
    const limit = params.text('limit');
    return searchPage(
      ctx,
      q,
      kind,
      delivered.slice(0, page.limit),
      held,
      paging(page, delivered, (p) => href('/search', { q, kind, limit, page: p })),
    );
  }

  async function quarantine(params: Params): Promise<Html> {
    const { ids, set } = await knownIntegrations();
    const integration = params.integration(set);
    const page = params.page();
    const rows = await ledger.quarantinePage({
      integrationId: integration,
      limit: page.limit + 1,
      offset: page.offset,
    });
    const limit = params.text('limit');
    return quarantinePage(
      ctx,
      ids,
      integration,
      rows.slice(0, page.limit),
      paging(page, rows, (p) => href('/quarantine', { integration, limit, page: p })),
    );
  }

  async function runs(params: Params, openFailures: boolean): Promise<Html> {
    const { ids, set } = await knownIntegrations();
    const integration = params.integration(set);
    const page = params.page();
    const rows = await ledger.runsPage({
      integrationId: integration,
      openFailures,
      limit: page.limit + 1,
      offset: page.offset,
    });
    const limit = params.text('limit');
    const path = openFailures ? '/failures' : '/runs';
    return runsPage(
      ctx,
      ids,
      integration,
      rows.slice(0, page.limit),
      paging(page, rows, (p) => href(path, { integration, limit, page: p })),
      openFailures,
    );
  }

  const PAGED = ['page', 'limit'];
  async function route(path: string, query: URLSearchParams): Promise<Html> {
    if (path === '/') {
      new Params(query, []); // refuses any parameter
      return integrations();
    }
    if (path === '/files') return files(new Params(query, ['integration', 'from', 'to', ...PAGED]));
    if (path === '/search') return search(new Params(query, ['q', 'kind', ...PAGED]));
    if (path === '/quarantine') return quarantine(new Params(query, ['integration', ...PAGED]));
    if (path === '/failures') return runs(new Params(query, ['integration', ...PAGED]), true);
    if (path === '/runs') return runs(new Params(query, ['integration', ...PAGED]), false);
    const file = /^\/files\/([^/]+)$/.exec(path);
    const fileId = file ? fileIdOf(file[1]!) : null;
    if (fileId) return fileDetail(fileId, new Params(query, PAGED));
    throw new NotFound();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!authorized(req.headers.authorization, options.auth)) {
      return sendPage(
        res,
        401,
        errorPage(401, 'Sign-in needed', 'This audit page needs its token or login.'),
        {
          'www-authenticate': 'Basic realm="ml-connector audit", charset="UTF-8"',
        },
      );
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendPage(res, 405, errorPage(405, 'Not allowed', 'This page is read-only: GET only.'), {
        allow: 'GET, HEAD',
      });
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://audit.invalid');
    } catch {
      return sendPage(res, 400, errorPage(400, 'Bad request', 'The address could not be read.'));
    }
    if (url.pathname === '/style.css') return send(res, 200, 'text/css; charset=utf-8', STYLE);
    if (url.pathname === '/healthz') return send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
    try {
      sendPage(res, 200, await route(url.pathname, url.searchParams));
    } catch (err) {
      if (err instanceof BadRequest) return sendPage(res, 400, errorPage(400, 'Bad request', err.message));
      if (err instanceof NotFound) {
        return sendPage(res, 404, errorPage(404, 'Not found', 'There is no such page or file.'));
      }
      options.onError?.(err);
      sendPage(
        res,
        500,
        errorPage(500, 'Something went wrong', 'The page could not be read from the ledger.'),
      );
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      options.onError?.(err);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'Internal error\n');
      else res.destroy();
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${urlHost}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
