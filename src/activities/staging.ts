import { log } from '@temporalio/activity';
import { type Extracted, readChanges, readRecordsById } from '../fusion';
import { boundedPayload, safeText } from '../fusion/entities/map';
import type { IntegrationRuntime } from '../integrations';
import type { Ledger, QuarantineEntry, RunRow } from '../ledger';
import type { Metrics } from '../observability/metrics';
import { classifyPage } from '../pipeline';
import type { StagedRun } from '../shared';
import type { EntityName, EntityRecordMap } from '../shared/records';
import type { ActivityDeps } from './deps';
import { typedFailures } from './failures';
import { progressReporter } from './progress';

// Extraction and staging, shared by the live sync and resends: each page of extracted records is
// checked (journals must balance), the bad ones quarantined with their reason, the rest staged —
// the live sync minus the versions the ledger already holds, a resend all of them.

type Record_ = EntityRecordMap[EntityName];

/** Pages stored at once by one staging (each on its own connection). */
const STORES_AT_ONCE = 2;

/**
 * Pages stored at once by all the stagings of this process, at most, beyond the one each always
 * may store: when several syncs run, the database is already busy with them, and each page
 * waiting to be stored is a few MB of the worker's memory.
 */
const PROCESS_STORES = 4;
let processStores = 0;

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
  /** Counted page by page, as records are read (not at the end of the run). */
  metrics?: Metrics,
): Promise<void> {
  await ledger.restartStaging(run.runKey); // a retried attempt starts the window again
  const resend = run.kind === 'resend';
  let seq = 0;
  let extracted = 0;
  let alreadySent = 0;
  let pageCount = 0;
  let staged = 0;
  let quarantined = 0;
  const progress = progressReporter(ledger, run.runKey, {
    stage: 'extract',
    pages: 0,
    extracted: 0,
    staged: 0,
    alreadySent: 0,
    quarantined: 0,
  });
  // Pages in three places at once: page n + 1 is checked, digested and made ready in the worker
  // while pages n - 1 and n are stored, each on a connection of its own (STORES_AT_ONCE; one when
  // other syncs of the process are storing too: PROCESS_STORES). The sequence numbers are taken
  // in page order; a record seen in two pages keeps its latest version whichever store ends first
  // (stage()). Counts, progress and afterPage follow page order: a page's are taken once it and
  // every page before it are stored.
  /**
   * Each stored page's bookkeeping, oldest first, at most STORES_AT_ONCE; each settles only after
   * its page's write has, so once they all have, nothing of the attempt is still writing.
   */
  const stored: Promise<void>[] = [];
  let previous: Promise<void> = Promise.resolve();
  /** The first page whose write failed: no further page is read or stored after it. */
  let failed = null as { error: unknown } | null;
  try {
    for await (const page of pages) {
      if (failed) throw failed.error;
      const { good, bad } = classifyPage(page, {
        entity: rt.config.entity,
        allowUnbalancedJournals: rt.config.allowUnbalancedJournals,
        ...(only ? { only } : {}),
      });
      const entries = quarantineEntries(bad);
      for (const e of entries) {
        log.warn('Record quarantined', { recordId: e.recordId, field: e.field, reason: e.reason });
      }
      const firstSeq = seq;
      seq += good.length;
      const prepared = ledger.prepareStaging(
        good.map((record) => ({
          recordId: record.recordId,
          version: record.version,
          payload: record as unknown as Record<string, unknown>,
        })),
        firstSeq,
      );
      // The last version read is where the window's keyset paging stands (the cursor).
      const last = page.at(-1);
      const cursor = last
        ? last.ok
          ? { lastRecordId: last.record.recordId, lastVersion: last.record.version }
          : { lastRecordId: last.recordId, lastVersion: last.version }
        : {};
      while (stored.length >= STORES_AT_ONCE || (stored.length > 0 && processStores >= PROCESS_STORES))
        await stored.shift();
      processStores++;
      const write = (async () => {
        await ledger.quarantine(run.runKey, run.integrationId, entries);
        return ledger.stage(run.runKey, run.integrationId, firstSeq, prepared, resend);
      })();
      void write
        .catch((error: unknown) => {
          failed ??= { error };
        })
        .finally(() => {
          processStores--;
        });
      const before = previous;
      const done = (async () => {
        const result = await write; // first: `done` never settles while its write runs
        await before;
        extracted += page.length;
        alreadySent += result.alreadySent;
        staged += result.staged;
        quarantined += entries.length;
        metrics?.recordsExtracted(run.integrationId, page.length);
        metrics?.recordsQuarantined(run.integrationId, entries.length);
        progress.note({ pages: ++pageCount, extracted, staged, alreadySent, quarantined }, cursor);
        await afterPage?.();
      })();
      done.catch(() => undefined); // awaited in turn below, or before the next store starts
      previous = done;
      stored.push(done);
    }
    await previous;
  } finally {
    // Nothing of this attempt may still be writing when it ends: a retry starts from restartStaging.
    await Promise.allSettled(stored);
  }
  await ledger.setRunCounts(run.runKey, { extracted, alreadySent });
  await progress.flush();
}

function stagedSummary(run: RunRow): StagedRun {
  return {
    runKey: run.runKey,
    integrationId: run.integrationId,
    windowFrom: run.windowFrom,
    windowTo: run.windowTo,
    extracted: run.extracted,
    staged: run.staged,
    alreadySent: run.alreadySent,
    quarantined: run.quarantined,
  };
}

export function createStagingActivities(deps: ActivityDeps) {
  const { ledger } = deps;

  /** Stages the extracted pages into the open run, closes its staging and reports the counts. */
  const stageIntoRun = async (
    rt: IntegrationRuntime,
    open: RunRow,
    pages: AsyncIterable<Extracted<Record_>[]>,
    only?: ReadonlySet<string>,
    afterPage?: () => void | Promise<void>,
  ): Promise<StagedRun> => {
    await stageExtracted(ledger, rt, open, pages, only, afterPage, deps.metrics);
    const run = await ledger.finishStaging(open.runKey);
    log.info('Changes staged', { ...stagedSummary(run), kind: run.kind });
    return stagedSummary(run);
  };

  return {
    /** Fetches (or reuses) the OAuth token; returns only its expiry, never the token. */
    async refreshFusionToken(input: { integrationId: string }): Promise<{ expiresAt: string | null }> {
      return typedFailures(async () => {
        const { expiresAt } = await deps.integration(input.integrationId).fusion.auth.warm();
        return { expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString() };
      });
    },

    /** Extracts the window's changes and stages the versions the ledger has not seen. */
    async stageChanges(input: {
      integrationId: string;
      runKey: string;
      windowTo: string;
    }): Promise<StagedRun> {
      return typedFailures(async () => {
        const rt = deps.integration(input.integrationId);
        const run = await ledger.openRun({
          runKey: input.runKey,
          integrationId: input.integrationId,
          entity: rt.config.entity,
          windowTo: input.windowTo,
          initialWatermark: rt.config.fusion.initialWatermark,
          overlapSeconds: rt.config.fusion.overlapSeconds,
        });
        if (run.status !== 'staging') return stagedSummary(run);
        const window = { from: run.windowFrom, to: run.windowTo };
        const pages = readChanges(rt.fusion.client, rt.config.entity, window, rt.read);
        return stageIntoRun(rt, run, pages, undefined, () => deps.failpoint?.('mid-extraction'));
      });
    },

    /**
     * Stages a resend (a forced resync or one backfill window): every current record in the window,
     * or the given records, whether sent before or not. The live watermark does not move.
     */
    async stageResend(input: {
      integrationId: string;
      runKey: string;
      window: { from: string; to: string };
      recordIds?: string[];
      reason: string;
      /** Released quarantined records (`quarantine release`): staged with dedup, delivered once. */
      release?: boolean;
    }): Promise<StagedRun> {
      return typedFailures(async () => {
        const rt = deps.integration(input.integrationId);
        const run = await ledger.openResendRun({
          runKey: input.runKey,
          integrationId: input.integrationId,
          entity: rt.config.entity,
          windowFrom: input.window.from,
          windowTo: input.window.to,
          reason: input.reason,
          ...(input.release ? { release: true } : {}),
        });
        if (run.status !== 'staging') return stagedSummary(run);
        const pages = input.recordIds
          ? readRecordsById(rt.fusion.client, rt.config.entity, input.recordIds, rt.read)
          : readChanges(rt.fusion.client, rt.config.entity, input.window, rt.read);
        return stageIntoRun(rt, run, pages, input.recordIds ? new Set(input.recordIds) : undefined);
      });
    },
  };
}
