import type { Duration } from '@temporalio/common';
import type { DeliveredFile, ReplayFileInput } from '../shared';
import { steps } from './syncIntegration';

// `ml-connector replay <integration> <file> --reason …`: the archived bytes of a past file
// delivered again under its own name, with the reason recorded. No new ledger entries: the same
// records, in the same file.

export async function replayFile(input: ReplayFileInput): Promise<DeliveredFile> {
  const s = await steps(input.integrationId, (input.heartbeatTimeout ?? '60s') as Duration);
  return s.upload.replayFile({
    integrationId: input.integrationId,
    fileName: input.fileName,
    reason: input.reason,
    // An input field only (same activity): recorded histories replay unchanged.
    ...(input.destination ? { destinationId: input.destination } : {}),
  });
}
