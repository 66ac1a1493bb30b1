import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics';

// A minimal HTTP endpoint for Prometheus: GET /metrics and GET /healthz, nothing else. It binds to
// loopback unless told otherwise, since the exposition has no authentication.

export interface MetricsServerOptions {
  /** 0 picks a free port (tests); the chosen one is in `url`. */
  port: number;
  host?: string;
  /** Told when collecting the metrics failed (the scrape gets a 500). */
  onError?: (err: unknown) => void;
}

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464 */
  readonly url: string;
  close(): Promise<void>;
}

const TEXT = 'text/plain; charset=utf-8';

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body); // Node sends no body for HEAD on its own
}

export async function startMetricsServer(
  metrics: Pick<Metrics, 'registry'>,
  { port, host = '127.0.0.1', onError }: MetricsServerOptions,
): Promise<MetricsServer> {
  const { registry } = metrics;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/metrics' && path !== '/healthz') return send(res, 404, TEXT, 'Not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, TEXT, 'Method not allowed\n');
    }
    if (path === '/healthz') return send(res, 200, TEXT, 'ok\n');
    registry.metrics().then(
      (body) => send(res, 200, registry.contentType, body),
      (err: unknown) => {
        onError?.(err);
        send(res, 500, TEXT, 'Collecting the metrics failed\n');
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const { port: boundPort } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${boundPort}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Scrapers keep connections alive; without this close() would wait for them to time out.
        server.closeAllConnections();
      }),
  };
}
