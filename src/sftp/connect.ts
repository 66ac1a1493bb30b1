import { createHash } from 'node:crypto';
import SftpClient from 'ssh2-sftp-client';
import type { SftpDestination } from './destination';
import { classifySftpError, SftpError } from './errors';
import { expectedFingerprint, hostKeyFingerprint } from './hostKey';
import { openTunnel, type Tunnel } from './tunnel';

// One SSH connection, the way every delivery and listing opens it: our TCP socket with Nagle off
// (or a tunnel through the configured proxy or jump host, ./tunnel), the host key checked against
// the pin, a deadline on the handshake and on every operation, errors mapped to SftpError kinds.

export type SftpConnectionSettings = Pick<
  SftpDestination,
  | 'host'
  | 'port'
  | 'username'
  | 'credentials'
  | 'hostKey'
  | 'algorithms'
  | 'connectTimeoutSeconds'
  | 'operationTimeoutSeconds'
  | 'proxy'
  | 'jumpHost'
>;

export interface SftpSession {
  /**
   * Runs one remote operation under the per-operation deadline (or `seconds`, for clean-up that
   * must not wait long on a stalled server); failures come out as SftpError.
   */
  op<T>(what: string, work: (client: SftpClient) => Promise<T>, seconds?: number): Promise<T>;
  /** The same without a deadline: for a transfer, whose watchdog is the activity heartbeat. */
  transfer<T>(what: string, work: (client: SftpClient) => Promise<T>): Promise<T>;
  /** Ends the connection: bounded, never throws. Call it in `finally`. */
  end(): Promise<void>;
}

/** Rejects when `work` has not settled within the deadline; the caller ends the connection. */
export async function withDeadline<T>(work: Promise<T>, seconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SftpError('unavailable', `${what}: no answer within ${seconds}s`)),
      seconds * 1000,
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export async function openSftp(destination: SftpConnectionSettings): Promise<SftpSession> {
  const client = new SftpClient('ml-connector');
  const expected = expectedFingerprint(destination.hostKey);
  let hostKeyRejected = false;
  let tunnel: Tunnel | undefined;
  const step = `connecting to ${destination.host}:${destination.port}`;
  // Socket errors outside an operation arrive as events; without a listener they kill the process.
  client.on('error', () => {});
  const end = async () => {
    await withDeadline(client.end(), 10, 'closing the connection').catch(() => undefined);
    // client.end() resolves without closing anything when the handshake never finished.
    tunnel?.close();
  };
  try {
    tunnel = await openTunnel(destination, destination.connectTimeoutSeconds);
    await withDeadline(
      client.connect({
        sock: tunnel.sock,
        host: destination.host,
        port: destination.port,
        username: destination.username,
        ...destination.credentials,
        readyTimeout: destination.connectTimeoutSeconds * 1000,
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
        retries: 0, // the caller owns retries and their backoff
        ...(destination.algorithms ? { algorithms: destination.algorithms } : {}),
        hostVerifier: (key: Buffer) => {
          if (expected === null) return true;
          hostKeyRejected = hostKeyFingerprint(key) !== expected;
          return !hostKeyRejected;
        },
      }),
      destination.connectTimeoutSeconds + 5,
      step,
    );
  } catch (err) {
    await end();
    throw classifySftpError(err, step, hostKeyRejected);
  }
  return {
    op: async (what, work, seconds) => {
      try {
        return await withDeadline(work(client), seconds ?? destination.operationTimeoutSeconds, what);
      } catch (err) {
        throw classifySftpError(err, what, false);
      }
    },
    transfer: async (what, work) => {
      try {
        return await work(client);
      } catch (err) {
        throw classifySftpError(err, what, false);
      }
    },
    end,
  };
}

/** sha256 (hex) of a remote file, read back over the connection. */
export async function remoteSha256(client: SftpClient, path: string): Promise<string> {
  const hash = createHash('sha256');
  const stream = client.createReadStream(path);
  // ssh2 closes the remote handle after the last byte; wait for that, and keep an error listener
  // so a late close error cannot crash the process (a read error still throws from the loop).
  const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  stream.on('error', () => {});
  for await (const chunk of stream) hash.update(chunk as Buffer);
  await closed;
  return hash.digest('hex');
}
