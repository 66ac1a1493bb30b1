import { Decimal } from 'decimal.js';
import { type Attribute, BadRequest, money, type Row } from './attributes';
import { mulberry32 } from './random';

// GL journals: journalBatches → journalHeaders → journalLines, with seeded deterministic data
// and the mutations tests need (create a journal, update a line: LastUpdateDate moves).

export const batchAttributes: Attribute[] = [
  { name: 'JeBatchId', type: 'integer' },
  { name: 'BatchName', type: 'string' },
  { name: 'BatchDescription', type: 'string' },
  { name: 'DefaultPeriodName', type: 'string' },
  { name: 'Status', type: 'string' },
  { name: 'StatusMeaning', type: 'string' },
  { name: 'ApprovalStatusMeaning', type: 'string' },
  { name: 'UserJeSourceName', type: 'string' },
  { name: 'ChartOfAccountsName', type: 'string' },
  { name: 'ActualFlagMeaning', type: 'string' },
  { name: 'RunningTotalDr', type: 'number' },
  { name: 'RunningTotalCr', type: 'number' },
  { name: 'RunningTotalAccountedDr', type: 'number' },
  { name: 'RunningTotalAccountedCr', type: 'number' },
  { name: 'PostedDate', type: 'datetime' },
  { name: 'ReversalFlag', type: 'boolean' },
  { name: 'ErrorMessage', type: 'string' },
  { name: 'CreationDate', type: 'datetime' },
  { name: 'LastUpdateDate', type: 'datetime' },
];

export const headerAttributes: Attribute[] = [
  { name: 'JeHeaderId', type: 'integer' },
  { name: 'JournalName', type: 'string' },
  { name: 'JournalDescription', type: 'string' },
  { name: 'LedgerName', type: 'string' },
  { name: 'LedgerCurrencyCode', type: 'string' },
  { name: 'CurrencyCode', type: 'string' },
  { name: 'PeriodName', type: 'string' },
  { name: 'DefaultEffectiveDate', type: 'date' },
  { name: 'UserJeCategoryName', type: 'string' },
  { name: 'UserCurrencyConversionType', type: 'string' },
  { name: 'CurrencyConversionRate', type: 'number' },
  { name: 'LegalEntityName', type: 'string' },
  { name: 'ExternalReference', type: 'string' },
  { name: 'CreationDate', type: 'datetime' },
  { name: 'LastUpdateDate', type: 'datetime' },
];

export const lineAttributes: Attribute[] = [
  { name: 'JeLineNumber', type: 'integer' },
  { name: 'AccountCombination', type: 'string' },
  { name: 'EnteredDr', type: 'number' },
  { name: 'EnteredCr', type: 'number' },
  { name: 'AccountedDr', type: 'number' },
  { name: 'AccountedCr', type: 'number' },
  { name: 'CurrencyCode', type: 'string' },
  { name: 'CurrencyConversionRate', type: 'number' },
  { name: 'Description', type: 'string' },
  { name: 'ChartOfAccountsName', type: 'string' },
  { name: 'StatAmount', type: 'number' },
  { name: 'ReconciliationReference', type: 'string' },
  { name: 'CreationDate', type: 'datetime' },
  { name: 'LastUpdateDate', type: 'datetime' },
];

/** Opaque key as Fusion puts in self links; clients must follow links, never build these. */
export function uniqId(...keys: (string | number)[]): string {
  return `00020000000EACED0005770800${Buffer.from(keys.join('\u0001')).toString('hex').toUpperCase()}`;
}

export function decodeUniqId(token: string): string[] {
  const m = /^00020000000EACED0005770800([0-9A-F]+)$/.exec(token);
  if (!m) throw new BadRequest(`Invalid resource key ${token}`);
  return Buffer.from(m[1]!, 'hex').toString().split('\u0001');
}

export interface NewJournalLine {
  accountCombination: string;
  enteredDr?: string | null;
  enteredCr?: string | null;
  description?: string | null;
}

export interface NewJournal {
  batchName: string;
  headers: {
    journalName: string;
    ledgerName?: string;
    periodName: string;
    accountingDate: string;
    currencyCode?: string;
    category?: string;
    lines: NewJournalLine[];
  }[];
}

export interface JournalLinePatch {
  AccountCombination?: string;
  EnteredDr?: string | null;
  EnteredCr?: string | null;
  Description?: string | null;
}

export interface JournalHeaderPatch {
  JournalName?: string;
  JournalDescription?: string | null;
  PeriodName?: string;
  DefaultEffectiveDate?: string;
  UserJeCategoryName?: string;
  LedgerCurrencyCode?: string;
}
const HEADER_PATCH_FIELDS = [
  'JournalName',
  'JournalDescription',
  'PeriodName',
  'DefaultEffectiveDate',
  'UserJeCategoryName',
  'LedgerCurrencyCode',
] as const;

export interface JournalBatchPatch {
  BatchName?: string;
  BatchDescription?: string | null;
  Status?: string;
}
const BATCH_PATCH_FIELDS = ['BatchName', 'BatchDescription', 'Status'] as const;

const LEDGERS = [
  { name: 'US Primary Ledger', currency: 'USD' },
  { name: 'UK Primary Ledger', currency: 'GBP' },
  { name: 'JP Primary Ledger', currency: 'JPY' },
];
const CATEGORIES = ['Accrual', 'Adjustment', 'Payroll', 'Revaluation'];
const SOURCES = ['Spreadsheet', 'Manual', 'Payables', 'Receivables'];
const ACCOUNTS = ['60010', '60020', '61000', '21500', '11000', '40000'];
const COST_CENTRES = ['10', '20', '30', '40', '00'];
const DESCRIPTIONS = [
  'Salaries accrual',
  'Accrued payroll',
  'Rent, March',
  'Consulting "phase 2"',
  'Freight\nsurcharge',
  'Überweisung Gebühr',
  'Software licences',
  null,
];

export interface JournalSeed {
  seed: number;
  batches: number;
  /** Seeded rows are dated from here on, an hour apart per batch. */
  baseTime: number;
}

export const DEFAULT_SEED: JournalSeed = {
  seed: 20241,
  batches: 12,
  baseTime: Date.parse('2026-10-01T08:00:00Z'),
};

export interface JournalStoreOptions {
  now?: () => number;
  /** When true (the usual Fusion behaviour assumed here), a line change bumps its header and batch. */
  childChangeBumpsParents?: boolean;
  /**
   * Called when updateLine() meets a header it does not hold: the generator copies that journal
   * in (its overlay) and answers true, so generated lines can be changed like stored ones.
   */
  materializeHeader?: (headerId: number) => boolean;
}

export class JournalStore {
  readonly batches: Row[] = [];
  readonly headers: Row[] = [];
  readonly lines: Row[] = [];
  private nextBatchId = 300000104400000;
  private nextHeaderId = 300000104500000;
  private readonly now: () => number;
  /** Switchable at run time (POST /__sim/faults {"childChangeBumpsParents": false}). */
  childChangeBumpsParents: boolean;
  private readonly materializeHeader: (headerId: number) => boolean;

  constructor(seed: JournalSeed = DEFAULT_SEED, options: JournalStoreOptions = {}) {
    // The clock gives stamps in the pod's stored unit (see StampPrecision); filters compare them.
    this.now = options.now ?? Date.now;
    this.childChangeBumpsParents = options.childChangeBumpsParents ?? true;
    this.materializeHeader = options.materializeHeader ?? (() => false);
    this.seed(seed);
  }

  private seed({ seed, batches, baseTime }: JournalSeed): void {
    const rnd = mulberry32(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
    for (let b = 0; b < batches; b++) {
      const at = baseTime + b * 3_600_000;
      const day = new Date(at).toISOString().slice(0, 10);
      const ledger = LEDGERS[b % LEDGERS.length]!;
      const headers = 1 + Math.floor(rnd() * 3);
      this.insertJournal(
        {
          batchName: `${pick(CATEGORIES)} ${day} ${1000 + b}`,
          headers: Array.from({ length: headers }, (_, h) => {
            const lineCount = 2 + Math.floor(rnd() * 5);
            // Balanced journal: n-1 debits and one credit for their sum.
            const debits = Array.from({ length: lineCount - 1 }, () => {
              const cents =
                BigInt(Math.floor(rnd() * 5_000_000) + 1) * (ledger.currency === 'JPY' ? 100n : 1n);
              return new Decimal(cents.toString()).div(100);
            });
            if (b === 3 && h === 0) debits[0] = new Decimal('98765432109876.54'); // beyond float-safe cents
            const total = debits.reduce((s, d) => s.plus(d), new Decimal(0));
            return {
              journalName: `${pick(CATEGORIES)} ${day} J${h + 1}`,
              ledgerName: ledger.name,
              currencyCode: ledger.currency,
              periodName: 'Oct-26',
              accountingDate: day,
              category: pick(CATEGORIES),
              lines: [
                ...debits.map((d) => ({
                  accountCombination: `101-${pick(COST_CENTRES)}-${pick(ACCOUNTS)}-000`,
                  enteredDr: d.toFixed(2),
                  enteredCr: null,
                  description: pick(DESCRIPTIONS),
                })),
                {
                  accountCombination: `101-00-21500-000`,
                  enteredDr: null,
                  enteredCr: total.toFixed(2),
                  description: 'Offset',
                },
              ],
            };
          }),
        },
        at,
        pick(SOURCES),
      );
    }
  }

  createJournal(input: NewJournal): { JeBatchId: number; JeHeaderIds: number[] } {
    return this.insertJournal(input, this.now(), 'Spreadsheet');
  }

  /**
   * A bulk import (FBDI, a subledger transfer): `count` copies of a journal created in one
   * transaction, so every batch, header and line shares one LastUpdateDate.
   */
  importJournals(input: NewJournal, count: number): { JeBatchIds: number[]; LastUpdateDate: number } {
    if (!Number.isSafeInteger(count) || count < 1 || count > 100_000) {
      throw new BadRequest('A bulk import needs a count from 1 to 100000');
    }
    const at = this.now();
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      ids.push(
        this.insertJournal({ ...input, batchName: `${input.batchName} ${i + 1}` }, at, 'Payables').JeBatchId,
      );
    }
    return { JeBatchIds: ids, LastUpdateDate: at };
  }

  /**
   * A change to a journal header (description, period, accounting date, …) that touches no line:
   * the header's LastUpdateDate moves (and the batch's unless in no-bump mode), the lines' do not.
   */
  updateHeader(headerId: number, patch: JournalHeaderPatch): Row {
    if (!this.headers.some((h) => h.JeHeaderId === headerId)) this.materializeHeader(headerId);
    const header = this.headers.find((h) => h.JeHeaderId === headerId);
    if (!header) throw new BadRequest(`No journal header ${headerId}`, 'SIM-404');
    const at = this.now();
    for (const field of HEADER_PATCH_FIELDS) {
      if (patch[field] !== undefined) header[field] = patch[field];
    }
    header.LastUpdateDate = at;
    if (this.childChangeBumpsParents)
      this.batches.find((b) => b.JeBatchId === header._JeBatchId)!.LastUpdateDate = at;
    return header;
  }

  /** A change to a stored batch's own fields (name, status, …): only its LastUpdateDate moves. */
  updateBatch(batchId: number, patch: JournalBatchPatch): Row {
    const batch = this.findBatch(batchId);
    if (!batch) throw new BadRequest(`No journal batch ${batchId}`, 'SIM-404');
    for (const field of BATCH_PATCH_FIELDS) {
      if (patch[field] !== undefined) batch[field] = patch[field];
    }
    batch.LastUpdateDate = this.now();
    return batch;
  }

  private insertJournal(
    input: NewJournal,
    at: number,
    source: string,
  ): { JeBatchId: number; JeHeaderIds: number[] } {
    if (!input.batchName || !Array.isArray(input.headers) || input.headers.length === 0) {
      throw new BadRequest('A journal needs batchName and at least one header');
    }
    const batchId = this.nextBatchId++;
    const headerIds: number[] = [];
    let totalDr = new Decimal(0);
    let totalCr = new Decimal(0);
    for (const h of input.headers) {
      const headerId = this.nextHeaderId++;
      headerIds.push(headerId);
      const currency = h.currencyCode ?? 'USD';
      this.headers.push({
        _JeBatchId: batchId,
        JeHeaderId: headerId,
        JournalName: h.journalName,
        JournalDescription: null,
        LedgerName: h.ledgerName ?? 'US Primary Ledger',
        LedgerCurrencyCode: currency,
        CurrencyCode: currency,
        PeriodName: h.periodName,
        DefaultEffectiveDate: h.accountingDate,
        UserJeCategoryName: h.category ?? 'Adjustment',
        UserCurrencyConversionType: null,
        CurrencyConversionRate: null,
        LegalEntityName: 'US1 Legal Entity',
        ExternalReference: null,
        CreationDate: at,
        LastUpdateDate: at,
      });
      h.lines.forEach((l, i) => {
        const dr = l.enteredDr ? money(l.enteredDr) : null;
        const cr = l.enteredCr ? money(l.enteredCr) : null;
        if (dr) totalDr = totalDr.plus(dr.toString());
        if (cr) totalCr = totalCr.plus(cr.toString());
        this.lines.push({
          _JeHeaderId: headerId,
          JeLineNumber: i + 1,
          AccountCombination: l.accountCombination,
          EnteredDr: dr,
          EnteredCr: cr,
          AccountedDr: dr,
          AccountedCr: cr,
          CurrencyCode: currency,
          CurrencyConversionRate: null,
          Description: l.description ?? null,
          ChartOfAccountsName: 'US Chart of Accounts',
          StatAmount: null,
          ReconciliationReference: null,
          CreationDate: at,
          LastUpdateDate: at,
        });
      });
    }
    this.batches.push({
      JeBatchId: batchId,
      BatchName: input.batchName,
      BatchDescription: null,
      DefaultPeriodName: input.headers[0]!.periodName,
      Status: 'P',
      StatusMeaning: 'Posted',
      ApprovalStatusMeaning: 'Not required',
      UserJeSourceName: source,
      ChartOfAccountsName: 'US Chart of Accounts',
      ActualFlagMeaning: 'Actual',
      RunningTotalDr: money(totalDr.toFixed(2)),
      RunningTotalCr: money(totalCr.toFixed(2)),
      RunningTotalAccountedDr: money(totalDr.toFixed(2)),
      RunningTotalAccountedCr: money(totalCr.toFixed(2)),
      PostedDate: at,
      ReversalFlag: false,
      ErrorMessage: null,
      CreationDate: at,
      LastUpdateDate: at,
    });
    return { JeBatchId: batchId, JeHeaderIds: headerIds };
  }

  /** Adds a journal built elsewhere (a generated one being changed); rows keep their ids. */
  adopt(batch: Row, headers: Row[], lines: Row[]): void {
    this.batches.push(batch);
    this.headers.push(...headers);
    this.lines.push(...lines);
  }

  updateLine(headerId: number, lineNumber: number, patch: JournalLinePatch): Row {
    const findLine = () =>
      this.lines.find((l) => l._JeHeaderId === headerId && l.JeLineNumber === lineNumber);
    if (!findLine() && !this.headers.some((h) => h.JeHeaderId === headerId)) this.materializeHeader(headerId);
    const line = findLine();
    if (!line) throw new BadRequest(`No journal line ${headerId}:${lineNumber}`, 'SIM-404');
    const at = this.now();
    if (patch.AccountCombination !== undefined) line.AccountCombination = patch.AccountCombination;
    if (patch.Description !== undefined) line.Description = patch.Description;
    if (patch.EnteredDr !== undefined) {
      line.EnteredDr = patch.EnteredDr === null ? null : money(patch.EnteredDr);
      line.AccountedDr = line.EnteredDr;
    }
    if (patch.EnteredCr !== undefined) {
      line.EnteredCr = patch.EnteredCr === null ? null : money(patch.EnteredCr);
      line.AccountedCr = line.EnteredCr;
    }
    line.LastUpdateDate = at;
    if (this.childChangeBumpsParents) {
      const header = this.headers.find((h) => h.JeHeaderId === headerId)!;
      header.LastUpdateDate = at;
      const batch = this.batches.find((b) => b.JeBatchId === header._JeBatchId)!;
      batch.LastUpdateDate = at;
    }
    return line;
  }

  headersOf(batchId: number): Row[] {
    return this.headers.filter((h) => h._JeBatchId === batchId);
  }

  linesOf(headerId: number): Row[] {
    return this.lines.filter((l) => l._JeHeaderId === headerId);
  }

  findBatch(batchId: number): Row | undefined {
    return this.batches.find((b) => b.JeBatchId === batchId);
  }

  findHeader(batchId: number, headerId: number): Row | undefined {
    return this.headers.find((h) => h._JeBatchId === batchId && h.JeHeaderId === headerId);
  }
}
