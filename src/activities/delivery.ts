import { Readable } from 'node:stream';
import { heartbeat, log } from '@temporalio/activity';
import { ConfigError } from '../config';
import type { Ledger } from '../ledger';
import { deliverFile } from '../sftp';
import type { DeliveredFile } from '../shared';
import type { ActivityDeps } from './deps';
import { typedFailures } from './failures';
import { recordHostKeyConfirmation } from './keys';
import { progressReporter } from './progress';
import { renderedSummary } from './render';

// Delivery: a run's archived file uploaded, or a past file replayed, byte for byte from the
// archive over a new SFTP connection, and the delivery recorded.

/**
 * The archived file as a stream, two 1 MiB chunks read ahead at most: the default (16 objects)
 * held 16 MiB per upload on top of the SFTP write buffer, for no gain in speed.
 */
function archivedBytes(ledger: Ledger, fileId: string): Readable {
  return Readable.from(ledger.fileChunks(fileId), { highWaterMark: 2 });
}

export function createDeliveryActivities(deps: ActivityDeps) {
  const { ledger } = deps;
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
     * Delivers a past file again, byte for byte from the archive, with the admin's reason recorded.
     * If the server still holds the identical file, nothing is uploaded (and that is recorded too).
     */
    async replayFile(input: {
      integrationId: string;
      fileName: string;
      reason: string;
    }): Promise<DeliveredFile> {
      return typedFailures(async () => {
        const rt = deps.integration(input.integrationId);
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
