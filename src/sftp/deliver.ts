import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type SftpClient from 'ssh2-sftp-client';
import { openSftp, remoteSha256, type SftpSession } from './connect';
import type { DeliveryResult, OutgoingFile, SftpDestination } from './destination';
import { SftpError } from './errors';
import { assertSafeFileName } from './fileName';

// One delivery = one new SSH connection: write under a temporary name of this attempt's own,
// check the remote size, rename to the final name without replacing anything. A retry (or a
// concurrent attempt) that finds the final file with our size and hash stops there, so an attempt
// whose outcome was unknown never leaves a second copy. Nothing already on the server is written
// through or replaced: the temporary file is created exclusively, a final name that is a link or
// holds other bytes is a conflict. Every remote operation has its own deadline (servers can stall
// without closing), and end() always runs.

/** Bytes to place under a name: the file itself, or one of its markers. */
interface Placed {
  byteCount: number;
  sha256: string;
  open(): Readable;
}

/** Clean-up of a failed attempt's temporary file must not hold the failure up for long. */
const CLEANUP_SECONDS = 10;

/** `.<name>.<8 hex>.part`: per attempt, so two attempts never share (or remove) a temporary. */
export function temporaryName(fileName: string): string {
  return `.${fileName}.${randomBytes(4).toString('hex')}.part`;
}

/** lstat (attributes of a link itself, not its target); @types/ssh2-sftp-client lacks it. */
function lstat(client: SftpClient, path: string): Promise<SftpClient.FileStats> {
  return (client as unknown as { lstat(p: string): Promise<SftpClient.FileStats> }).lstat(path);
}

/**
 * What holds `path`, read without following a link: nothing ('absent'), or a regular file with
 * exactly our bytes ('same'). Anything else is a conflict: a link (whose target we must neither
 * write nor vouch for), a directory, or a file with other content.
 */
async function finalState(session: SftpSession, path: string, bytes: Placed): Promise<'absent' | 'same'> {
  const stat = await session.op(`checking ${path}`, async (c) => {
    try {
      return await lstat(c, path);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ENOENT') return null;
      throw err;
    }
  });
  if (stat === null) return 'absent';
  if (stat.isSymbolicLink)
    throw new SftpError('conflict', `${path} is a symbolic link; not written through or replaced`);
  if (!stat.isFile) throw new SftpError('conflict', `${path} exists and is not a regular file; not replaced`);
  const same =
    stat.size === bytes.byteCount &&
    (await session.op(`hashing ${path}`, (c) => remoteSha256(c, path))) === bytes.sha256;
  if (!same)
    throw new SftpError('conflict', `${path} already exists with different content; not overwritten`);
  return 'same';
}

/**
 * Places `bytes` at `folder/name` unless that already holds them; true when this call put them
 * there. Write to a fresh temporary (exclusive create), verify its size, rename without replacing.
 * Exported for tests of the rename race; deliverFile is the interface.
 */
export async function placeFile(
  session: SftpSession,
  folder: string,
  name: string,
  bytes: Placed,
  options: { highWaterMark: number; onProgress?: (bytes: number) => void },
): Promise<boolean> {
  const finalPath = posix.join(folder, name);
  if ((await finalState(session, finalPath, bytes)) === 'same') return false;
  const tempPath = posix.join(folder, temporaryName(name));
  let tempExists = false;
  let source: Readable | undefined;
  try {
    const input = bytes.open();
    source = input;
    let sent = 0;
    input.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      options.onProgress?.(sent);
    });
    // 'wx' is create + exclusive: the open fails if anything (a file, a planted link) already has
    // the name, so nothing that was there before is written through.
    // A large highWaterMark keeps a sequential put level with OpenSSH (the default is ~90x slower).
    // @types/ssh2-sftp-client predates the option, hence the cast. The transfer's watchdog is
    // the activity's heartbeat timeout: progress heartbeats stop when it stalls.
    const writeStreamOptions = { highWaterMark: options.highWaterMark, flags: 'wx', mode: 0o644 };
    tempExists = true; // from here on the open may have created it, even if the put then fails
    await session.transfer(`uploading ${tempPath}`, (c) =>
      c.put(input, tempPath, { writeStreamOptions: writeStreamOptions as SftpClient.WriteStreamOptions }),
    );
    const stat = await session.op(`verifying ${tempPath}`, (c) => lstat(c, tempPath));
    if (!stat.isFile || stat.size !== bytes.byteCount) {
      throw new SftpError(
        'verify-failed',
        `${tempPath} is ${stat.isFile ? `${stat.size} bytes` : 'not a regular file'} on the server, expected ${bytes.byteCount} bytes`,
      );
    }
    // A concurrent attempt may have finished meanwhile: then its file is ours, or a conflict.
    if ((await finalState(session, finalPath, bytes)) === 'same') return false;
    // Plain SFTP rename, not posix-rename@openssh.com: posix-rename is rename(2), which silently
    // replaces whatever the final name got between our check and now (a file another attempt
    // delivered and the receiver may already be reading, someone else's file, a link). Plain
    // rename must fail when the target exists (SFTP v3, draft-02 §6.5); OpenSSH does it with
    // link(2) + unlink(2), atomic and never replacing. On failure we look again: the file that
    // won the race either holds our bytes (already delivered) or is a conflict.
    await session.op(`renaming ${tempPath} to ${finalPath}`, (c) => c.rename(tempPath, finalPath));
    tempExists = false;
    return true;
  } catch (err) {
    // The attempt that won a race has placed our bytes (and may have swept our temporary away):
    // that is a delivery, not a failure. Anything else at the final name is a conflict.
    if (err instanceof SftpError && err.kind === 'conflict') throw err;
    let state: 'absent' | 'same';
    try {
      state = await finalState(session, finalPath, bytes);
    } catch (again) {
      // Another file at the final name is the outcome to report; a dead connection is not.
      throw again instanceof SftpError && again.kind === 'conflict' ? again : err;
    }
    if (state === 'same') return false;
    throw err;
  } finally {
    // A put that failed early leaves the source unread: release it (the archive holds a cursor).
    if (source && !source.destroyed) source.destroy();
    if (tempExists) {
      // Best effort: a failed (or losing) attempt leaves no temporary; an error here must not hide
      // the real outcome, and a connection that is gone cannot delete anything anyway.
      await session
        .op(`removing ${tempPath}`, (c) => c.delete(tempPath, true), CLEANUP_SECONDS)
        .catch(() => undefined);
    }
  }
}

/**
 * Removes the temporaries earlier attempts at `name` left (a worker killed mid-upload cannot
 * clean up after itself). Called once the file is in place, so whatever attempt still writes one
 * ends as "already delivered". Best effort: a leftover is skipped by listings and reconcile.
 */
async function sweepTemporaries(session: SftpSession, folder: string, name: string): Promise<void> {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const ours = new RegExp(`^\\.${escaped}(\\.[0-9a-f]{8})?\\.part$`);
  const entries = await session
    .op(`listing ${folder}`, (c) => c.list(folder), CLEANUP_SECONDS)
    .catch(() => [] as SftpClient.FileInfo[]);
  for (const entry of entries) {
    if (entry.type !== '-' || !ours.test(entry.name)) continue;
    const path = posix.join(folder, entry.name);
    await session.op(`removing ${path}`, (c) => c.delete(path, true), CLEANUP_SECONDS).catch(() => undefined);
  }
}

function marker(text: string): Placed {
  const body = Buffer.from(text);
  return {
    byteCount: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
    open: () => Readable.from([body]),
  };
}

export async function deliverFile(
  destination: SftpDestination,
  file: OutgoingFile,
  onProgress: (bytes: number) => void = () => {},
): Promise<DeliveryResult> {
  assertSafeFileName(file.fileName);
  const { folder } = destination;
  const remotePath = posix.join(folder, file.fileName);
  const session = await openSftp(destination);
  try {
    if (!(await session.op(`checking ${folder}`, (c) => c.exists(folder)))) {
      if (!destination.createFolder) {
        throw new SftpError('no-such-path', `${folder} does not exist on the server (createFolder is off)`);
      }
      await session.op(`creating ${folder}`, (c) => c.mkdir(folder, true));
    }
    const highWaterMark = destination.writeHighWaterMarkBytes;
    const uploadedNow = await placeFile(session, folder, file.fileName, file, { highWaterMark, onProgress });
    await sweepTemporaries(session, folder, file.fileName);

    // Markers go last, placed the same way: written on a retry if an earlier attempt stopped
    // before them, accepted when a concurrent attempt wrote the same bytes, never written through.
    if (destination.sha256Sidecar) {
      const sidecar = marker(`${file.sha256}  ${file.fileName}\n`);
      await placeFile(session, folder, `${file.fileName}.sha256`, sidecar, { highWaterMark });
    }
    if (destination.doneFile) {
      await placeFile(session, folder, `${file.fileName}.done`, marker(''), { highWaterMark });
    }
    return { remotePath, uploadedNow, hostKey: session.hostKey };
  } finally {
    await session.end();
  }
}
