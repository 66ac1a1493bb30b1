import { Decimal } from 'decimal.js';
import { type JournalLineRecord, RecordFieldError } from '../shared/records';
import { childLink, type FusionClient } from './client';

// GL journal lines: batches changed in the window → their headers → their lines, each level
// paged and reached through the child links Fusion returns (UniqID keys are never built here).

export interface ChangeWindow {
  /** Exclusive lower bound, RFC 3339 UTC. */
  from: string;
  /** Inclusive upper bound, frozen when the run starts. */
  to: string;
}

export type ExtractedLine =
  | { ok: true; record: JournalLineRecord }
  | { ok: false; recordId: string; version: string; error: RecordFieldError; raw: unknown };

type Raw = Record<string, unknown>;

const DECIMAL = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function text(row: Raw, field: string): string | null {
  const v = row[field];
  return v === null || v === undefined ? null : String(v);
}

function requiredText(row: Raw, field: string, recordId: string): string {
  const v = text(row, field);
  if (v === null || v.trim() === '') throw new RecordFieldError(recordId, field, 'is missing');
  return v;
}

function amount(row: Raw, field: string, recordId: string): string | null {
  const v = text(row, field);
  if (v === null) return null;
  if (!DECIMAL.test(v))
    throw new RecordFieldError(recordId, field, `is not a decimal number: ${JSON.stringify(v)}`);
  return new Decimal(v).toFixed();
}

/** RFC 3339 with an explicit offset → `…Z` (UTC, milliseconds). */
export function utcInstant(value: string | null, recordId: string, field: string): string {
  if (value === null) throw new RecordFieldError(recordId, field, 'is missing');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw new RecordFieldError(
      recordId,
      field,
      `is not a timestamp with a time zone: ${JSON.stringify(value)}`,
    );
  }
  return new Date(value).toISOString();
}

export function lineRecordId(header: Raw, line: Raw): string {
  return `${text(header, 'JeHeaderId') ?? '?'}:${text(line, 'JeLineNumber') ?? '?'}`;
}

/** Pure: one Fusion batch/header/line triple → a validated JournalLineRecord. */
export function toJournalLineRecord(batch: Raw, header: Raw, line: Raw): JournalLineRecord {
  const recordId = lineRecordId(header, line);
  const headerId = requiredText(header, 'JeHeaderId', recordId);
  if (!/^\d+$/.test(headerId)) throw new RecordFieldError(recordId, 'JeHeaderId', 'is not an integer ID');
  const lineNumber = Number(requiredText(line, 'JeLineNumber', recordId));
  if (!Number.isInteger(lineNumber) || lineNumber < 1) {
    throw new RecordFieldError(recordId, 'JeLineNumber', 'is not a positive integer');
  }
  const accountingDate = requiredText(header, 'DefaultEffectiveDate', recordId);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(accountingDate)) {
    throw new RecordFieldError(
      recordId,
      'DefaultEffectiveDate',
      `is not a yyyy-MM-dd date: ${accountingDate}`,
    );
  }
  const currencyCode = requiredText(line, 'CurrencyCode', recordId);
  if (!/^[A-Z]{3}$/.test(currencyCode)) {
    throw new RecordFieldError(recordId, 'CurrencyCode', `is not an ISO 4217 code: ${currencyCode}`);
  }
  const enteredDr = amount(line, 'EnteredDr', recordId);
  const enteredCr = amount(line, 'EnteredCr', recordId);
  if (enteredDr === null && enteredCr === null) {
    throw new RecordFieldError(recordId, 'EnteredDr', 'both EnteredDr and EnteredCr are empty');
  }
  return {
    recordId,
    version: utcInstant(text(line, 'LastUpdateDate'), recordId, 'LastUpdateDate'),
    batchId: requiredText(batch, 'JeBatchId', recordId),
    batchName: requiredText(batch, 'BatchName', recordId),
    batchStatus: text(batch, 'Status'),
    headerId,
    journalName: requiredText(header, 'JournalName', recordId),
    journalCategory: text(header, 'UserJeCategoryName'),
    ledgerName: requiredText(header, 'LedgerName', recordId),
    periodName: requiredText(header, 'PeriodName', recordId),
    accountingDate,
    lineNumber,
    accountCombination: requiredText(line, 'AccountCombination', recordId),
    enteredDr,
    enteredCr,
    accountedDr: amount(line, 'AccountedDr', recordId),
    accountedCr: amount(line, 'AccountedCr', recordId),
    currencyCode,
    description: text(line, 'Description'),
  };
}

/** `…T10:00:00Z`: whole seconds and Z, the literal form Fusion is known to accept. */
function queryInstant(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function changedBatchesQuery(window: ChangeWindow): Record<string, string> {
  return {
    q: `LastUpdateDate > '${queryInstant(window.from)}' and LastUpdateDate <= '${queryInstant(window.to)}'`,
    orderBy: 'LastUpdateDate:asc,JeBatchId:asc',
  };
}

/**
 * Journal lines of every batch changed in the window, one array per page of lines. Invalid
 * lines come back as `ok: false` with the field named, for quarantine; they never stop the rest.
 */
export async function* readJournalLines(
  client: FusionClient,
  window: ChangeWindow,
): AsyncGenerator<ExtractedLine[]> {
  for await (const batchPage of client.pages(
    client.resourceUrl('journalBatches'),
    changedBatchesQuery(window),
  )) {
    for (const batch of batchPage.items) {
      for await (const headerPage of client.pages(childLink(batch, 'journalHeaders'), {})) {
        for (const header of headerPage.items) {
          for await (const linePage of client.pages(childLink(header, 'journalLines'), {
            onlyData: 'true',
          })) {
            yield linePage.items.map((line) => extractLine(batch, header, line));
          }
        }
      }
    }
  }
}

function extractLine(batch: Raw, header: Raw, line: Raw): ExtractedLine {
  try {
    return { ok: true, record: toJournalLineRecord(batch, header, line) };
  } catch (err) {
    if (!(err instanceof RecordFieldError)) throw err;
    const { links: _batchLinks, ...batchData } = batch;
    const { links: _headerLinks, ...headerData } = header;
    return {
      ok: false,
      recordId: err.recordId,
      version: text(line, 'LastUpdateDate') ?? 'unknown',
      error: err,
      raw: { batch: batchData, header: headerData, line },
    };
  }
}
