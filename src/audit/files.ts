import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FileAudit, FileDestinationRow, Ledger } from '../ledger';
import { parseLimit, parseRange, type TimeRange } from './filter';

// Every file the connector produced, with what the ledger knows of it, and its archived bytes.

export interface FileAuditFilter extends TimeRange {
  integrationId?: string;
  limit?: number;
}

export type { FileAudit };

/** A file and, for an integration with further destinations, its delivery to each of them. */
export type AuditedFile = FileAudit & {
  destinations?: {
    destination: string;
    status: FileDestinationRow['status'];
    remotePath: string;
    bytes: number;
    sha256: string;
    attempts: number;
    deliveredAt: string | null;
    lastError: string | null;
  }[];
};

/**
 * Files whose time falls in [from, to), oldest first. A file's time is when it was committed
 * (the same instant as its records' sentAt, so files and records of a period agree), or when it
 * was rendered if it has not been committed yet. A file with further destinations lists each.
 */
export async function auditFiles(ledger: Ledger, filter: FileAuditFilter = {}): Promise<AuditedFile[]> {
  const files = await ledger.filesInRange({
    ...parseRange(filter),
    limit: parseLimit(filter.limit),
    integrationId: filter.integrationId,
  });
  const further = await ledger.destinationsOfFiles(files.map((f) => f.fileId));
  return files.map((file) => {
    const rows = further.get(file.fileId);
    if (!rows) return file;
    return {
      ...file,
      destinations: rows.map((d) => ({
        destination: d.destinationId,
        status: d.status,
        remotePath: d.remotePath,
        bytes: d.byteCount,
        sha256: d.sha256,
        attempts: d.attempts,
        deliveredAt: d.deliveredAt,
        lastError: d.lastError,
      })),
    };
  });
}

/** The file is not in the archive, or its archived bytes are not the ones the ledger recorded. */
export class ArchivedFileError extends Error {
  constructor(fileId: string, detail: string) {
    super(`Archived file ${fileId}: ${detail}`);
    this.name = 'ArchivedFileError';
  }
}

/**
 * The archived bytes of a file as a byte stream (constant memory: a few 1 MiB chunks at a time),
 * for replay or inspection. The stream fails if the file is unknown, or — at its end — if the
 * bytes do not add up to the size and sha256 the ledger recorded, so a replay that pipes it to
 * a temporary name and renames only on success never delivers a damaged copy.
 */
export function fileBytes(ledger: Ledger, fileId: string): Readable {
  return Readable.from(verifiedChunks(ledger, fileId), { objectMode: false });
}

async function* verifiedChunks(ledger: Ledger, fileId: string): AsyncGenerator<Buffer> {
  const file = /^\d{1,19}$/.test(fileId) ? await ledger.getFile(fileId) : null;
  if (!file) throw new ArchivedFileError(fileId, 'no such file in the ledger');
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of ledger.fileChunks(fileId)) {
    hash.update(chunk);
    bytes += chunk.length;
    yield chunk;
  }
  const sha256 = hash.digest('hex');
  if (bytes !== file.byteCount || sha256 !== file.sha256) {
    throw new ArchivedFileError(
      fileId,
      `chunks hold ${bytes} bytes with sha256 ${sha256}; the ledger recorded ${file.byteCount} bytes with sha256 ${file.sha256}`,
    );
  }
}
