import type { JournalLineRecord } from '../../shared/records';
import type { Raw } from '../documents';
import { FieldReader } from '../fields';
import { label, mapOne, versionOf } from './map';
import type { EntityReader } from './types';

// GL journal lines: each line of each header of a changed batch is one record, identified by
// `<JeHeaderId>:<JeLineNumber>` (lines have no ID of their own) and versioned by its own
// LastUpdateDate. Header and batch fields are copied onto the line.

export function lineRecordId(header: Raw, line: Raw): string {
  return `${label(header.JeHeaderId)}:${label(line.JeLineNumber)}`;
}

const rowsOf = (v: unknown): Raw[] =>
  Array.isArray(v) ? v.filter((r): r is Raw => r !== null && typeof r === 'object' && !Array.isArray(r)) : [];

/** Every line of a batch that can be named, with its record ID (for a batch quarantined whole). */
export function journalLineIds(batch: Raw): { recordId: string; line: Raw }[] {
  return rowsOf(batch.journalHeaders).flatMap((header) =>
    rowsOf(header.journalLines)
      .map((line) => ({ recordId: lineRecordId(header, line), line }))
      .filter(({ recordId }) => !recordId.includes('?')),
  );
}

/** Pure: one Fusion batch/header/line triple → a validated JournalLineRecord. */
export function toJournalLineRecord(batch: Raw, header: Raw, line: Raw): JournalLineRecord {
  const r = new FieldReader(lineRecordId(header, line));
  const lineNumber = r.integer(line, 'JeLineNumber');
  if (lineNumber < 1) r.fail('JeLineNumber', 'is not a positive integer');
  const enteredDr = r.amount(line, 'EnteredDr');
  const enteredCr = r.amount(line, 'EnteredCr');
  if (enteredDr === null && enteredCr === null) r.fail('EnteredDr', 'both EnteredDr and EnteredCr are empty');
  return {
    recordId: r.recordId,
    version: r.instant(line, 'LastUpdateDate'),
    batchId: r.id(batch, 'JeBatchId'),
    batchName: r.required(batch, 'BatchName'),
    batchStatus: r.text(batch, 'Status'),
    headerId: r.id(header, 'JeHeaderId'),
    journalName: r.required(header, 'JournalName'),
    journalCategory: r.text(header, 'UserJeCategoryName'),
    ledgerName: r.required(header, 'LedgerName'),
    periodName: r.required(header, 'PeriodName'),
    accountingDate: r.requiredDate(header, 'DefaultEffectiveDate'),
    lineNumber,
    accountCombination: r.required(line, 'AccountCombination'),
    enteredDr,
    enteredCr,
    accountedDr: r.amount(line, 'AccountedDr'),
    accountedCr: r.amount(line, 'AccountedCr'),
    currencyCode: r.currency(line, 'CurrencyCode'),
    ledgerCurrencyCode: r.optionalCurrency(header, 'LedgerCurrencyCode'),
    description: r.text(line, 'Description'),
  };
}

export const journalLinesReader: EntityReader<'journalLines'> = {
  entity: 'journalLines',
  spec: {
    resource: 'journalBatches',
    key: 'JeBatchId',
    children: [{ name: 'journalHeaders', children: [{ name: 'journalLines' }] }],
  },
  toRecords(batch) {
    const headers = (batch.journalHeaders ?? []) as Raw[];
    return headers.flatMap((header) =>
      ((header.journalLines ?? []) as Raw[]).map((line) =>
        mapOne(lineRecordId(header, line), versionOf(line), { batch, header, line }, () =>
          toJournalLineRecord(batch, header, line),
        ),
      ),
    );
  },
};
