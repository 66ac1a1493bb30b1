import type { Ledger, LedgerFile } from '../ledger';

// Reconciliation: the ledger's files against a listing of the destination folder. The
// classification is pure (classifyListing); reconcile() only loads the ledger side.

/** One file on the server, as listRemoteFolder returns it (sha256 only when it was read back). */
export interface RemoteFile {
  name: string;
  size: number;
  sha256?: string;
}

export type { LedgerFile };

export interface MatchedFile {
  fileName: string;
  remotePath: string;
  bytes: number;
  sha256: string;
  committedAt: string | null;
  /** `sha256` when the server copy was read back and hashed; `size` when only its size was compared. */
  verifiedBy: 'sha256' | 'size';
}

export interface MissingFile {
  fileName: string;
  remotePath: string;
  bytes: number;
  sha256: string;
  committedAt: string | null;
}

export interface AlteredFile extends MissingFile {
  remoteSize: number;
  remoteSha256: string | null;
  /** What differs first: the size, or (same size) the content. */
  difference: 'size' | 'sha256';
}

/**
 * On the server and known to the ledger, but not committed yet (a delivery awaiting its commit);
 * at a further destination, a delivery not recorded yet (`pending` or `failed`).
 */
export interface PendingFile extends MissingFile {
  status: 'rendered' | 'uploaded' | 'pending' | 'failed';
  remoteSize: number;
  remoteSha256: string | null;
}

export interface Reconciliation<R extends RemoteFile = RemoteFile> {
  /** Committed in the ledger and on the server with the recorded size (and sha256, if hashed). */
  matched: MatchedFile[];
  /** Committed in the ledger, not on the server (deleted, moved, or picked up by the receiver). */
  missing: MissingFile[];
  /** On the server, unknown to the ledger. Sidecars (`.sha256`, `.done`) of known files are not listed. */
  extra: R[];
  /** Committed in the ledger, on the server under the same name with a different size or sha256. */
  altered: AlteredFile[];
  /** Known to the ledger but not committed, and on the server: the next sync or a retry commits it. */
  pending: PendingFile[];
}

/** Markers delivery may write after a file: `<name>.sha256` and `<name>.done`. */
const SIDECAR = /^(.+)\.(sha256|done)$/;

/** A file the ledger expects in a folder: the primary's (LedgerFile) or a further destination's. */
export type ExpectedFile = Omit<LedgerFile, 'status'> & {
  status: LedgerFile['status'] | 'pending' | 'failed';
};

export function classifyListing<R extends RemoteFile>(
  ledgerFiles: readonly ExpectedFile[],
  remote: readonly R[],
): Reconciliation<R> {
  const known = new Map(ledgerFiles.map((f) => [f.fileName, f]));
  const onServer = new Map(remote.map((r) => [r.name, r]));
  const result: Reconciliation<R> = { matched: [], missing: [], extra: [], altered: [], pending: [] };

  for (const file of ledgerFiles) {
    const { fileName, remotePath, bytes, sha256, committedAt } = file;
    const facts = { fileName, remotePath, bytes, sha256, committedAt };
    const there = onServer.get(fileName);
    if (file.status !== 'committed') {
      // Not delivered as far as the ledger knows: only worth a line when it is on the server.
      if (there) {
        result.pending.push({
          ...facts,
          status: file.status,
          remoteSize: there.size,
          remoteSha256: there.sha256 ?? null,
        });
      }
      continue;
    }
    if (!there) {
      result.missing.push(facts);
      continue;
    }
    const remoteSha256 = there.sha256?.toLowerCase() ?? null;
    const difference =
      there.size !== bytes
        ? 'size'
        : remoteSha256 !== null && remoteSha256 !== sha256.toLowerCase()
          ? 'sha256'
          : null;
    if (difference) {
      result.altered.push({ ...facts, remoteSize: there.size, remoteSha256, difference });
    } else {
      result.matched.push({ ...facts, verifiedBy: remoteSha256 === null ? 'size' : 'sha256' });
    }
  }

  for (const entry of remote) {
    if (known.has(entry.name)) continue;
    const sidecarOf = SIDECAR.exec(entry.name)?.[1];
    if (sidecarOf !== undefined && known.has(sidecarOf)) continue;
    result.extra.push(entry);
  }

  const byName = (a: { fileName: string }, b: { fileName: string }) =>
    a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0;
  result.matched.sort(byName);
  result.missing.sort(byName);
  result.altered.sort(byName);
  result.pending.sort(byName);
  result.extra.sort((a, b) => byName({ fileName: a.name }, { fileName: b.name }));
  return result;
}

export interface ReconcileOptions {
  /**
   * Only the ledger's files delivered to this folder (the one that was listed). Without it every
   * file of the integration is expected in the listing, which is wrong once the folder changed.
   */
  folder?: string;
}

/** The ledger's files of an integration (every status) in the shape classifyListing takes. */
export function ledgerFiles(
  ledger: Ledger,
  integrationId: string,
  options: ReconcileOptions = {},
): Promise<LedgerFile[]> {
  return ledger.filesOfIntegration(integrationId, options.folder ?? null);
}

/** The ledger's files of `integrationId` against a listing of its destination folder. */
export async function reconcile<R extends RemoteFile>(
  ledger: Ledger,
  integrationId: string,
  remote: readonly R[],
  options: ReconcileOptions = {},
): Promise<Reconciliation<R>> {
  return classifyListing(await ledgerFiles(ledger, integrationId, options), remote);
}

/**
 * A further destination's files (its own names, sizes and hashes) against a listing of its
 * folder: delivered there counts as committed.
 */
export async function reconcileDestination<R extends RemoteFile>(
  ledger: Ledger,
  integrationId: string,
  destinationId: string,
  remote: readonly R[],
): Promise<Reconciliation<R>> {
  const files = await ledger.destinationLedgerFiles(integrationId, destinationId);
  return classifyListing(files, remote);
}
