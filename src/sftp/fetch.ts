import { posix } from 'node:path';
import { openSftp, type SftpConnectionSettings } from './connect';
import { SftpError } from './errors';

// Reads a few named files of a remote folder over one new SSH connection (the partner's X12
// acknowledgements). Read-only, and bounded: a file over `maxBytes` is not downloaded.

export type FetchedFile = { name: string; bytes: Buffer } | { name: string; tooLarge: number };

export async function fetchRemoteFiles(
  settings: SftpConnectionSettings,
  folder: string,
  files: { name: string; size: number }[],
  maxBytes: number,
): Promise<FetchedFile[]> {
  const session = await openSftp(settings);
  try {
    const out: FetchedFile[] = [];
    for (const f of files) {
      if (f.size > maxBytes) {
        out.push({ name: f.name, tooLarge: f.size });
        continue;
      }
      const path = posix.join(folder, f.name);
      try {
        const bytes = await session.op(
          `reading ${path}`,
          async (client) => (await client.get(path)) as Buffer,
        );
        out.push(
          bytes.length > maxBytes ? { name: f.name, tooLarge: bytes.length } : { name: f.name, bytes },
        );
      } catch (err) {
        // A file gone since the listing (the partner cleaning up) is simply not there.
        if (err instanceof SftpError && err.kind === 'no-such-path') continue;
        throw err;
      }
    }
    return out;
  } finally {
    await session.end();
  }
}
