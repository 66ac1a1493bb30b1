import { heartbeat, log } from '@temporalio/activity';
import { holdUnbalancedJournals } from '../formats/balance';
import type { Extracted } from '../fusion';
import { boundedPayload, safeText } from '../fusion/entities/map';
import type { Ledger, QuarantineEntry, RunRow } from '../ledger';
import {
  type EntityName,
  type EntityRecordMap,
  type JournalLineRecord,
  RecordFieldError,
} from '../shared/records';
import type { IntegrationRuntime } from './index';

// Staging, shared by the live sync and resends: each page of extracted records is checked
// (journals must balance), the bad ones quarantined with their reason, the rest staged — the
// live sync minus the versions the ledger already holds, a resend all of them.

type Record_ = EntityRecordMap[EntityName];

/** Moves the lines of unbalanced journals from `good` to `bad`, each with its journal's report. */
export function holdUnbalanced(good: Record_[], bad: Extracted<Record_>[]): Record_[] {
  const { balanced, held } = holdUnbalancedJournals(good as JournalLineRecord[]);
  for (const { line, reason } of held) {
    bad.push({
      ok: false,
      recordId: line.recordId,
      version: line.version,
      error: new RecordFieldError(line.recordId, 'journal balance', reason),
      raw: line,
    });
  }
  return balanced;
}

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
    let good = page.flatMap((x) => (x.ok ? [x.record] : []));
    let bad = page.flatMap((x) => (x.ok ? [] : [x]));
    // A journal goes out whole and balanced, or not at all (all its lines come in one page).
    if (rt.config.entity === 'journalLines' && !rt.config.allowUnbalancedJournals) {
      good = holdUnbalanced(good, bad);
    }
    if (only) {
      good = good.filter((r) => only.has(r.recordId));
      bad = bad.filter((b) => only.has(b.ok ? '' : b.recordId));
    }
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
