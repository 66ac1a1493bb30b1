import { createHash } from 'node:crypto';
import { heartbeat, log } from '@temporalio/activity';
import type { IntegrationConfig, SftpConfig } from '../config';
import { rendererFor, SAMPLE_ENVELOPE } from '../config/formats';
import type { FileRenderer } from '../formats/fileRenderer';
import { largeFileCsvCheck } from '../formats/validate/csvStreamThread';
import type { assertValidFile } from '../formats/validate/result';
import { assertPgpKeysUsable } from '../keys';
import type { FileRow, Ledger, RenderSink, X12ControlNumbers } from '../ledger';
import { type AnyRecord, fileExtension, formatExtension, renderRecords } from '../pipeline';
import { encryptForPartner, type PgpKeys, renderFileName } from '../sftp';
import { type Compression, compressFile } from '../sftp/compress';
import type { RenderedFile } from '../shared';
import type { EntityName, EntityRecordMap } from '../shared/records';
import type { ActivityDeps } from './deps';
import { typedFailures } from './failures';
import { progressReporter } from './progress';

// The renderFile activity: staged records → renderer → checked, archived bytes.

const CHUNK_BYTES = 1024 * 1024;

/** Staged records from which a CSV file is checked on a thread of its own. */
const THREADED_CHECK_FROM = 20_000;

/** What is done to the text before it is delivered: compression, then PGP. */
export interface Transform {
  pgp?: { keys: PgpKeys; armor: boolean };
  /** Compress before PGP: the type, the name of the file inside a zip, its date. */
  compress?: { type: Compression; entryName: string; mtime: Date };
}

export interface RenderInput extends Transform {
  ledger: Ledger;
  runKey: string;
  renderer: FileRenderer<EntityRecordMap[EntityName]>;
  format: Parameters<typeof assertValidFile>[0];
  numbers: X12ControlNumbers | null;
  /** After each page of records written (heartbeat and live progress); default a bare heartbeat. */
  progress?: (written: number) => void;
  /** Further destinations, each with its own compression and PGP: the same text, its own bytes. */
  destinations?: (Transform & { id: string })[];
}

const transforms = (t: Transform) => Boolean(t.pgp || t.compress);

/** The text compressed, then encrypted, as `t` says; and the compressed size, for the summary. */
async function applyTransform(
  text: Buffer,
  t: Transform,
): Promise<{ bytes: Buffer; compressedBytes?: number }> {
  let bytes = text;
  let compressedBytes: number | undefined;
  if (t.compress) {
    bytes = compressFile(bytes, t.compress.type, t.compress.entryName, t.compress.mtime);
    compressedBytes = bytes.length;
  }
  if (t.pgp) bytes = await encryptForPartner(bytes, t.pgp.keys, t.pgp.armor);
  return compressedBytes === undefined ? { bytes } : { bytes, compressedBytes };
}

/** The summary's record of compression and PGP: what was applied, and the text's own size and hash. */
function transformSummary(
  t: Transform,
  plaintext: { sha256: string; bytes: number } | undefined,
  compressedBytes: number | undefined,
) {
  return {
    ...(plaintext && t.compress
      ? {
          compression: {
            type: t.compress.type,
            entryName: t.compress.entryName,
            bytes: compressedBytes,
            plaintext,
          },
        }
      : {}),
    ...(plaintext && t.pgp ? { pgp: { armor: t.pgp.armor, plaintext } } : {}),
  };
}

/**
 * Renders the run's staged records, in order, into the sink: a record that cannot be written is
 * quarantined with its field and reason, the rest is written, and the whole file is re-parsed and
 * checked before it counts. Plain text streams straight into the archive; for compression or PGP
 * it is held, compressed and then encrypted once at the end, and those bytes are what is archived,
 * hashed and delivered. The text is rendered once: each further destination gets it with its own
 * compression and PGP, archived beside the file (or the file's own bytes when they are the same).
 */
export async function renderStagedRecords(input: RenderInput, sink: RenderSink) {
  const { renderer } = input;
  const destinations = input.destinations ?? [];
  const archive = chunkedArchive(sink.chunk);
  const hold = transforms(input) || destinations.some(transforms);
  const plain = hold ? { parts: [] as Buffer[], hash: createHash('sha256'), bytes: 0 } : null;
  let rowsBefore = 0;
  const recordCount = await renderRecords(renderer, input.format, stagedRecords(input.ledger, input.runKey), {
    async emit(text) {
      const bytes = Buffer.from(text, 'utf8');
      if (plain) {
        plain.parts.push(bytes);
        plain.hash.update(bytes);
        plain.bytes += bytes.length;
      } else {
        await archive.write(bytes);
      }
    },
    async reject(seq, record, err) {
      log.warn('Record quarantined', { recordId: err.recordId, field: err.field, reason: err.reason });
      await sink.reject(seq, {
        recordId: record.recordId,
        version: record.version,
        field: err.field,
        reason: err.reason,
        payload: record,
      });
    },
    page: async (written, seqs) => {
      (input.progress ?? ((n: number) => heartbeat({ records: n })))(written);
      if (written > rowsBefore) await sink.entries(seqs.first, seqs.last, rowsBefore);
      rowsBefore = written;
    },
  });
  let plaintext: { sha256: string; bytes: number } | undefined;
  let compressedBytes: number | undefined;
  let text: Buffer | undefined;
  if (plain && recordCount > 0) {
    text = Buffer.concat(plain.parts);
    const own = await applyTransform(text, input);
    compressedBytes = own.compressedBytes;
    await archive.write(own.bytes);
    plaintext = { sha256: plain.hash.digest('hex'), bytes: plain.bytes };
  }
  const { byteCount, sha256 } = await archive.close();
  const summary = {
    ...renderer.summary(),
    ...(input.numbers ? { controlNumbers: input.numbers } : {}),
    ...transformSummary(input, plaintext, compressedBytes),
  };
  const destinationTotals = [];
  if (recordCount > 0) {
    for (const d of destinations) {
      if (!transforms(d) && !transforms(input)) {
        // The plain text, as the file itself: its archived bytes serve this destination too.
        destinationTotals.push({ destinationId: d.id, byteCount, sha256, ownBytes: false, summary: {} });
        continue;
      }
      const theirs = await applyTransform(text!, d);
      const bytes = chunkedArchive((chunk) => sink.destinationChunk(d.id, chunk));
      await bytes.write(theirs.bytes);
      const totals = await bytes.close();
      destinationTotals.push({
        destinationId: d.id,
        ...totals,
        ownBytes: true,
        summary: transformSummary(d, plaintext, theirs.compressedBytes),
      });
    }
  }
  return {
    byteCount,
    sha256,
    recordCount,
    summary,
    ...(destinations.length ? { destinations: destinationTotals } : {}),
  };
}

/** The run's staged records in delivery order, a page at a time. */
async function* stagedRecords(
  ledger: Ledger,
  runKey: string,
): AsyncGenerator<{ seq: number; record: AnyRecord }[]> {
  for await (const page of ledger.stagedPayloads(runKey)) {
    yield page.map(({ seq, payload }) => ({ seq, record: payload as AnyRecord }));
  }
}

/** Bytes into the archive in chunks of about 1 MB, hashed and counted on the way. */
function chunkedArchive(store: (chunk: Buffer) => Promise<void>) {
  const hash = createHash('sha256');
  let byteCount = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    await store(Buffer.concat(pending));
    pending = [];
    pendingBytes = 0;
  };
  return {
    async write(bytes: Buffer) {
      hash.update(bytes);
      byteCount += bytes.length;
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (pendingBytes >= CHUNK_BYTES) await flush();
    },
    async close() {
      await flush();
      return { byteCount, sha256: hash.digest('hex') };
    },
  };
}

export function renderedSummary(file: FileRow): RenderedFile {
  return {
    fileId: file.fileId,
    fileName: file.fileName,
    byteCount: file.byteCount,
    sha256: file.sha256,
    recordCount: file.recordCount,
  };
}

/** Deterministic per run: the window end for people, a run hash so two runs never share a name. */
export function outboundFileName(
  config: IntegrationConfig,
  windowTo: string,
  runKey: string,
  ext: string,
  /** A further destination's own template; the file's (`sftp`) by default. */
  template: string = config.sftp.fileNameTemplate,
): string {
  const run = createHash('sha256').update(runKey).digest('hex').slice(0, 8);
  return renderFileName(template, {
    integration: config.id,
    entity: config.entity,
    at: new Date(windowTo),
    run,
    ext,
  });
}

export function createRenderActivities(deps: ActivityDeps) {
  const { ledger } = deps;
  return {
    /**
     * Renders the staged records in the integration's format, checks the result with an
     * independent parser and archives it in Postgres, all in one transaction. A record that
     * cannot be written is quarantined; a file that fails its check is never stored or sent.
     */
    async renderFile(input: { integrationId: string; runKey: string }): Promise<RenderedFile | null> {
      return typedFailures(async () => {
        const rt = deps.integration(input.integrationId);
        const run = await ledger.getRun(input.runKey);
        if (!run) throw new Error(`No run ${input.runKey}`);
        const existing = await ledger.getFileByRun(input.runKey);
        if (existing) return renderedSummary(existing);
        if (run.status !== 'staged') return null; // rendered earlier with no record left: no file
        // An expired key fails here, naming the integration and key, before anything is rendered.
        if (rt.pgp) await assertPgpKeysUsable(rt.config.id, rt.pgp.keys, new Date());

        const { format } = rt.config;
        const numbers =
          format.type === 'x12' ? await ledger.allocateX12ControlNumbers(format.partnerId, run.staged) : null;
        const envelope = numbers
          ? {
              interchangeControlNumber: numbers.interchange,
              groupControlNumber: numbers.group,
              firstTransactionSetControlNumber: numbers.firstSet,
              createdAt: run.windowTo,
            }
          : SAMPLE_ENVELOPE;
        // Each destination (the file's own, `sftp`, and every further one) names the file with its
        // template and extension, and compresses and encrypts the one text its own way.
        const target = (sftp: SftpConfig, pgp: Transform['pgp']) => {
          const fileName = outboundFileName(
            rt.config,
            run.windowTo,
            run.runKey,
            fileExtension(format.type, pgp, sftp.compress),
            sftp.fileNameTemplate,
          );
          const transform: Transform = {
            ...(pgp ? { pgp } : {}),
            // A zip holds the file under the run's own name with the format's extension.
            ...(sftp.compress
              ? {
                  compress: {
                    type: sftp.compress,
                    entryName: outboundFileName(
                      rt.config,
                      run.windowTo,
                      run.runKey,
                      formatExtension(format.type),
                      sftp.fileNameTemplate,
                    ),
                    mtime: new Date(run.windowTo),
                  },
                }
              : {}),
          };
          return { fileName, remotePath: `${sftp.folder.replace(/\/+$/, '')}/${fileName}`, transform };
        };
        const primary = target(rt.config.sftp, rt.pgp);
        const further = rt.destinations.map((d) => ({ id: d.id, ...target(d.config, d.pgp) }));
        const { fileName } = primary;
        const renderer = rendererFor(
          rt.config,
          envelope,
          { fileName, integration: rt.config.id, windowTo: run.windowTo },
          // A large file's CSV check on a thread of its own (the other core) when the worker's
          // one check thread is free, a small one's in line (a thread costs tens of ms to start).
          run.staged >= THREADED_CHECK_FROM ? largeFileCsvCheck : undefined,
        );
        const progress = progressReporter(ledger, run.runKey, { stage: 'render', rendered: 0 });
        const file = await ledger.saveRenderedFile(
          run,
          {
            fileName,
            remotePath: primary.remotePath,
            format: format.type,
            ...(further.length
              ? {
                  destinations: further.map((d) => ({
                    destinationId: d.id,
                    fileName: d.fileName,
                    remotePath: d.remotePath,
                  })),
                }
              : {}),
          },
          (sink) =>
            renderStagedRecords(
              {
                ledger,
                runKey: run.runKey,
                renderer,
                format: format.type,
                numbers,
                progress: (written) => progress.note({ rendered: written }),
                ...primary.transform,
                ...(further.length
                  ? { destinations: further.map((d) => ({ id: d.id, ...d.transform })) }
                  : {}),
              },
              sink,
            ),
        );
        await progress.flush();
        if (file)
          log.info('File rendered', {
            fileName: file.fileName,
            records: file.recordCount,
            bytes: file.byteCount,
          });
        return file ? renderedSummary(file) : null;
      });
    },
  };
}
