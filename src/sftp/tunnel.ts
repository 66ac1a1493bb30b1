import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { Client as SshClient } from 'ssh2';
import type { SftpDestination, SftpJumpHost, SftpProxy } from './destination';
import { SftpError } from './errors';
import { expectedFingerprint, hostKeyFingerprint } from './hostKey';

// The byte stream an SSH session runs on: a TCP connection to the server, or a tunnel to it
// through an HTTP CONNECT proxy, a SOCKS5 proxy or an SSH jump host. The SSH session on top is
// the same in every case, so the final server's host key is checked against its pin as always.
// Proxy passwords never appear in an error message; the proxy is named by host and port.

export type TunnelSettings = Pick<SftpDestination, 'host' | 'port' | 'proxy' | 'jumpHost'>;

export interface Tunnel {
  /** Connected to the SFTP server's SSH port (ssh2's `sock`). */
  sock: Duplex;
  /** Tears the tunnel down (the socket, and the jump host's session); never throws. */
  close(): void;
}

/** Opens the way to `settings.host:port` within `seconds`. */
export async function openTunnel(settings: TunnelSettings, seconds: number): Promise<Tunnel> {
  const target = { host: settings.host, port: settings.port };
  if (settings.jumpHost) return viaJumpHost(settings.jumpHost, target, seconds);
  const socket = settings.proxy
    ? await viaProxy(settings.proxy, target, seconds)
    : await openSocket(target.host, target.port, seconds, `connecting to ${authority(target)}`);
  return { sock: socket, close: () => socket.destroy() };
}

interface Target {
  host: string;
  port: number;
}

function authority({ host, port }: Target): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Our own TCP connection with Nagle off: ssh2 leaves it on, and with the peer's delayed ACKs
 * every small SFTP request waits ~40 ms (a handshake ~350 ms instead of ~30 ms).
 */
function openSocket(host: string, port: number, seconds: number, what: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SftpError('unavailable', `${what}: timed out after ${seconds}s`));
    }, seconds * 1000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

async function viaProxy(proxy: SftpProxy, target: Target, seconds: number): Promise<Socket> {
  const url = new URL(proxy.url);
  const kind = proxy.type === 'http' ? 'HTTP proxy' : 'SOCKS5 proxy';
  const name = `${kind} ${url.host} (sftp.proxy)`;
  const via = `connecting to ${authority(target)} through the ${name}`;
  const started = Date.now();
  const socket = await openSocket(
    url.hostname.replace(/^\[|\]$/g, ''),
    Number(url.port),
    seconds,
    `connecting to the ${name}`,
  ).catch((err: NodeJS.ErrnoException) => {
    throw unavailable(`connecting to the ${name}`, new Error(err.code ?? err.message, { cause: err }));
  });
  const left = Math.max(1, seconds * 1000 - (Date.now() - started));
  return handshake(socket, left, `${via}: no answer within ${seconds}s`, (conversation) =>
    proxy.type === 'http'
      ? httpConnect(conversation, proxy, target, via)
      : socks5Connect(conversation, proxy, target, via),
  );
}

/** Reads the proxy's answers during a handshake; what follows the handshake stays in the socket. */
interface Conversation {
  write(bytes: Buffer | string): void;
  /** The next `n` bytes (or, with a delimiter, up to and including it, at most `n`). */
  read(n: number, until?: string): Promise<Buffer>;
}

/**
 * Runs a handshake on the socket: bytes are taken as the handshake asks for them, and any extra
 * bytes (the server's SSH banner may arrive with the proxy's last answer) are put back unread,
 * the socket paused, for ssh2 to read. An error or a timeout destroys the socket.
 */
async function handshake(
  socket: Socket,
  ms: number,
  timeoutMessage: string,
  run: (c: Conversation) => Promise<void>,
): Promise<Socket> {
  let buffered = Buffer.alloc(0);
  let wanted: { n: number; until?: string; resolve: (b: Buffer) => void } | null = null;
  let failed: Error | null = null;
  let fail: (err: Error) => void = () => {};
  const failure = new Promise<never>((_, reject) => {
    fail = (err) => {
      failed ??= err;
      reject(failed);
    };
  });
  failure.catch(() => undefined);
  const serve = () => {
    if (!wanted) return;
    const { n, until, resolve } = wanted;
    if (until) {
      const at = buffered.indexOf(until);
      if (at >= 0 && at + until.length <= n) {
        wanted = null;
        const out = buffered.subarray(0, at + until.length);
        buffered = buffered.subarray(at + until.length);
        resolve(out);
      } else if (buffered.length >= n) {
        fail(new Error(`the answer is longer than ${n} bytes`));
      }
    } else if (buffered.length >= n) {
      wanted = null;
      const out = buffered.subarray(0, n);
      buffered = buffered.subarray(n);
      resolve(out);
    }
  };
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    serve();
  };
  const onError = (err: NodeJS.ErrnoException) => fail(new Error(err.code ?? err.message, { cause: err }));
  const onClose = () => fail(new Error('the proxy closed the connection'));
  socket.on('data', onData);
  socket.on('error', onError);
  socket.on('close', onClose);
  const timer = setTimeout(() => fail(new SftpError('unavailable', timeoutMessage)), ms);
  const conversation: Conversation = {
    write: (bytes) => {
      socket.write(bytes);
    },
    read: (n, until) =>
      Promise.race([
        failure,
        new Promise<Buffer>((resolve) => {
          wanted = { n, until, resolve };
          serve();
        }),
      ]),
  };
  try {
    await Promise.race([failure, run(conversation)]);
  } catch (err) {
    socket.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
    socket.pause();
    socket.off('data', onData);
    socket.off('error', onError);
    socket.off('close', onClose);
  }
  if (buffered.length) socket.unshift(buffered);
  return socket;
}

/** Wraps a handshake failure that is not yet an SftpError: the proxy is named, nothing secret. */
function unavailable(via: string, err: unknown): SftpError {
  if (err instanceof SftpError) return err;
  return new SftpError('unavailable', `${via}: ${(err as Error).message}`, { cause: err });
}

async function httpConnect(c: Conversation, proxy: SftpProxy, target: Target, via: string): Promise<void> {
  const lines = [`CONNECT ${authority(target)} HTTP/1.1`, `Host: ${authority(target)}`];
  if (proxy.login) {
    const basic = Buffer.from(`${proxy.login.username}:${proxy.login.password}`).toString('base64');
    lines.push(`Proxy-Authorization: Basic ${basic}`);
  }
  c.write(`${lines.join('\r\n')}\r\n\r\n`);
  let head: string;
  try {
    head = (await c.read(16 * 1024, '\r\n\r\n')).toString('latin1');
  } catch (err) {
    throw unavailable(via, err);
  }
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
  if (status === '200') return;
  if (status === '407') {
    throw new SftpError(
      'auth',
      `${via}: HTTP 407, proxy authentication required or refused (check sftp.proxy's username and password)`,
    );
  }
  // The status line only, and only printable characters: the proxy's words are not ours to trust.
  const line = head
    .slice(0, head.indexOf('\r\n'))
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 120);
  throw new SftpError(
    status === '403' ? 'permission' : 'unavailable',
    `${via}: the proxy refused the tunnel (${status ? line : 'not an HTTP answer'})`,
  );
}

const SOCKS5_REPLIES: Record<number, string> = {
  1: 'general failure',
  2: 'connection not allowed by the proxy rules',
  3: 'network unreachable',
  4: 'host unreachable',
  5: 'connection refused',
  6: 'TTL expired',
  7: 'command not supported',
  8: 'address type not supported',
};

/** The address of a SOCKS5 request: IPv4 (1), a domain name the proxy resolves (3) or IPv6 (4). */
export function socksAddress(host: string): Buffer {
  if (isIP(host) === 4) return Buffer.from([1, ...host.split('.').map(Number)]);
  if (isIP(host) === 6) {
    // Expand `::` to the eight 16-bit groups.
    const [head = '', tail = ''] = host.split('::');
    const groups = (part: string) => (part ? part.split(':') : []);
    const fill = 8 - groups(head).length - groups(tail).length;
    const all = host.includes('::')
      ? [...groups(head), ...Array(fill).fill('0'), ...groups(tail)]
      : groups(host);
    return Buffer.from([
      4,
      ...all.flatMap((g) => [Number.parseInt(g, 16) >> 8, Number.parseInt(g, 16) & 0xff]),
    ]);
  }
  const name = Buffer.from(host);
  if (name.length > 255)
    throw new SftpError('unavailable', `the host name ${host.slice(0, 40)}… is too long for SOCKS5`);
  return Buffer.concat([Buffer.from([3, name.length]), name]);
}

/** RFC 1928 CONNECT, with RFC 1929 user/password when a login is set. */
async function socks5Connect(c: Conversation, proxy: SftpProxy, target: Target, via: string): Promise<void> {
  try {
    c.write(Buffer.from(proxy.login ? [5, 2, 0, 2] : [5, 1, 0]));
    const [version, method] = await c.read(2);
    if (version !== 5) throw new Error('not a SOCKS5 proxy');
    if (method === 2 && proxy.login) {
      const user = Buffer.from(proxy.login.username);
      const pass = Buffer.from(proxy.login.password);
      if (user.length > 255 || pass.length > 255) {
        throw new SftpError('auth', `${via}: the SOCKS5 user name and password are at most 255 bytes each`);
      }
      c.write(Buffer.concat([Buffer.from([1, user.length]), user, Buffer.from([pass.length]), pass]));
      const [, status] = await c.read(2);
      if (status !== 0) {
        throw new SftpError(
          'auth',
          `${via}: the proxy refused the login (check sftp.proxy's username and password)`,
        );
      }
    } else if (method !== 0) {
      throw new SftpError(
        'auth',
        proxy.login
          ? `${via}: the proxy accepts no login method we offer`
          : `${via}: the proxy requires a login (set sftp.proxy's username and password)`,
      );
    }
    c.write(
      Buffer.concat([
        Buffer.from([5, 1, 0]),
        socksAddress(target.host),
        Buffer.from([target.port >> 8, target.port & 0xff]),
      ]),
    );
    const [, reply, , type] = await c.read(4);
    const addressBytes = type === 1 ? 4 : type === 4 ? 16 : type === 3 ? (await c.read(1))[0]! : -1;
    if (addressBytes < 0) throw new Error('unreadable answer to CONNECT');
    await c.read(addressBytes + 2);
    if (reply !== 0) {
      throw new SftpError(
        reply === 2 ? 'permission' : 'unavailable',
        `${via}: the proxy could not connect (${SOCKS5_REPLIES[reply ?? 1] ?? `reply ${reply}`})`,
      );
    }
  } catch (err) {
    throw unavailable(via, err);
  }
}

/** An SSH session to the jump host (its own pinned key) and a direct-tcpip channel to the target. */
async function viaJumpHost(jump: SftpJumpHost, target: Target, seconds: number): Promise<Tunnel> {
  const name = `jump host ${authority(jump)} (sftp.jumpHost)`;
  const via = `connecting to ${authority(target)} through the ${name}`;
  const expected = expectedFingerprint(jump.hostKey);
  const started = Date.now();
  const socket = await openSocket(jump.host, jump.port, seconds, `connecting to the ${name}`).catch(
    (err: NodeJS.ErrnoException) => {
      throw unavailable(`connecting to the ${name}`, new Error(err.code ?? err.message, { cause: err }));
    },
  );
  const client = new SshClient();
  const close = () => {
    client.end();
    socket.destroy();
  };
  let hostKeyRejected = false;
  const left = Math.max(1, seconds * 1000 - (Date.now() - started));
  try {
    const channel = await new Promise<Duplex>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new SftpError('unavailable', `${via}: no answer within ${seconds}s`)),
        left,
      );
      const done = (err: Error | null, stream?: Duplex) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(stream!);
      };
      client.on('error', (err: Error & { level?: string }) => {
        if (hostKeyRejected) {
          done(new SftpError('host-key', `${via}: the jump host's key does not match sftp.jumpHost.hostKey`));
        } else if (err.level === 'client-authentication') {
          done(
            new SftpError(
              'auth',
              `${via}: authentication failed (check sftp.jumpHost's user and key or password)`,
            ),
          );
        } else {
          done(new SftpError('unavailable', `${via}: ${err.message.replace(/\s+/g, ' ').slice(0, 200)}`));
        }
      });
      client.on('close', () =>
        done(new SftpError('unavailable', `${via}: the jump host closed the connection`)),
      );
      client.on('ready', () => {
        // Our end of the channel is named as the loopback: it is only a label in the request.
        client.forwardOut('127.0.0.1', 0, target.host, target.port, (err, stream) => {
          if (err) {
            done(
              new SftpError(
                'unavailable',
                `${via}: the jump host did not open a channel (${err.message.replace(/\s+/g, ' ').slice(0, 200)})`,
              ),
            );
          } else {
            done(null, stream);
          }
        });
      });
      client.connect({
        sock: socket,
        username: jump.username,
        ...jump.credentials,
        readyTimeout: left,
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          if (expected === null) return true;
          hostKeyRejected = hostKeyFingerprint(key) !== expected;
          return !hostKeyRejected;
        },
      });
    });
    // Errors after the channel is open reach ssh2-sftp-client through the channel's own close.
    client.removeAllListeners('close');
    client.removeAllListeners('error');
    client.on('error', () => {});
    return { sock: channel, close };
  } catch (err) {
    client.removeAllListeners('close');
    client.on('error', () => {});
    close();
    throw err;
  }
}
