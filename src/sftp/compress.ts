import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';

// Compression before delivery (and before PGP): gzip (one stream) or zip (an archive holding the
// one file under its own name, for receivers that unpack zips). Done once at render time, so the
// archived bytes are the delivered bytes and a retry, replay or reconcile sees the same file.

export type Compression = 'gzip' | 'zip';

/**
 * The file's bytes compressed. `entryName` names the file inside a zip; `mtime` dates it (the
 * run's window end, so the bytes do not depend on when the render ran).
 */
export function compressFile(
  bytes: Buffer,
  compression: Compression,
  entryName: string,
  mtime: Date,
): Buffer {
  if (compression === 'gzip') return gzipSync(bytes);
  return Buffer.from(zipSync({ [entryName]: [new Uint8Array(bytes), { mtime }] }, { level: 6 }));
}
