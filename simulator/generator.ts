import { LosslessNumber } from 'lossless-json';
import { BadRequest, comparable, fusionTimestamp, type Row, type StampUnits } from './attributes';
import { sorter } from './collection';
import type { JournalStore } from './journals';
import { batchAttributes } from './journals';
import { tokenize } from './q';
import type { PageQuery, SortKey } from './resource';

// A deterministic journal data set of any size (1,000,000 lines and more) that is never held in
// memory: batch b, header h and line l are computed from their index, LastUpdateDate grows with
// the batch index, and a LastUpdateDate window with orderBy LastUpdateDate,JeBatchId is answered
// by index arithmetic. A generated journal that a test changes is copied into the JournalStore
// (the overlay) and from then on served from there, merged into the generated sequence.

export interface GeneratedJournalsOptions {
  /** Lines in all. */
  journalLines: number;
  /** Default 10. */
  linesPerHeader?: number;
  /** Default 2. */
  headersPerBatch?: number;
  /** LastUpdateDate of the first batch (epoch ms); default the seed's base time. */
  from?: number;
  /** Time between consecutive LastUpdateDate values; default 1000 ms. */
  stepMs?: number;
  /** Batches sharing one LastUpdateDate, so the JeBatchId tiebreak matters; default 2. */
  batchesPerTimestamp?: number;
}

export const GENERATED_BATCH_ID_BASE = 300000200000000;
export const GENERATED_HEADER_ID_BASE = 300000300000000;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ACCOUNTS = ['60010', '60020', '61000', '62000', '11000', '40000', '70500'];
const CATEGORIES = ['Accrual', 'Adjustment', 'Payroll', 'Revaluation'];
/** Attributes whose values never decrease with the batch index: orderBy on them is index order. */
const MONOTONE = new Set(['LastUpdateDate', 'JeBatchId', 'CreationDate', 'PostedDate']);

/** Cents as an exact JSON decimal, by integer arithmetic (never a float). */
function centsAmount(cents: number): LosslessNumber {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return new LosslessNumber(`${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`);
}

/** A reproducible debit of 0.01 … 50,000.00 for line index l. */
function debitCents(l: number): number {
  return ((Math.imul(l + 1, 2654435761) >>> 0) % 5_000_000) + 1;
}

export class JournalGenerator {
  readonly lineCount: number;
  readonly headerCount: number;
  readonly batchCount: number;
  readonly linesPerHeader: number;
  readonly headersPerBatch: number;
  readonly from: number;
  readonly stepMs: number;
  readonly batchesPerTimestamp: number;
  /** Batch indexes copied into the store; the generated sequence skips them. */
  private readonly moved = new Set<number>();
  private movedSorted: number[] = [];

  constructor(
    options: GeneratedJournalsOptions,
    defaultFrom: number,
    private readonly store: JournalStore,
    private readonly stamps: StampUnits = { storedMs: 1, servedMs: 1 },
  ) {
    this.lineCount = options.journalLines;
    this.linesPerHeader = options.linesPerHeader ?? 10;
    this.headersPerBatch = options.headersPerBatch ?? 2;
    this.from = Math.floor((options.from ?? defaultFrom) / stamps.storedMs) * stamps.storedMs;
    this.stepMs = options.stepMs ?? 1000;
    this.batchesPerTimestamp = options.batchesPerTimestamp ?? 2;
    if (!(this.lineCount >= 0 && this.linesPerHeader >= 1 && this.headersPerBatch >= 1))
      throw new Error('generated: journalLines >= 0, linesPerHeader >= 1, headersPerBatch >= 1');
    this.headerCount = Math.ceil(this.lineCount / this.linesPerHeader);
    this.batchCount = Math.ceil(this.headerCount / this.headersPerBatch);
  }

  // --- rows by index -------------------------------------------------------------------------

  timestampAt(b: number): number {
    return this.from + Math.floor(b / this.batchesPerTimestamp) * this.stepMs;
  }

  /** The first generated batch whose LastUpdateDate is at or after t (batchCount if none). */
  firstBatchAtOrAfter(t: number): number {
    if (t <= this.from) return 0;
    const group = Math.ceil((t - this.from) / this.stepMs);
    return Math.min(group * this.batchesPerTimestamp, this.batchCount);
  }

  batchIndexOf(batchId: number): number | undefined {
    const b = batchId - GENERATED_BATCH_ID_BASE;
    return Number.isInteger(b) && b >= 0 && b < this.batchCount ? b : undefined;
  }

  headerIndexOf(headerId: number): number | undefined {
    const h = headerId - GENERATED_HEADER_ID_BASE;
    return Number.isInteger(h) && h >= 0 && h < this.headerCount ? h : undefined;
  }

  isServed(b: number): boolean {
    return !this.moved.has(b);
  }

  private headerRange(b: number): [number, number] {
    const first = b * this.headersPerBatch;
    return [first, Math.min(first + this.headersPerBatch, this.headerCount)];
  }

  private lineRange(h: number): [number, number] {
    const first = h * this.linesPerHeader;
    return [first, Math.min(first + this.linesPerHeader, this.lineCount)];
  }

  /** Debit total of a header: its lines but the last are debits, the last credits their sum. */
  private headerDebitCents(h: number): number {
    const [first, end] = this.lineRange(h);
    let sum = 0;
    for (let l = first; l < end - 1; l++) sum += debitCents(l);
    return end - first === 1 ? debitCents(first) : sum;
  }

  batchRow(b: number): Row {
    const at = this.timestampAt(b);
    const [h0, h1] = this.headerRange(b);
    let cents = 0;
    for (let h = h0; h < h1; h++) cents += this.headerDebitCents(h);
    const total = centsAmount(cents);
    const day = new Date(at);
    return {
      _generatedIndex: b,
      JeBatchId: GENERATED_BATCH_ID_BASE + b,
      BatchName: `Generated batch ${b}`,
      BatchDescription: null,
      DefaultPeriodName: `${MONTHS[day.getUTCMonth()]}-${String(day.getUTCFullYear()).slice(2)}`,
      Status: 'P',
      StatusMeaning: 'Posted',
      ApprovalStatusMeaning: 'Not required',
      UserJeSourceName: 'Spreadsheet',
      ChartOfAccountsName: 'US Chart of Accounts',
      ActualFlagMeaning: 'Actual',
      RunningTotalDr: total,
      RunningTotalCr: total,
      RunningTotalAccountedDr: total,
      RunningTotalAccountedCr: total,
      PostedDate: at,
      ReversalFlag: false,
      ErrorMessage: null,
      CreationDate: at - 600_000,
      LastUpdateDate: at,
    };
  }

  headerRows(b: number): Row[] {
    const [h0, h1] = this.headerRange(b);
    const at = this.timestampAt(b);
    const day = new Date(at);
    const rows: Row[] = [];
    for (let h = h0; h < h1; h++) {
      rows.push({
        _generatedIndex: h,
        _JeBatchId: GENERATED_BATCH_ID_BASE + b,
        JeHeaderId: GENERATED_HEADER_ID_BASE + h,
        JournalName: `Generated journal ${h}`,
        JournalDescription: null,
        LedgerName: 'US Primary Ledger',
        LedgerCurrencyCode: 'USD',
        CurrencyCode: 'USD',
        PeriodName: `${MONTHS[day.getUTCMonth()]}-${String(day.getUTCFullYear()).slice(2)}`,
        DefaultEffectiveDate: day.toISOString().slice(0, 10),
        UserJeCategoryName: CATEGORIES[h % CATEGORIES.length],
        UserCurrencyConversionType: null,
        CurrencyConversionRate: null,
        LegalEntityName: 'US1 Legal Entity',
        ExternalReference: null,
        CreationDate: at - 600_000,
        LastUpdateDate: at,
      });
    }
    return rows;
  }

  lineRows(h: number): Row[] {
    const [first, end] = this.lineRange(h);
    const at = this.timestampAt(Math.floor(h / this.headersPerBatch));
    const rows: Row[] = [];
    for (let l = first; l < end; l++) {
      const credit = l === end - 1 && end - first > 1;
      const amount = centsAmount(credit ? this.headerDebitCents(h) : debitCents(l));
      rows.push({
        _generatedIndex: l,
        _JeHeaderId: GENERATED_HEADER_ID_BASE + h,
        JeLineNumber: l - first + 1,
        AccountCombination: credit ? '101-00-21500-000' : `101-10-${ACCOUNTS[l % ACCOUNTS.length]}-000`,
        EnteredDr: credit ? null : amount,
        EnteredCr: credit ? amount : null,
        AccountedDr: credit ? null : amount,
        AccountedCr: credit ? amount : null,
        CurrencyCode: 'USD',
        CurrencyConversionRate: null,
        Description: credit ? 'Offset' : `Generated line ${l}`,
        ChartOfAccountsName: 'US Chart of Accounts',
        StatAmount: null,
        ReconciliationReference: null,
        CreationDate: at - 600_000,
        LastUpdateDate: at,
      });
    }
    return rows;
  }

  /** Line l as first generated, with its batch and header ids: the expected value for tests. */
  lineAt(l: number): Row {
    const h = Math.floor(l / this.linesPerHeader);
    const b = Math.floor(h / this.headersPerBatch);
    const line = this.lineRows(h)[l - h * this.linesPerHeader]!;
    return {
      JeBatchId: GENERATED_BATCH_ID_BASE + b,
      JeHeaderId: GENERATED_HEADER_ID_BASE + h,
      JeLineNumber: line.JeLineNumber,
      EnteredDr: line.EnteredDr === null ? null : String(line.EnteredDr),
      EnteredCr: line.EnteredCr === null ? null : String(line.EnteredCr),
      LastUpdateDate: fusionTimestamp(line.LastUpdateDate as number, this.stamps.servedMs),
    };
  }

  // --- overlay ---------------------------------------------------------------------------------

  /** Copies generated batch b into the store (to change it there); false if already copied. */
  materialize(b: number): boolean {
    if (this.moved.has(b) || b < 0 || b >= this.batchCount) return false;
    const strip = (row: Row): Row => {
      const { _generatedIndex: _, ...rest } = row;
      return rest;
    };
    const headers = this.headerRows(b);
    const lines = headers.flatMap((h) => this.lineRows(h._generatedIndex as number));
    this.store.adopt(strip(this.batchRow(b)), headers.map(strip), lines.map(strip));
    this.moved.add(b);
    this.movedSorted = [...this.moved].sort((x, y) => x - y);
    return true;
  }

  materializeHeader(headerId: number): boolean {
    const h = this.headerIndexOf(headerId);
    return h !== undefined && this.materialize(Math.floor(h / this.headersPerBatch));
  }

  // --- paging ---------------------------------------------------------------------------------

  /** Generated batches in [lo, hi) that q selects exactly, or null when q is not a plain window. */
  private windowOf(query: PageQuery): [number, number] | null {
    if (query.finder) return null;
    if (!query.q) return [0, this.batchCount];
    if (query.frameworkVersion < 2) return null;
    const tokens = tokenize(query.q);
    let minGroup = 0;
    let endGroup = Math.ceil(this.batchCount / this.batchesPerTimestamp);
    const offsetOf = (literal: string) => (comparable('datetime', literal) as number) - this.from;
    const after = (x: number, inclusive: boolean) => {
      const k = x < 0 ? 0 : inclusive ? Math.ceil(x / this.stepMs) : Math.floor(x / this.stepMs) + 1;
      minGroup = Math.max(minGroup, k);
    };
    const before = (x: number, inclusive: boolean) => {
      const k = x < 0 ? 0 : inclusive ? Math.floor(x / this.stepMs) + 1 : Math.ceil(x / this.stepMs);
      endGroup = Math.min(endGroup, k);
    };
    let i = 0;
    for (;;) {
      const [name, op, value] = [tokens[i], tokens[i + 1], tokens[i + 2]];
      if (name?.kind !== 'ident' || name.text !== 'LastUpdateDate') return null;
      if (op?.kind === 'ident' && op.text.toLowerCase() === 'between') {
        const [low, and, high] = [tokens[i + 2], tokens[i + 3], tokens[i + 4]];
        if (low?.kind !== 'string' || and?.text.toLowerCase() !== 'and' || high?.kind !== 'string')
          return null;
        after(offsetOf(low.text), true);
        before(offsetOf(high.text), true);
        i += 5;
      } else {
        if (op?.kind !== 'op' || value?.kind !== 'string') return null;
        const x = offsetOf(value.text);
        if (op.text === '>') after(x, false);
        else if (op.text === '>=') after(x, true);
        else if (op.text === '<') before(x, false);
        else if (op.text === '<=') before(x, true);
        else if (op.text === '=') {
          after(x, true);
          before(x, true);
        } else return null;
        i += 3;
      }
      if (i === tokens.length) break;
      if (tokens[i]?.kind !== 'ident' || tokens[i]!.text.toLowerCase() !== 'and') return null;
      i++;
    }
    const lo = Math.min(minGroup * this.batchesPerTimestamp, this.batchCount);
    const hi = Math.min(endGroup * this.batchesPerTimestamp, this.batchCount);
    return [lo, Math.max(lo, hi)];
  }

  /** Sort keys of the merged sequence; only orders that follow the batch index are supported. */
  private orderOf(orderBy: SortKey[] | null): { keys: SortKey[]; sign: 1 | -1 } {
    const keys = orderBy ?? [{ attr: batchAttributes.find((a) => a.name === 'LastUpdateDate')!, sign: 1 }];
    const sign = keys[0]!.sign;
    if (keys.some((k) => !MONOTONE.has(k.attr.name) || k.sign !== sign)) {
      throw new BadRequest(
        'The simulator generates journals in LastUpdateDate order: orderBy may use LastUpdateDate, ' +
          'JeBatchId, CreationDate or PostedDate, all in one direction',
      );
    }
    const tiebreak: SortKey = { attr: batchAttributes.find((a) => a.name === 'JeBatchId')!, sign };
    return { keys: [...keys, tiebreak], sign };
  }

  /**
   * One page of journalBatches: generated batches (minus copied ones) merged with the store's
   * batches (created or copied), filtered by q, in LastUpdateDate/JeBatchId order.
   */
  page(query: PageQuery): { rows: Row[]; total: number } {
    const { keys, sign } = this.orderOf(query.orderBy);
    const compare = sorter(keys);
    const stored = this.store.batches.filter(query.predicate).sort(compare);
    const window = this.windowOf(query);
    if (!window) return this.scanPage(query, stored, compare, sign);

    const [lo, hi] = window;
    const movedIn = this.movedSorted.filter((m) => m >= lo && m < hi);
    const size = hi - lo - movedIn.length;
    // Index of the rank-th generated batch of the window in sort order, skipping copied ones.
    const indexAt = (rank: number): number => {
      if (sign === 1) {
        let idx = lo + rank;
        for (const m of movedIn) if (m <= idx) idx++;
        return idx;
      }
      let idx = hi - 1 - rank;
      for (let k = movedIn.length - 1; k >= 0; k--) if (movedIn[k]! >= idx) idx--;
      return idx;
    };
    const light = (b: number): Row => ({
      LastUpdateDate: this.timestampAt(b),
      JeBatchId: GENERATED_BATCH_ID_BASE + b,
      CreationDate: this.timestampAt(b) - 600_000,
      PostedDate: this.timestampAt(b),
    });
    // Merged position of each stored row = its rank + generated rows sorting before it.
    const positions = stored.map((row, j) => {
      let low = 0;
      let high = size;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (compare(light(indexAt(mid)), row) < 0) low = mid + 1;
        else high = mid;
      }
      return j + low;
    });
    const total = size + stored.length;
    const rows: Row[] = [];
    let j = positions.filter((p) => p < query.offset).length;
    for (let x = query.offset; x < Math.min(total, query.offset + query.limit); x++) {
      if (j < stored.length && positions[j] === x) rows.push(stored[j++]!);
      else rows.push(this.batchRow(indexAt(x - j)));
    }
    return { rows, total };
  }

  /** Any other q: every generated batch is built, tested and dropped (memory stays flat). */
  private scanPage(
    query: PageQuery,
    stored: Row[],
    compare: (a: Row, b: Row) => number,
    sign: 1 | -1,
  ): { rows: Row[]; total: number } {
    const rows: Row[] = [];
    let total = 0;
    let j = 0;
    const take = (row: Row) => {
      if (total >= query.offset && total < query.offset + query.limit) rows.push(row);
      total++;
    };
    // Without totalResults, one row past the page is enough to answer hasMore.
    const enough = () => !query.countAll && total > query.offset + query.limit;
    // Batches before the q's LastUpdateDate floor cannot match (a keyset cursor's q has one):
    // ascending scans start there, descending ones stop there.
    const first = query.lastUpdateFloor === null ? 0 : this.firstBatchAtOrAfter(query.lastUpdateFloor);
    const [start, end] = sign === 1 ? [first, this.batchCount] : [0, this.batchCount - first];
    for (let k = start; k < end && !enough(); k++) {
      const b = sign === 1 ? k : this.batchCount - 1 - k;
      if (this.moved.has(b)) continue;
      const row = this.batchRow(b);
      if (!query.predicate(row)) continue;
      while (j < stored.length && compare(stored[j]!, row) < 0) take(stored[j++]!);
      take(row);
    }
    while (j < stored.length && !enough()) take(stored[j++]!);
    return { rows, total };
  }
}
