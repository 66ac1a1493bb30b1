import { createHash } from 'node:crypto';
import { heartbeat, log } from '@temporalio/activity';
import type { IntegrationConfig } from '../config';
import { rendererFor, SAMPLE_ENVELOPE } from '../config/formats';
import type { FileRenderer } from '../formats/fileRenderer';
import type { assertValidFile } from '../formats/validate/result';
import { assertPgpKeysUsable } from '../keys';
import type { FileRow, Ledger, QuarantineEntry, X12ControlNumbers } from '../ledger';
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

/** Where a rendered file goes: the archive chunks, and the records that cannot be written. */
export interface RenderSink {
  chunk(data: Buffer): Promise<void>;
  reject(seq: number, entry: QuarantineEntry): Promise<void>;
}

export interface RenderInput {
  ledger: Ledger;
  runKey: string;
  renderer: FileRenderer<EntityRecordMap[EntityName]>;
  format: Parameters<typeof assertValidFile>[0];
  pgp?: { keys: PgpKeys; armor: boolean };
  /** Compress before PGP: the type, the name of the file inside a zip, its date. */
  compress?: { type: Compression; entryName: string; mtime: Date };
  numbers: X12ControlNumbers | null;
  /** After each page of records written (heartbeat and live progress); default a bare heartbeat. */
  progress?: (written: number) => void;
}

/**
 * Renders the run's staged records, in order, into the sink: a record that cannot be written is
 * quarantined with its field and reason, the rest is written, and the whole file is re-parsed and
 * checked before it counts. Plain text streams straight into the archive; for compression or PGP
 * it is held, compressed and then encrypted once at the end, and those bytes are what is archived,
 * hashed and delivered.
 */
export async function renderStagedRecords(input: RenderInput, sink: RenderSink) {
  const { renderer, pgp, compress } = input;
  const archive = chunkedArchive(sink.chunk);
  const plain = pgp || compress ? { parts: [] as Buffer[], hash: createHash('sha256'), bytes: 0 } : null;
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
    page: input.progress ?? ((written) => heartbeat({ records: written })),
  });
  let plaintext: { sha256: string; bytes: number } | undefined;
  let compressedBytes: number | undefined;
  if (plain && recordCount > 0) {
    let bytes: Buffer = Buffer.concat(plain.parts);
    if (compress) {
      bytes = compressFile(bytes, compress.type, compress.entryName, compress.mtime);
      compressedBytes = bytes.length;
    }
    await archive.write(pgp ? await encryptForPartner(bytes, pgp.keys, pgp.armor) : bytes);
    plaintext = { sha256: plain.hash.digest('hex'), bytes: plain.bytes };
  }
  const { byteCount, sha256 } = await archive.close();
  const summary = {
    ...renderer.summary(),
    ...(input.numbers ? { controlNumbers: input.numbers } : {}),
    ...(plaintext && compress
      ? {
          compression: {
            type: compress.type,
            entryName: compress.entryName,
            bytes: compressedBytes,
            plaintext,
          },
        }
      : {}),
    ...(plaintext && pgp ? { pgp: { armor: pgp.armor, plaintext } } : {}),
  };
  return { byteCount, sha256, recordCount, summary };
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
): string {
  const run = createHash('sha256').update(runKey).digest('hex').slice(0, 8);
  return renderFileName(config.sftp.fileNameTemplate, {
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
        const { compress } = rt.config.sftp;
        const extension = fileExtension(format.type, rt.pgp, compress);
        const fileName = outboundFileName(rt.config, run.windowTo, run.runKey, extension);
        const renderer = rendererFor(rt.config, envelope, {
          fileName,
          integration: rt.config.id,
          windowTo: run.windowTo,
        });
        const progress = progressReporter(ledger, run.runKey, { stage: 'render', rendered: 0 });
        const file = await ledger.saveRenderedFile(
          run,
          {
            fileName,
            remotePath: `${rt.config.sftp.folder.replace(/\/+$/, '')}/${fileName}`,
            format: format.type,
          },
          (sink) =>
            renderStagedRecords(
              {
                ledger,
                runKey: run.runKey,
                renderer,
                format: format.type,
                pgp: rt.pgp,
                numbers,
                progress: (written) => progress.note({ rendered: written }),
                // A zip holds the file under the run's own name with the format's extension.
                ...(compress
                  ? {
                      compress: {
                        type: compress,
                        entryName: outboundFileName(
                          rt.config,
                          run.windowTo,
                          run.runKey,
                          formatExtension(format.type),
                        ),
                        mtime: new Date(run.windowTo),
                      },
                    }
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
