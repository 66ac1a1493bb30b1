import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local webhook receiver on loopback: the alerts a run sends arrive here, parsed and as sent. */
export async function startWebhookReceiver(): Promise<{
  url: string;
  received: unknown[];
  /** The request bodies as they came, in order. */
  bodies: string[];
  close(): Promise<void>;
}> {
  const received: unknown[] = [];
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      bodies.push(body);
      received.push(JSON.parse(body));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
