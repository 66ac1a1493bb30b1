import { heartbeat, log } from '@temporalio/activity';
import type { Extracted } from '../fusion';
import { boundedPayload, safeText } from '../fusion/entities/map';
import type { IntegrationRuntime } from '../integrations';
import type { Ledger, QuarantineEntry, RunRow } from '../ledger';
import { classifyPage } from '../pipeline';
import type { EntityName, EntityRecordMap } from '../shared/records';

// Staging, shared by the live sync and resends: each page of extracted records is checked
// (journals must balance), the bad ones quarantined with their reason, the rest staged — the
// live sync minus the versions the ledger already holds, a resend all of them.

type Record_ = EntityRecordMap[EntityName];

/**
 * Quarantine rows for failed records. Whatever a hostile document held, each row is bounded and
 * storable (no NUL, no unpaired surrogate, no unbounded text or nesting): storing the quarantine
 * must never be what fails the page.
 */
export function quarantineEntries(bad: Extracted<Record_>[]): QuarantineEntry[] {
  return bad.flatMap((b) =>
    b.ok
      ? []
      : [
          {
            recordId: safeText(b.recordId, 200),
            version: safeText(b.version, 64),
            field: safeText(b.error.field, 500),
            reason: safeText(b.error.reason, 1000),
            payload: boundedPayload(b.raw),
          },
        ],
  );
}

export async function stageExtracted(
  ledger: Ledger,
  rt: IntegrationRuntime,
  run: RunRow,
  pages: AsyncIterable<Extracted<Record_>[]>,
  /** Only these records are staged or quarantined (a resync by record ID); checks see them all. */
  only?: ReadonlySet<string>,
  /** Called after each staged page (the fault suite's mid-extraction crash point). */
  afterPage?: () => void | Promise<void>,
): Promise<void> {
  await ledger.restartStaging(run.runKey); // a retried attempt starts the window again
  const resend = run.kind === 'resend';
  let seq = 0;
  let extracted = 0;
  let alreadySent = 0;
  let pageCount = 0;
  for await (const page of pages) {
    const { good, bad } = classifyPage(page, {
      entity: rt.config.entity,
      allowUnbalancedJournals: rt.config.allowUnbalancedJournals,
      ...(only ? { only } : {}),
    });
    const entries = quarantineEntries(bad);
    for (const e of entries) {
      log.warn('Record quarantined', { recordId: e.recordId, field: e.field, reason: e.reason });
    }
    await ledger.quarantine(run.runKey, run.integrationId, entries);
    const result = await ledger.stage(
      run.runKey,
      run.integrationId,
      seq,
      good.map((record) => ({
        recordId: record.recordId,
        version: record.version,
        payload: record as unknown as Record<string, unknown>,
      })),
      resend,
    );
    seq += good.length;
    extracted += page.length;
    alreadySent += result.alreadySent;
    heartbeat({ pages: ++pageCount, extracted });
    await afterPage?.();
  }
  await ledger.setRunCounts(run.runKey, { extracted, alreadySent });
}
