import { type EntityName, type EntityRecordMap, RecordFieldError } from '../shared/records';
import { type InvoicesCsvLayout, invoicesCsvHeaderRows, invoiceToCsvRows } from './csv/invoices';
import { type JournalLinesCsvLayout, journalLinesCsvHeaderRows, journalLineToRow } from './csv/journalLines';
import { type CsvColumn, type CsvFileOptions, csvRowsWriter } from './csv/options';
import {
  type PurchaseOrdersCsvLayout,
  purchaseOrdersCsvHeaderRows,
  purchaseOrderToCsvRows,
} from './csv/purchaseOrders';
import { type SuppliersCsvLayout, suppliersCsvHeaderRows, supplierToCsvRows } from './csv/suppliers';
import { LayoutError } from './errors';
import type { FixedWidthFileValues, FixedWidthLayout } from './fixedWidth/layout';
import { fixedWidthWriter } from './fixedWidth/writer';
import { type CsvStreamExpectation, type CsvStreamValidator, csvStreamValidator } from './validate/csvStream';
import { validateFixedWidth } from './validate/fixedWidth';
import type { ValidationResult } from './validate/result';
import { validateX12 } from './validate/x12';
import type { X12EnvelopeInput, X12PartnerProfile } from './x12/profile';
import { type X12Summary, x12810Writer, x12850Writer } from './x12/writer';

// One interface over every format, so the render step is the same loop for all of them:
// begin → record × n → end, then the pre-upload check of exactly the text produced. Pure.

export interface FileRenderer<R> {
  /** The file name extension: csv, txt, x12. */
  extension: string;
  begin(): string;
  /** The text for one record; throws RecordFieldError (and counts nothing) when it cannot be written. */
  record(record: R): string;
  /**
   * A page of records at once: their text, and by index those that cannot be written (each as
   * record() would have thrown). Optional; renderPage() falls back on record() for each.
   */
  records?(records: readonly R[]): RenderedPage;
  end(): string;
  /** Records written so far. */
  written(): number;
  /**
   * Sees every piece of text produced, in order; `result()` re-parses and checks it. `push` may
   * return a promise to wait for; `abandon` ends a check that will not get its result (an error).
   */
  check: { push(text: string): void | Promise<void>; result(): Promise<ValidationResult>; abandon?(): void };
  /** Counts and control numbers for the ledger (X12 numbers, fixed-width totals). */
  summary(): Record<string, unknown>;
}

export interface RenderedPage {
  text: string;
  rejected: { index: number; error: RecordFieldError }[];
}

/**
 * Calls `write` for each record; a RecordFieldError it throws rejects that record (by index) and
 * the rest go on. `write` must add nothing for a record before it can no longer throw.
 */
function writeEach<R>(records: readonly R[], write: (record: R) => void): RenderedPage['rejected'] {
  const rejected: RenderedPage['rejected'] = [];
  records.forEach((record, index) => {
    try {
      write(record);
    } catch (error) {
      if (!(error instanceof RecordFieldError)) throw error;
      rejected.push({ index, error });
    }
  });
  return rejected;
}

/** A page's text and its records that cannot be written, by the renderer's records() or record(). */
export function renderPage<R>(renderer: FileRenderer<R>, records: readonly R[]): RenderedPage {
  if (renderer.records) return renderer.records(records);
  const texts: string[] = [];
  const rejected = writeEach(records, (record) => texts.push(renderer.record(record)));
  return { text: texts.join(''), rejected };
}

export type CsvLayoutFor<E extends EntityName> = E extends 'journalLines'
  ? JournalLinesCsvLayout
  : E extends 'suppliers'
    ? SuppliersCsvLayout
    : E extends 'invoices'
      ? InvoicesCsvLayout
      : PurchaseOrdersCsvLayout;

function csvRows<E extends EntityName>(entity: E, layout: CsvLayoutFor<E>) {
  switch (entity) {
    case 'journalLines': {
      const l = layout as JournalLinesCsvLayout;
      return {
        header: journalLinesCsvHeaderRows(l),
        rows: (r: unknown) => [journalLineToRow(r as EntityRecordMap['journalLines'], l)],
      };
    }
    case 'invoices': {
      const l = layout as InvoicesCsvLayout;
      return { header: invoicesCsvHeaderRows(l), rows: (r: unknown) => invoiceToCsvRows(r as never, l) };
    }
    case 'purchaseOrders': {
      const l = layout as PurchaseOrdersCsvLayout;
      return {
        header: purchaseOrdersCsvHeaderRows(l),
        rows: (r: unknown) => purchaseOrderToCsvRows(r as never, l),
      };
    }
    default: {
      const l = layout as SuppliersCsvLayout;
      return { header: suppliersCsvHeaderRows(l), rows: (r: unknown) => supplierToCsvRows(r as never, l) };
    }
  }
}

/** Columns per row for the check: one count, or per record type when each type starts with a literal. */
function columnsPerRow(layout: object): number | Record<string, number> {
  const l = layout as { columns?: CsvColumn[]; headerColumns?: CsvColumn[]; lineColumns?: CsvColumn[] };
  if (l.columns) return l.columns.length;
  const byType: Record<string, number> = {};
  for (const columns of [l.headerColumns ?? [], l.lineColumns ?? []]) {
    const first = columns[0];
    if (!first || !('literal' in first)) {
      throw new LayoutError('CSV layout', [
        'in recordTypes mode each record type must start with a literal column',
      ]);
    }
    byType[first.literal] = columns.length;
  }
  return byType;
}

/** How a CSV file's check runs: in line by default, or elsewhere with the same validator (a thread). */
export type CsvCheckRunner = (expected: CsvStreamExpectation) => CsvStreamValidator;

export function csvRenderer<E extends EntityName>(
  entity: E,
  layout: CsvLayoutFor<E>,
  runCheck: CsvCheckRunner = csvStreamValidator,
): FileRenderer<EntityRecordMap[E]> {
  const options = layout as CsvFileOptions;
  const { header, rows } = csvRows(entity, layout);
  const writeRows = csvRowsWriter(options);
  const check = runCheck({
    delimiter: options.delimiter,
    bom: options.bom ?? false,
    headerRows: header,
    columns: columnsPerRow(layout),
  });
  let dataRows = 0;
  let records = 0;
  // A page's rows written at once.
  const pageText = (page: readonly EntityRecordMap[E][]): RenderedPage => {
    const out: string[][] = [];
    const rejected = writeEach(page, (record) => {
      const recordRows = rows(record);
      for (const row of recordRows) out.push(row);
      records++;
    });
    dataRows += out.length;
    return { text: writeRows(out), rejected };
  };
  return {
    extension: 'csv',
    begin: () => (options.bom ? '\uFEFF' : '') + writeRows(header),
    record(record) {
      const { text, rejected } = pageText([record]);
      if (rejected[0]) throw rejected[0].error;
      return text;
    },
    records: pageText,
    end: () => '',
    written: () => records,
    check: {
      push: (text) => check.push(text),
      result: () => check.finish(dataRows),
      abandon: () => check.abandon?.(),
    },
    summary: () => ({ records, dataRows }),
  };
}

/** Holds the produced text for checks that parse a whole file (X12, fixed-width). */
function bufferedCheck(validate: (text: string) => ValidationResult) {
  const parts: string[] = [];
  return { push: (text: string) => void parts.push(text), result: async () => validate(parts.join('')) };
}

export function fixedWidthRenderer<E extends EntityName>(
  entity: E,
  layout: FixedWidthLayout,
  fileValues: FixedWidthFileValues = {},
): FileRenderer<EntityRecordMap[E]> {
  const writer = fixedWidthWriter(entity, layout, fileValues);
  return {
    extension: 'txt',
    begin: () => writer.header(),
    record: (record) => writer.write(record),
    end: () => writer.trailer(),
    written: () => writer.summary().records,
    check: bufferedCheck((text) => {
      const s = writer.summary();
      return validateFixedWidth(text, entity, layout, {
        details: s.details,
        records: s.records,
        totals: s.totals,
      });
    }),
    summary: () => ({ ...writer.summary() }),
  };
}

export function x12Renderer(
  entity: 'invoices' | 'purchaseOrders',
  profile: X12PartnerProfile,
  envelope: X12EnvelopeInput,
): FileRenderer<EntityRecordMap['invoices'] | EntityRecordMap['purchaseOrders']> {
  const writer =
    entity === 'invoices'
      ? (x12810Writer(profile, envelope) as {
          begin(): string;
          write(r: unknown): string;
          end(): string;
          summary(): X12Summary;
        })
      : (x12850Writer(profile, envelope) as {
          begin(): string;
          write(r: unknown): string;
          end(): string;
          summary(): X12Summary;
        });
  return {
    extension: 'x12',
    begin: () => writer.begin(),
    record: (record) => writer.write(record),
    end: () => writer.end(),
    written: () => writer.summary().transactionSets,
    check: bufferedCheck((text) => {
      const s = writer.summary();
      return validateX12(text, {
        version: s.version,
        transactionSetId: s.transactionSetId as '810' | '850',
        interchangeControlNumber: s.interchangeControlNumber,
        groupControlNumber: s.groupControlNumber,
        transactionSets: s.transactionSets,
        lineItems: s.lineItems,
      });
    }),
    summary: () => ({ ...writer.summary() }),
  };
}
