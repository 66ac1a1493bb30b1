import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { connect, createServer as createTcpServer, type Server, type Socket } from 'node:net';

// Small outbound proxies on loopback for the proxy tests: an HTTP CONNECT proxy (node:http) and a
// SOCKS5 proxy (RFC 1928 CONNECT, RFC 1929 user/password). Each counts the tunnels it opened,
// remembers where they went and what the client sent it, and can require a login.

export interface TestProxy {
  /** `http://127.0.0.1:<port>` or `socks5://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** host:port of every tunnel asked for (opened or refused), in order. */
  requested: string[];
  /** host:port of every tunnel opened, in order. */
  tunnels: string[];
  /** Tunnel requests refused for a missing or wrong login. */
  refused: number;
  /** HTTP proxy: the headers of every CONNECT request (what the client told the proxy). */
  connectHeaders: IncomingHttpHeaders[];
  /** HTTP proxy: requests sent to it as a forward proxy (absolute URLs), answered 501. */
  forwarded: string[];
  close(): Promise<void>;
}

export interface ProxyLogin {
  username: string;
  password: string;
}

function track(server: Server): { sockets: Set<Socket>; close: () => Promise<void> } {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return {
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function splice(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  const end = () => {
    a.destroy();
    b.destroy();
  };
  a.once('error', end).once('close', end);
  b.once('error', end).once('close', end);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

export async function startHttpProxy(login?: ProxyLogin): Promise<TestProxy> {
  const expected = login && `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`;
  const server = createHttpServer((req, res) => {
    proxy.forwarded.push(req.url ?? '');
    res.writeHead(501).end();
  });
  const tracked = track(server);
  server.on('connect', (req, client: Socket, head: Buffer) => {
    proxy.connectHeaders.push(req.headers);
    proxy.requested.push(req.url ?? '');
    client.on('error', () => {});
    if (expected && req.headers['proxy-authorization'] !== expected) {
      proxy.refused++;
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const target = req.url ?? '';
    const at = target.lastIndexOf(':');
    const upstream = connect(Number(target.slice(at + 1)), target.slice(0, at).replace(/^\[|\]$/g, ''));
    upstream.once('error', () => {
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    });
    upstream.once('connect', () => {
      proxy.tunnels.push(target);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      splice(client, upstream);
    });
  });
  const port = await listen(server);
  const proxy = newProxyRecord('http', port, tracked.close);
  return proxy;
}

/** What a test proxy saw: filled in as clients go through it. */
function newProxyRecord(scheme: 'http' | 'socks5', port: number, close: () => Promise<void>): TestProxy {
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    requested: [],
    tunnels: [],
    refused: 0,
    connectHeaders: [],
    forwarded: [],
    close,
  };
}

/** Reads exact byte counts from a socket during a handshake; the rest stays in the socket. */
function reader(socket: Socket) {
  let buffered = Buffer.alloc(0);
  let waiting: { n: number; resolve: (b: Buffer) => void } | null = null;
  const serve = () => {
    if (waiting && buffered.length >= waiting.n) {
      const { n, resolve } = waiting;
      waiting = null;
      const out = buffered.subarray(0, n);
      buffered = buffered.subarray(n);
      resolve(out);
    }
  };
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    serve();
  };
  socket.on('data', onData);
  return {
    read: (n: number) =>
      new Promise<Buffer>((resolve) => {
        waiting = { n, resolve };
        serve();
      }),
    release: () => {
      socket.off('data', onData);
      socket.pause();
      if (buffered.length) socket.unshift(buffered);
    },
  };
}

export async function startSocks5Proxy(login?: ProxyLogin): Promise<TestProxy> {
  const server = createTcpServer((client) => {
    client.on('error', () => {});
    void (async () => {
      const r = reader(client);
      const [version, count] = await r.read(2);
      const methods = [...(await r.read(count ?? 0))];
      if (version !== 5) return client.destroy();
      const method = login ? 2 : 0;
      if (!methods.includes(method)) return client.end(Buffer.from([5, 0xff]));
      client.write(Buffer.from([5, method]));
      if (login) {
        const [, userLength] = await r.read(2);
        const user = (await r.read(userLength ?? 0)).toString();
        const [passLength] = await r.read(1);
        const pass = (await r.read(passLength ?? 0)).toString();
        if (user !== login.username || pass !== login.password) {
          proxy.refused++;
          return client.end(Buffer.from([1, 1]));
        }
        client.write(Buffer.from([1, 0]));
      }
      const [, command, , type] = await r.read(4);
      let host: string;
      if (type === 3) host = (await r.read((await r.read(1))[0] ?? 0)).toString();
      else if (type === 1) host = [...(await r.read(4))].join('.');
      else return client.end(Buffer.from([5, 8, 0, 1, 0, 0, 0, 0, 0, 0]));
      const portBytes = await r.read(2);
      const port = (portBytes[0]! << 8) | portBytes[1]!;
      proxy.requested.push(`${host}:${port}`);
      if (command !== 1) return client.end(Buffer.from([5, 7, 0, 1, 0, 0, 0, 0, 0, 0]));
      const upstream = connect(port, host);
      upstream.once('error', () => client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])));
      upstream.once('connect', () => {
        proxy.tunnels.push(`${host}:${port}`);
        client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
        r.release();
        splice(client, upstream);
      });
    })();
  });
  const tracked = track(server);
  const port = await listen(server);
  const proxy = newProxyRecord('socks5', port, tracked.close);
  return proxy;
}
