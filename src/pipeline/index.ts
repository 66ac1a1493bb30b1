import { holdUnbalancedJournals } from '../formats/balance';
import { type FileRenderer, renderPage } from '../formats/fileRenderer';
import { assertValidFile } from '../formats/validate/result';
import type { Extracted } from '../fusion';
import {
  type EntityName,
  type EntityRecordMap,
  type JournalLineRecord,
  RecordFieldError,
} from '../shared/records';

// What goes into a file, said once and pure: which extracted records are good and which are held,
// which version of a record wins, and the render loop with its check. Staging, rendering and
// preview all run through here, so a preview is the next file by construction.

export type AnyRecord = EntityRecordMap[EntityName];
export type Failed = Extract<Extracted<AnyRecord>, { ok: false }>;

export interface PageRules {
  entity: EntityName;
  allowUnbalancedJournals: boolean;
  /** Only these records are kept or quarantined (a resync by record ID); checks see them all. */
  only?: ReadonlySet<string>;
}

/**
 * One page of extraction → the records to stage and those to quarantine. A journal goes out whole
 * and balanced, or not at all (all its lines come in one page): the lines of an unbalanced
 * journal are held with their journal's report.
 */
export function classifyPage(
  page: Extracted<AnyRecord>[],
  rules: PageRules,
): { good: AnyRecord[]; bad: Failed[] } {
  let good = page.flatMap((x) => (x.ok ? [x.record] : []));
  let bad = page.flatMap((x) => (x.ok ? [] : [x]));
  if (rules.entity === 'journalLines' && !rules.allowUnbalancedJournals) {
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
    good = balanced;
  }
  const { only } = rules;
  if (only) {
    good = good.filter((r) => only.has(r.recordId));
    bad = bad.filter((b) => only.has(b.recordId));
  }
  return { good, bad };
}

export interface RenderOutput {
  /** A piece of the file's text, in order. */
  emit(text: string): Promise<void>;
  /** A record that cannot be written in this format: quarantined, the rest goes on. */
  reject(seq: number, record: AnyRecord, error: RecordFieldError): Promise<void>;
  /**
   * After each page, its records written or rejected: the records written so far and the page's
   * sequence numbers (heartbeats, progress, the rows the file carries). A promise is waited for.
   */
  page?(written: number, seqs: { first: number; last: number }): void | Promise<void>;
}

/**
 * The render loop for every format: begin → record × n → end, a record that cannot be written is
 * rejected, and the whole text is re-parsed by the format's independent check before it counts
 * (a failing file throws FileValidationError). Returns the records written.
 */
export async function renderRecords(
  renderer: FileRenderer<AnyRecord>,
  format: Parameters<typeof assertValidFile>[0],
  pages: AsyncIterable<{ seq: number; record: AnyRecord }[]>,
  out: RenderOutput,
): Promise<number> {
  const emit = async (text: string) => {
    if (!text) return;
    const checking = renderer.check.push(text);
    if (checking) await checking;
    await out.emit(text);
  };
  let checked = false;
  try {
    await emit(renderer.begin());
    for await (const page of pages) {
      // A page's text goes on as one piece: one check push and one archive write a page, not a
      // record (the per-record hand-offs were about a tenth of the render).
      const { text, rejected } = renderPage(
        renderer,
        page.map((p) => p.record),
      );
      for (const { index, error } of rejected) await out.reject(page[index]!.seq, page[index]!.record, error);
      await emit(text);
      const after = page.length
        ? out.page?.(renderer.written(), { first: page[0]!.seq, last: page.at(-1)!.seq })
        : undefined;
      if (after) await after;
    }
    const written = renderer.written();
    if (written > 0) {
      await emit(renderer.end());
      checked = true;
      assertValidFile(format, await renderer.check.result());
    }
    return written;
  } finally {
    if (!checked) renderer.check.abandon?.();
  }
}

/** The format's own extension: what the text is (and what a zip's entry is named with). */
export function formatExtension(format: 'csv' | 'fixedWidth' | 'x12'): string {
  return format === 'csv' ? 'csv' : format === 'x12' ? 'x12' : 'txt';
}

/**
 * The delivered file's extension: the format's, then compression (`.gz`, or `zip`), then `.asc` /
 * `.pgp` when it is encrypted — in the order they are applied.
 */
export function fileExtension(
  format: 'csv' | 'fixedWidth' | 'x12',
  pgp?: { armor: boolean },
  compress?: 'gzip' | 'zip',
): string {
  const base =
    compress === 'gzip'
      ? `${formatExtension(format)}.gz`
      : compress === 'zip'
        ? 'zip'
        : formatExtension(format);
  return pgp ? `${base}.${pgp.armor ? 'asc' : 'pgp'}` : base;
}
