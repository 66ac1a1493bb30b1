import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify } from 'lossless-json';
import { BadRequest, fusionTimestamp, type Row } from './attributes';
import { itemLinks, listCollection, type PagingLimits, serializeRow } from './collection';
import {
  batchShape,
  decodeUniqId,
  headerShape,
  type JournalLinePatch,
  type JournalSeed,
  JournalStore,
  lineShape,
  type NewJournal,
} from './journals';

// A real HTTP server that answers like Oracle Fusion: the identity domain's token endpoint and
// the fscmRestApi resources, per ../shared/reference/oracle-fusion-rest.md. Test-only control
// endpoints live under /__sim/ and are never used by the connector itself.

export interface SimulatorOptions {
  clientId: string;
  clientSecret: string;
  /** The scope a client must ask for; the Fusion form ends in urn:opc:resource:consumer::all. */
  scope?: string;
  tokenTtlSeconds?: number;
  /** Framework version applied when a request sends no REST-Framework-Version header. */
  defaultFrameworkVersion?: number;
  paging?: PagingLimits;
  seed?: JournalSeed;
  childChangeBumpsParents?: boolean;
  now?: () => number;
}

export const DEFAULT_SCOPE = 'urn:opc:resource:fa:instanceid=700000001urn:opc:resource:consumer::all';
const API_ROOT = '/fscmRestApi/resources/';
const API_VERSIONS = ['11.13.18.05', 'latest'];

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export interface SimulatorStats {
  tokensIssued: number;
  requests: Record<string, number>;
}

export class FusionSimulator {
  readonly journals: JournalStore;
  readonly stats: SimulatorStats = { tokensIssued: 0, requests: {} };
  private readonly tokens = new Map<string, number>();
  private server: Server | null = null;
  private readonly options: Required<Omit<SimulatorOptions, 'seed' | 'childChangeBumpsParents'>>;

  constructor(options: SimulatorOptions) {
    this.options = {
      scope: DEFAULT_SCOPE,
      tokenTtlSeconds: 3600,
      defaultFrameworkVersion: 1,
      paging: { defaultLimit: 25, maxLimit: 500 },
      now: Date.now,
      ...options,
    };
    this.journals = new JournalStore(options.seed, {
      now: this.options.now,
      childChangeBumpsParents: options.childChangeBumpsParents,
    });
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

  private count(route: string): void {
    this.stats.requests[route] = (this.stats.requests[route] ?? 0) + 1;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const frameworkVersion = Number(
      req.headers['rest-framework-version'] ?? this.options.defaultFrameworkVersion,
    );
    try {
      if (url.pathname === '/oauth2/v1/token') {
        this.count('token');
        return await this.token(req, res);
      }
      if (url.pathname.startsWith('/__sim/')) return await this.control(req, res, url);
      if (url.pathname.startsWith(API_ROOT)) {
        this.authorize(req);
        if (req.method !== 'GET') throw new HttpError(405, 'Only GET is simulated for resources');
        const body = this.resource(url, frameworkVersion, `http://${req.headers.host}`);
        return send(res, 200, body, 'application/vnd.oracle.adf.resourcecollection+json');
      }
      throw new HttpError(404, `Not found: ${url.pathname}`);
    } catch (err) {
      this.sendError(res, err, frameworkVersion);
    }
  }

  private sendError(res: ServerResponse, err: unknown, frameworkVersion: number): void {
    if (err instanceof BadRequest) {
      const status = err.errorCode === 'SIM-404' ? 404 : 400;
      if (frameworkVersion >= 4) {
        send(
          res,
          status,
          {
            title: status === 404 ? 'Not Found' : 'Bad Request',
            status: String(status),
            'o:errorDetails': [{ detail: err.message, 'o:errorCode': err.errorCode }],
          },
          'application/vnd.oracle.adf.error+json',
        );
      } else {
        res.writeHead(status, { 'content-type': 'text/plain' }).end(err.message);
      }
      return;
    }
    if (err instanceof HttpError) {
      if (err.body !== undefined) {
        send(res, err.status, err.body, 'application/json', err.headers);
      } else {
        res.writeHead(err.status, err.headers).end(err.status === 401 ? '' : err.message);
      }
      return;
    }
    throw err;
  }

  // --- OAuth 2.0 client credentials (identity domain) -------------------------------------------

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') throw new HttpError(405, 'POST only');
    const oauthError = (status: number, error: string, description: string) =>
      new HttpError(status, error, {}, { error, error_description: description });
    const auth = req.headers.authorization ?? '';
    const [scheme, encoded = ''] = auth.split(' ');
    const [id, ...secretParts] = Buffer.from(encoded, 'base64').toString().split(':');
    if (
      scheme !== 'Basic' ||
      id !== this.options.clientId ||
      secretParts.join(':') !== this.options.clientSecret
    ) {
      throw oauthError(401, 'invalid_client', 'Client authentication failed.');
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      throw oauthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded.');
    }
    const form = new URLSearchParams(await readBody(req));
    if (form.get('grant_type') !== 'client_credentials') {
      throw oauthError(400, 'unsupported_grant_type', 'Only client_credentials is allowed for this client.');
    }
    if (form.get('scope') !== this.options.scope) {
      throw oauthError(400, 'invalid_scope', 'The requested scope is invalid, unknown, or malformed.');
    }
    const token = `eyJ${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    this.tokens.set(token, this.options.now() + this.options.tokenTtlSeconds * 1000);
    this.stats.tokensIssued++;
    send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: this.options.tokenTtlSeconds });
  }

  private authorize(req: IncomingMessage): void {
    const [scheme, token = ''] = (req.headers.authorization ?? '').split(' ');
    const expiresAt = scheme === 'Bearer' ? this.tokens.get(token) : undefined;
    if (expiresAt === undefined || expiresAt <= this.options.now()) {
      throw new HttpError(401, 'Unauthorized', { 'www-authenticate': 'Bearer' });
    }
  }

  /** Drops every issued token: the next REST call answers 401 until the client fetches a new one. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  // --- Resources ---------------------------------------------------------------------------------

  private resource(url: URL, frameworkVersion: number, origin: string): unknown {
    const rest = url.pathname.slice(API_ROOT.length).split('/').filter(Boolean);
    const version = rest.shift();
    if (!version || !API_VERSIONS.includes(version))
      throw new HttpError(404, `Unknown API version ${version}`);
    const base = `${origin}${API_ROOT}${version}`;
    const request = (href: string) => ({ params: url.searchParams, frameworkVersion, href });
    const [resource, batchKey, c1, child1, headerKey, c2, child2, lineKey] = rest;
    if (resource !== 'journalBatches') throw new BadRequest(`Unknown resource ${resource}`, 'SIM-404');
    const { paging } = this.options;
    const batchesHref = `${base}/journalBatches`;
    if (batchKey === undefined) {
      this.count('journalBatches');
      return listCollection(batchShape, this.journals.batches, request(batchesHref), paging);
    }
    const batch = this.journals.findBatch(Number(batchKey));
    if (!batch) throw new BadRequest(`Journal batch ${batchKey} not found`, 'SIM-404');
    if (c1 === undefined) return this.single(batchShape, batchesHref, batch, url);
    if (c1 !== 'child' || child1 !== 'journalHeaders')
      throw new BadRequest(`Unknown child ${child1}`, 'SIM-404');
    const headersHref = `${batchesHref}/${batchKey}/child/journalHeaders`;
    if (headerKey === undefined) {
      this.count('journalHeaders');
      return listCollection(
        headerShape,
        this.journals.headersOf(Number(batchKey)),
        request(headersHref),
        paging,
      );
    }
    const [headerId] = decodeUniqId(headerKey);
    const header = this.journals.findHeader(Number(batchKey), Number(headerId));
    if (!header) throw new BadRequest(`Journal header not found`, 'SIM-404');
    if (c2 === undefined) return this.single(headerShape, headersHref, header, url);
    if (c2 !== 'child' || child2 !== 'journalLines')
      throw new BadRequest(`Unknown child ${child2}`, 'SIM-404');
    const linesHref = `${headersHref}/${headerKey}/child/journalLines`;
    const lines = this.journals.linesOf(Number(headerId));
    if (lineKey === undefined) {
      this.count('journalLines');
      return listCollection(lineShape, lines, request(linesHref), paging);
    }
    const [, lineNumber] = decodeUniqId(lineKey);
    const line = lines.find((l) => String(l.JeLineNumber) === lineNumber);
    if (!line) throw new BadRequest('Journal line not found', 'SIM-404');
    return this.single(lineShape, linesHref, line, url);
  }

  private single(shape: typeof batchShape, collectionHref: string, row: Row, url: URL): Row {
    const out = serializeRow(row, shape.attributes, null);
    if (url.searchParams.get('onlyData') !== 'true') out.links = itemLinks(shape, collectionHref, row);
    return out;
  }

  // --- Test control (not part of Fusion) --------------------------------------------------------

  private async control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const parts = url.pathname.split('/').filter(Boolean).slice(1);
    const route = `${req.method} ${parts[0] ?? ''}`;
    const json = async () => JSON.parse((await readBody(req)) || '{}');
    switch (route) {
      case 'POST journals':
        return send(res, 201, this.journals.createJournal((await json()) as NewJournal));
      case 'PATCH journalLines': {
        const [, headerId, lineNumber] = parts;
        const line = this.journals.updateLine(
          Number(headerId),
          Number(lineNumber),
          (await json()) as JournalLinePatch,
        );
        return send(res, 200, { LastUpdateDate: fusionTimestamp(line.LastUpdateDate as number) });
      }
      case 'GET journalLines':
        return send(res, 200, { items: this.flatJournalLines() });
      case 'POST revoke-tokens':
        this.revokeTokens();
        return send(res, 200, { revoked: true });
      case 'GET stats':
        return send(res, 200, this.stats);
      default:
        throw new HttpError(404, `Unknown control route ${route}`);
    }
  }

  /** Every journal line with its batch and header context, as tests compare delivered files to it. */
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
        ...serializeRow(line, lineShape.attributes, null),
      };
    });
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): void {
  const text = stringify(body) ?? '';
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
