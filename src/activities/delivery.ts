import { Readable } from 'node:stream';
import { heartbeat, log } from '@temporalio/activity';
import { ConfigError } from '../config';
import type { IntegrationRuntime } from '../integrations';
import type { FileDestinationRow, Ledger } from '../ledger';
import { deliverFile } from '../sftp';
import type { DeliveredFile, DestinationOutcome } from '../shared';
import type { ActivityDeps } from './deps';
import { typedFailures } from './failures';
import { recordHostKeyConfirmation } from './keys';
import { progressReporter } from './progress';
import { renderedSummary } from './render';

// Delivery: a run's archived file uploaded, or a past file replayed, byte for byte from the
// archive over a new SFTP connection, and the delivery recorded.

/**
 * The archived file as a stream: a 1 MiB chunk read at a time, two of its pieces ahead at most
 * (ledger.fileChunks); the default (16 objects)
 * held 16 MiB per upload on top of the SFTP write buffer, for no gain in speed.
 */
function archivedBytes(ledger: Ledger, fileId: string): Readable {
  return Readable.from(ledger.fileChunks(fileId), { highWaterMark: 2 });
}

export function createDeliveryActivities(deps: ActivityDeps) {
  const { ledger } = deps;

  /** The bytes archived for a further destination: its own, or the file's when they are the same. */
  const destinationBytes = (row: FileDestinationRow) =>
    row.ownBytes
      ? Readable.from(ledger.destinationChunks(row.fileId, row.destinationId), { highWaterMark: 2 })
      : archivedBytes(ledger, row.fileId);

  /** A replay to a further destination: a file it was delivered, its own bytes again, logged. */
  async function replayToDestination(
    rt: IntegrationRuntime,
    input: { integrationId: string; fileName: string; reason: string; destinationId: string },
  ): Promise<DeliveredFile> {
    const destination = rt.destinations.find((d) => d.id === input.destinationId);
    if (!destination) {
      throw new ConfigError(
        `Integration "${input.integrationId}" has no destination "${input.destinationId}"`,
      );
    }
    const row = await ledger.getFileDestinationByName(
      input.integrationId,
      input.destinationId,
      input.fileName,
    );
    if (row?.status !== 'delivered') {
      throw new ConfigError(
        `No file "${input.fileName}" delivered to destination "${input.destinationId}" of "${input.integrationId}"`,
      );
    }
    const result = await deliverFile(
      destination.sftp,
      {
        fileName: row.fileName,
        byteCount: row.byteCount,
        sha256: row.sha256,
        open: () => destinationBytes(row),
      },
      (bytes) => heartbeat({ bytes }),
    );
    await ledger.recordDelivery(row.fileId, 'replay', result.uploadedNow, input.reason, row.destinationId);
    log.info('File replayed', { ...input, fileName: row.fileName, ...result });
    const file = await ledger.getFile(row.fileId);
    return {
      fileId: row.fileId,
      fileName: row.fileName,
      byteCount: row.byteCount,
      sha256: row.sha256,
      recordCount: file?.recordCount ?? 0,
      remotePath: result.remotePath,
      uploadedNow: result.uploadedNow,
    };
  }

  return {
    /** Delivers the archived bytes over a new SFTP connection; safe to retry after any crash. */
    async uploadFile(input: { integrationId: string; fileId: string }): Promise<DeliveredFile> {
      return typedFailures(async () => {
        const rt = deps.integration(input.integrationId);
        const file = await ledger.getFile(input.fileId);
        if (!file) throw new Error(`No file ${input.fileId}`);
        const progress = progressReporter(ledger, file.runKey, {
          stage: 'upload',
          bytesUploaded: 0,
          bytesTotal: file.byteCount,
        });
        const result = await deliverFile(
          rt.sftp,
          {
            fileName: file.fileName,
            byteCount: file.byteCount,
            sha256: file.sha256,
            open: () => archivedBytes(ledger, file.fileId),
          },
          (bytes) => {
            progress.note({ bytesUploaded: bytes }, { bytes });
            void deps.failpoint?.('mid-upload');
          },
        );
        progress.note({ bytesUploaded: file.byteCount });
        await progress.flush();
        await deps.failpoint?.('after-upload');
        await ledger.markUploaded(file.fileId);
        await ledger.recordDelivery(file.fileId, 'upload', result.uploadedNow, null);
        await recordHostKeyConfirmation(
          deps,
          input.integrationId,
          { id: 'sftp', sftp: rt.sftp },
          result.hostKey,
        );
        if (result.uploadedNow) {
          deps.metrics?.fileSent(input.integrationId, { bytes: file.byteCount, records: file.recordCount });
        }
        log.info('File delivered', { fileName: file.fileName, ...result });
        return {
          fileId: file.fileId,
          fileName: file.fileName,
          byteCount: file.byteCount,
          sha256: file.sha256,
          recordCount: file.recordCount,
          remotePath: result.remotePath,
          uploadedNow: result.uploadedNow,
        };
      });
    },

    /**
     * Delivers a file to one further destination, the bytes archived for it, over a new SFTP
     * connection. Exactly once: a destination already marked delivered is not contacted, and an
     * attempt whose outcome was lost (a crash after the upload) finds the file there with its
     * size and hash and only records it. A failed attempt is recorded on the destination's row.
     */
    async uploadToDestination(input: {
      integrationId: string;
      fileId: string;
      destinationId: string;
    }): Promise<DestinationOutcome> {
      return typedFailures(async () => {
        const rt = deps.integration(input.integrationId);
        const row = await ledger.getFileDestination(input.fileId, input.destinationId);
        if (!row) throw new Error(`No destination ${input.destinationId} for file ${input.fileId}`);
        const done = { fileId: row.fileId, destinationId: row.destinationId, remotePath: row.remotePath };
        if (row.status === 'delivered') return { ...done, delivered: true, uploadedNow: false };
        const destination = rt.destinations.find((d) => d.id === input.destinationId);
        if (!destination) {
          throw new ConfigError(
            `Destination "${input.destinationId}" is no longer configured for integration "${input.integrationId}"`,
          );
        }
        let result: Awaited<ReturnType<typeof deliverFile>>;
        try {
          result = await deliverFile(
            destination.sftp,
            {
              fileName: row.fileName,
              byteCount: row.byteCount,
              sha256: row.sha256,
              open: () =>
                row.ownBytes
                  ? Readable.from(ledger.destinationChunks(row.fileId, row.destinationId), {
                      highWaterMark: 2,
                    })
                  : archivedBytes(ledger, row.fileId),
            },
            (bytes) => heartbeat({ bytes }),
          );
        } catch (err) {
          const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          await ledger.noteDestinationFailure(row.fileId, row.destinationId, reason);
          throw err;
        }
        await deps.failpoint?.('after-upload');
        await ledger.markDestinationDelivered(row.fileId, row.destinationId, result.uploadedNow);
        await recordHostKeyConfirmation(
          deps,
          input.integrationId,
          { id: destination.id, sftp: destination.sftp },
          result.hostKey,
        );
        log.info('File delivered to destination', {
          fileName: row.fileName,
          destination: row.destinationId,
          ...result,
        });
        return { ...done, delivered: true, uploadedNow: result.uploadedNow, remotePath: result.remotePath };
      });
    },

    /**
     * Delivers a past file again, byte for byte from the archive, with the admin's reason recorded.
     * If the server still holds the identical file, nothing is uploaded (and that is recorded too).
     */
    async replayFile(input: {
      integrationId: string;
      fileName: string;
      reason: string;
      /** A further destination: replayed there, its own archived bytes. */
      destinationId?: string;
    }): Promise<DeliveredFile> {
      return typedFailures(async () => {
        const rt = deps.integration(input.integrationId);
        if (input.destinationId)
          return replayToDestination(rt, { ...input, destinationId: input.destinationId });
        const file = await ledger.getFileByName(input.integrationId, input.fileName);
        if (file?.status !== 'committed') {
          throw new ConfigError(
            `No delivered file "${input.fileName}" for integration "${input.integrationId}"`,
          );
        }
        const result = await deliverFile(
          rt.sftp,
          {
            fileName: file.fileName,
            byteCount: file.byteCount,
            sha256: file.sha256,
            open: () => archivedBytes(ledger, file.fileId),
          },
          (bytes) => heartbeat({ bytes }),
        );
        await ledger.recordDelivery(file.fileId, 'replay', result.uploadedNow, input.reason);
        await recordHostKeyConfirmation(
          deps,
          input.integrationId,
          { id: 'sftp', sftp: rt.sftp },
          result.hostKey,
        );
        log.info('File replayed', {
          integrationId: input.integrationId,
          fileName: file.fileName,
          reason: input.reason,
          ...result,
        });
        return { ...renderedSummary(file), remotePath: result.remotePath, uploadedNow: result.uploadedNow };
      });
    },
  };
}
