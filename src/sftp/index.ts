import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import type SftpClient from 'ssh2-sftp-client';
import { openSftp, remoteSha256 } from './connect';
import { SftpError } from './errors';
import { assertSafeFileName } from './fileName';
import type { HostKeyPin } from './hostKey';

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
  const session = await openSftp(destination);
  try {
    if (!(await session.op(`checking ${destination.folder}`, (c) => c.exists(destination.folder)))) {
      if (!destination.createFolder) {
        throw new SftpError(
          'no-such-path',
          `${destination.folder} does not exist on the server (createFolder is off)`,
        );
      }
      await session.op(`creating ${destination.folder}`, (c) => c.mkdir(destination.folder, true));
    }

    let uploadedNow = false;
    if (await session.op(`checking ${remotePath}`, (c) => c.exists(remotePath))) {
      const stat = await session.op(`checking ${remotePath}`, (c) => c.stat(remotePath));
      const same =
        stat.size === file.byteCount &&
        (await session.op(`hashing ${remotePath}`, (c) => remoteSha256(c, remotePath))) === file.sha256;
      if (!same)
        throw new SftpError(
          'conflict',
          `${remotePath} already exists with different content; not overwritten`,
        );
    } else {
      const source = file.open();
      let sent = 0;
      source.on('data', (chunk: Buffer) => {
        sent += chunk.length;
        onProgress(sent);
      });
      // A large highWaterMark keeps a sequential put level with OpenSSH (the default is ~90x slower).
      // @types/ssh2-sftp-client predates the option, hence the cast. The transfer's watchdog is
      // the activity's heartbeat timeout: progress heartbeats stop when it stalls.
      const writeStreamOptions = {
        highWaterMark: destination.writeHighWaterMarkBytes,
        flags: 'w',
        mode: 0o644,
      };
      await session.transfer(`uploading ${tempPath}`, (c) =>
        c.put(source, tempPath, { writeStreamOptions: writeStreamOptions as SftpClient.WriteStreamOptions }),
      );
      const stat = await session.op(`verifying ${tempPath}`, (c) => c.stat(tempPath));
      if (stat.size !== file.byteCount) {
        throw new SftpError(
          'verify-failed',
          `${tempPath} is ${stat.size} bytes on the server, expected ${file.byteCount}`,
        );
      }
      await session.op(`renaming ${tempPath} to ${remotePath}`, (c) =>
        renameIntoPlace(c, tempPath, remotePath),
      );
      uploadedNow = true;
    }

    // Markers go last, and are rewritten on a retry if an earlier attempt stopped before them.
    if (destination.sha256Sidecar) {
      const sidecar = `${remotePath}.sha256`;
      await session.op(`writing ${sidecar}`, (c) =>
        c.put(Buffer.from(`${file.sha256}  ${file.fileName}\n`), sidecar),
      );
    }
    if (destination.doneFile) {
      const done = `${remotePath}.done`;
      await session.op(`writing ${done}`, (c) => c.put(Buffer.alloc(0), done));
    }
    return { remotePath, uploadedNow };
  } finally {
    await session.end();
  }
}

export { type ListingOptions, listRemoteFolder, type RemoteFileEntry } from './listing';
export { encryptForPartner, type PgpKeys } from './pgp';
