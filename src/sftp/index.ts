import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import SftpClient from 'ssh2-sftp-client';
import { classifySftpError, SftpError } from './errors';

export { SftpError, type SftpErrorKind } from './errors';

// One delivery = one new SSH connection: write under a temporary name, check the remote size,
// rename to the final name. A retry that finds the final file with our size and hash stops
// there, so an attempt whose outcome was unknown never leaves a second copy.

export interface SftpDestination {
  host: string;
  port: number;
  username: string;
  credentials: { password: string } | { privateKey: string; passphrase?: string };
  /** `SHA256:<base64>` as ssh-keygen prints it; when set, any other host key is refused. */
  hostKeySha256?: string;
  folder: string;
  connectTimeoutSeconds: number;
  writeHighWaterMarkBytes: number;
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

/** A file name that cannot leave the folder: no separators, no leading dot, no control bytes. */
export function assertSafeFileName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(name) || name.includes('..')) {
    throw new SftpError('conflict', `Unsafe remote file name: ${JSON.stringify(name)}`);
  }
}

export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
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
  let hostKeyRejected = false;
  let step = `connecting to ${destination.host}:${destination.port}`;
  // A late socket error after end() must not crash the worker.
  client.on('error', () => {});
  try {
    await client.connect({
      host: destination.host,
      port: destination.port,
      username: destination.username,
      ...destination.credentials,
      readyTimeout: destination.connectTimeoutSeconds * 1000,
      keepaliveInterval: 10_000,
      keepaliveCountMax: 3,
      retries: 0, // Temporal owns retries and their backoff
      hostVerifier: (key: Buffer) => {
        if (!destination.hostKeySha256) return true;
        const ok = hostKeyFingerprint(key) === destination.hostKeySha256.replace(/=+$/, '');
        hostKeyRejected = !ok;
        return ok;
      },
    });

    step = `checking ${remotePath}`;
    if (await client.exists(remotePath)) {
      const stat = await client.stat(remotePath);
      if (stat.size === file.byteCount && (await remoteSha256(client, remotePath)) === file.sha256) {
        return { remotePath, uploadedNow: false };
      }
      throw new SftpError('conflict', `${remotePath} already exists with different content; not overwritten`);
    }

    step = `uploading ${tempPath}`;
    const source = file.open();
    let sent = 0;
    source.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      onProgress(sent);
    });
    // A large highWaterMark keeps a sequential put level with OpenSSH (the default is ~90x slower).
    // @types/ssh2-sftp-client predates the option, hence the cast.
    const writeStreamOptions = {
      highWaterMark: destination.writeHighWaterMarkBytes,
      flags: 'w',
      mode: 0o644,
    };
    await client.put(source, tempPath, {
      writeStreamOptions: writeStreamOptions as SftpClient.WriteStreamOptions,
    });

    step = `verifying ${tempPath}`;
    const stat = await client.stat(tempPath);
    if (stat.size !== file.byteCount) {
      throw new SftpError(
        'verify-failed',
        `${tempPath} is ${stat.size} bytes on the server, expected ${file.byteCount}`,
      );
    }

    step = `renaming ${tempPath} to ${remotePath}`;
    await renameIntoPlace(client, tempPath, remotePath);
    return { remotePath, uploadedNow: true };
  } catch (err) {
    throw classifySftpError(err, step, hostKeyRejected);
  } finally {
    await client.end().catch(() => undefined);
  }
}
