import { createHash } from 'node:crypto';
import { type Socket, connect as tcpConnect } from 'node:net';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import SftpClient from 'ssh2-sftp-client';
import { classifySftpError, SftpError } from './errors';
import { assertSafeFileName } from './fileName';
import { expectedFingerprint, type HostKeyPin, hostKeyFingerprint } from './hostKey';

export { SftpError, type SftpErrorKind } from './errors';
export { assertSafeFileName, DEFAULT_FILE_NAME_TEMPLATE, renderFileName } from './fileName';
export { type HostKeyPin, hostKeyFingerprint } from './hostKey';

// One delivery = one new SSH connection: write under a temporary name, check the remote size,
// rename to the final name. A retry that finds the final file with our size and hash stops
// there, so an attempt whose outcome was unknown never leaves a second copy. Every remote
// operation has its own deadline (servers can stall without closing), and end() always runs.

export interface SftpDestination {
  host: string;
  port: number;
  username: string;
  credentials: { password: string } | { privateKey: string; passphrase?: string };
  hostKey: HostKeyPin;
  /** Optional allow-list passed to ssh2 (kex, cipher, serverHostKey, hmac). */
  algorithms?: Record<string, string[]>;
  folder: string;
  /** Create the folder when it does not exist (otherwise a missing folder is a non-retryable error). */
  createFolder: boolean;
  connectTimeoutSeconds: number;
  operationTimeoutSeconds: number;
  writeHighWaterMarkBytes: number;
  /** After the rename, write `<name>.sha256` (`<hex>  <name>\n`) for receivers that verify. */
  sha256Sidecar: boolean;
  /** After everything else, write an empty `<name>.done` for receivers that wait for a marker. */
  doneFile: boolean;
}

export interface OutgoingFile {
  fileName: string;
  byteCount: number;
  sha256: string;
  open(): Readable;
}

export interface DeliveryResult {
  remotePath: string;
  uploadedNow: boolean;
}

/** Rejects when `work` has not settled within the deadline; the caller ends the connection. */
async function withDeadline<T>(work: Promise<T>, seconds: number, what: string): Promise<T> {
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

/**
 * Our own TCP connection with Nagle off: ssh2 leaves it on, and with the peer's delayed ACKs
 * every small SFTP request waits ~40 ms (a handshake ~350 ms instead of ~30 ms).
 */
function openSocket(host: string, port: number, seconds: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SftpError('unavailable', `connecting to ${host}:${port}: timed out after ${seconds}s`));
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

async function remoteSha256(client: SftpClient, path: string): Promise<string> {
  const hash = createHash('sha256');
  const stream = client.createReadStream(path);
  // ssh2 closes the remote handle after the last byte; wait for that, and keep an error listener
  // so a late close error cannot crash the worker (a read error still throws from the loop).
  const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  stream.on('error', () => {});
  for await (const chunk of stream) hash.update(chunk as Buffer);
  await closed;
  return hash.digest('hex');
}

async function renameIntoPlace(client: SftpClient, from: string, to: string): Promise<void> {
  try {
    await client.posixRename(from, to);
  } catch (err) {
    // Servers without the posix-rename extension: plain SFTP rename (fails if `to` exists).
    if (!/extension|not supported|unsupported/i.test(String((err as Error).message))) throw err;
    await client.rename(from, to);
  }
}

export async function deliverFile(
  destination: SftpDestination,
  file: OutgoingFile,
  onProgress: (bytes: number) => void = () => {},
): Promise<DeliveryResult> {
  assertSafeFileName(file.fileName);
  const remotePath = posix.join(destination.folder, file.fileName);
  const tempPath = posix.join(destination.folder, `.${file.fileName}.part`);
  const client = new SftpClient('ml-connector');
  const expected = expectedFingerprint(destination.hostKey);
  let hostKeyRejected = false;
  let step = `connecting to ${destination.host}:${destination.port}`;
  const op = <T>(what: string, work: () => Promise<T>) => {
    step = what;
    return withDeadline(work(), destination.operationTimeoutSeconds, what);
  };
  // Socket errors outside an operation arrive as events; without a listener they kill the worker.
  client.on('error', () => {});
  try {
    const sock = await openSocket(destination.host, destination.port, destination.connectTimeoutSeconds);
    await withDeadline(
      client.connect({
        sock,
        host: destination.host,
        port: destination.port,
        username: destination.username,
        ...destination.credentials,
        readyTimeout: destination.connectTimeoutSeconds * 1000,
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
        retries: 0, // Temporal owns retries and their backoff
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

    if (!(await op(`checking ${destination.folder}`, () => client.exists(destination.folder)))) {
      if (!destination.createFolder) {
        throw new SftpError(
          'no-such-path',
          `${destination.folder} does not exist on the server (createFolder is off)`,
        );
      }
      await op(`creating ${destination.folder}`, () => client.mkdir(destination.folder, true));
    }

    let uploadedNow = false;
    if (await op(`checking ${remotePath}`, () => client.exists(remotePath))) {
      const stat = await op(`checking ${remotePath}`, () => client.stat(remotePath));
      const same =
        stat.size === file.byteCount &&
        (await op(`hashing ${remotePath}`, () => remoteSha256(client, remotePath))) === file.sha256;
      if (!same)
        throw new SftpError(
          'conflict',
          `${remotePath} already exists with different content; not overwritten`,
        );
    } else {
      step = `uploading ${tempPath}`;
      const source = file.open();
      let sent = 0;
      source.on('data', (chunk: Buffer) => {
        sent += chunk.length;
        onProgress(sent);
      });
      // A large highWaterMark keeps a sequential put level with OpenSSH (the default is ~90x slower).
      // @types/ssh2-sftp-client predates the option, hence the cast. The upload's own deadline is
      // the activity's heartbeat timeout: progress heartbeats stop when the transfer stalls.
      const writeStreamOptions = {
        highWaterMark: destination.writeHighWaterMarkBytes,
        flags: 'w',
        mode: 0o644,
      };
      await client.put(source, tempPath, {
        writeStreamOptions: writeStreamOptions as SftpClient.WriteStreamOptions,
      });

      const stat = await op(`verifying ${tempPath}`, () => client.stat(tempPath));
      if (stat.size !== file.byteCount) {
        throw new SftpError(
          'verify-failed',
          `${tempPath} is ${stat.size} bytes on the server, expected ${file.byteCount}`,
        );
      }
      await op(`renaming ${tempPath} to ${remotePath}`, () => renameIntoPlace(client, tempPath, remotePath));
      uploadedNow = true;
    }

    // Markers go last, and are rewritten on a retry if an earlier attempt stopped before them.
    if (destination.sha256Sidecar) {
      const sidecar = `${remotePath}.sha256`;
      await op(`writing ${sidecar}`, () =>
        client.put(Buffer.from(`${file.sha256}  ${file.fileName}\n`), sidecar),
      );
    }
    if (destination.doneFile) {
      const done = `${remotePath}.done`;
      await op(`writing ${done}`, () => client.put(Buffer.alloc(0), done));
    }
    return { remotePath, uploadedNow };
  } catch (err) {
    throw classifySftpError(err, step, hostKeyRejected);
  } finally {
    await withDeadline(client.end(), 10, 'closing the connection').catch(() => undefined);
  }
}
export { type ListingOptions, listRemoteFolder, type RemoteFileEntry } from './listing';
export { encryptForPartner, type PgpKeys } from './pgp';
