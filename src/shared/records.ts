// Typed records as they leave src/fusion and enter src/formats. Amounts are decimal strings
// exactly as Fusion sent them (never JS numbers); timestamps are RFC 3339 UTC (`Z`).

export interface JournalLineRecord {
  /** Stable identity of a journal line: `<JeHeaderId>:<JeLineNumber>` (lines have no ID of their own). */
  recordId: string;
  /** The line's LastUpdateDate: a new value means a new version to deliver. */
  version: string;
  batchId: string;
  batchName: string;
  batchStatus: string | null;
  headerId: string;
  journalName: string;
  journalCategory: string | null;
  ledgerName: string;
  periodName: string;
  /** Accounting date (DefaultEffectiveDate), `yyyy-MM-dd`. */
  accountingDate: string;
  lineNumber: number;
  accountCombination: string;
  enteredDr: string | null;
  enteredCr: string | null;
  accountedDr: string | null;
  accountedCr: string | null;
  currencyCode: string;
  description: string | null;
}

export type JournalLineField = keyof JournalLineRecord;

export const JOURNAL_LINE_FIELDS: readonly JournalLineField[] = [
  'recordId',
  'version',
  'batchId',
  'batchName',
  'batchStatus',
  'headerId',
  'journalName',
  'journalCategory',
  'ledgerName',
  'periodName',
  'accountingDate',
  'lineNumber',
  'accountCombination',
  'enteredDr',
  'enteredCr',
  'accountedDr',
  'accountedCr',
  'currencyCode',
  'description',
];

/** A record that failed validation: named by record and field, kept for the report, never dropped. */
export interface QuarantinedRecord {
  recordId: string;
  version: string;
  field: string;
  reason: string;
}

/** A record that cannot be delivered as is, naming the record and the field. */
export class RecordFieldError extends Error {
  constructor(
    readonly recordId: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`record ${recordId}, field ${field}: ${reason}`);
    this.name = 'RecordFieldError';
  }
}
