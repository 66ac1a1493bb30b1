import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A small Fusion look-alike on 127.0.0.1 that answers the way a broken or hostile server might:
// pages that never end or never move, bodies without end, absurd Retry-After values, redirects
// and links to other hosts. It records every request it receives, and how much of a large body
// it managed to write before the client hung up.

export const TOKEN = 'hostile-access-token-5c1b';

export interface Received {
  method: string;
  path: string;
  authorization: string | undefined;
}

export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

export class HostileServer {
  readonly received: Received[] = [];
  /** Bytes written of the last streamed large body, and whether the client closed it early. */
  stream = { written: 0, aborted: false, finished: false };
  private readonly routes = new Map<string, Route>();
  private server: Server | null = null;
  url = '';

  route(path: string, handler: Route): this {
    this.routes.set(path, handler);
    return this;
  }

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      this.received.push({
        method: req.method ?? '',
        path: `${url.pathname}${url.search}`,
        authorization: req.headers.authorization,
      });
      const handler = this.routes.get(url.pathname);
      if (!handler) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"title":"Not Found"}');
        return;
      }
      // Drain the request body (the token POST) before answering.
      req.resume();
      req.on('end', () => handler(req, res, url));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** Requests to a path (query ignored). */
  count(pathname: string): number {
    return this.received.filter((r) => r.path.split('?')[0] === pathname).length;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** An OAuth token endpoint that always issues TOKEN. */
export const tokenRoute: Route = (_req, res) =>
  json(res, 200, { access_token: TOKEN, token_type: 'Bearer', expires_in: 3600 });

export function offsetOf(url: URL): number {
  return Number(url.searchParams.get('offset') ?? 0);
}

export function row(id: number, extra: Record<string, unknown> = {}) {
  return { InvoiceId: id, InvoiceNum: `INV-${id}`, ...extra };
}

/**
 * Streams `totalBytes` of a JSON body in 64 KiB chunks, honouring back-pressure, and records
 * how far it got: a client that stops reading makes `aborted` true long before the end.
 */
export function streamLargeBody(server: HostileServer, totalBytes: number, declareLength: boolean): Route {
  return (_req, res) => {
    server.stream = { written: 0, aborted: false, finished: false };
    const headers: Record<string, string | number> = { 'content-type': 'application/json' };
    if (declareLength) headers['content-length'] = totalBytes;
    res.writeHead(200, headers);
    const prefix = '{"items":[],"padding":"';
    const suffix = '"}';
    const chunk = Buffer.alloc(64 * 1024, 'x');
    res.on('close', () => {
      if (!server.stream.finished) server.stream.aborted = true;
    });
    res.write(prefix);
    server.stream.written = prefix.length;
    const pump = () => {
      while (server.stream.written + chunk.length + suffix.length <= totalBytes) {
        if (res.destroyed) return;
        server.stream.written += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      const rest = totalBytes - server.stream.written - suffix.length;
      res.end(`${'x'.repeat(rest)}${suffix}`);
      server.stream.written = totalBytes;
      server.stream.finished = true;
    };
    pump();
  };
}
