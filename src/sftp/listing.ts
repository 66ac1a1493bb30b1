import { posix } from 'node:path';
import { openSftp, remoteSha256, type SftpConnectionSettings } from './connect';
import type { SftpDestination } from './destination';
import { SftpError } from './errors';

// What is in a destination folder, read over one new SSH connection: for reconciliation against
// the ledger. Read-only; never writes, renames or deletes anything on the server.

export interface RemoteFileEntry {
  name: string;
  size: number;
  /** The server's mtime (whole seconds), RFC 3339 in UTC. */
  modifiedAt: string;
  /** Hex sha256 of the file as read back, when `hash` was asked for. */
  sha256?: string;
}

export interface ListingOptions {
  /** Read every listed file back and hash it (costs one full download per file). */
  hash?: boolean;
  /** Keep only the names this returns true for (applied before hashing). */
  match?: (name: string) => boolean;
}

/** The temporary name an upload writes before its rename: `.<name>.<8 hex>.part` (once `.<name>.part`). */
const UPLOAD_IN_PROGRESS = /^\..+\.part$/;

/**
 * Regular files of `destination.folder`, sorted by name; directories, links and our own
 * `.<name>….part` temporaries are skipped. Errors are SftpError with the same kinds as delivery.
 */
export async function listRemoteFolder(
  destination: SftpConnectionSettings & Pick<SftpDestination, 'folder'>,
  options: ListingOptions = {},
): Promise<RemoteFileEntry[]> {
  const { folder } = destination;
  const session = await openSftp(destination);
  try {
    const listed = await session.op(`listing ${folder}`, (client) => client.list(folder));
    const files = listed
      .filter((e) => e.type === '-' && !UPLOAD_IN_PROGRESS.test(e.name))
      .filter((e) => options.match?.(e.name) ?? true)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const entries: RemoteFileEntry[] = [];
    for (const file of files) {
      const entry: RemoteFileEntry = {
        name: file.name,
        size: file.size,
        modifiedAt: new Date(file.modifyTime).toISOString(),
      };
      if (options.hash) {
        const path = posix.join(folder, file.name);
        try {
          entry.sha256 = await session.op(`hashing ${path}`, (client) => remoteSha256(client, path));
        } catch (err) {
          // Receivers pick files up while we list: a file gone since the listing is not there.
          if (err instanceof SftpError && err.kind === 'no-such-path') continue;
          throw err;
        }
      }
      entries.push(entry);
    }
    return entries;
  } finally {
    await session.end();
  }
}
