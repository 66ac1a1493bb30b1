import type { InvoiceRecord } from '../../shared/records';
import { invoiceFields } from '../fields/invoices';
import { type HeaderLineCsvLayout, headerLineGroups } from './headerLine';
import { type CsvPlan, cachedPlan, compilePlan, planHeaderRows, planRows, planToCsv } from './plan';

// Payables invoices → CSV. Fields: see fields/invoices.ts; row modes: see csv/headerLine.ts.

export type InvoicesCsvLayout = HeaderLineCsvLayout;

const plan = (layout: InvoicesCsvLayout): CsvPlan =>
  cachedPlan(layout, (l) =>
    compilePlan('invoices CSV layout', invoiceFields, l, {}, headerLineGroups(invoiceFields, l)),
  );

/** The rows of one invoice (streaming: write them to `csvStream`). */
export function invoiceToCsvRows(record: InvoiceRecord, layout: InvoicesCsvLayout): string[][] {
  return planRows(invoiceFields, plan(layout), record);
}

export function invoicesCsvHeaderRows(layout: InvoicesCsvLayout): string[][] {
  return planHeaderRows(plan(layout));
}

/** Whole-file form for small sets and tests. */
export function invoicesToCsv(records: Iterable<InvoiceRecord>, layout: InvoicesCsvLayout): string {
  return planToCsv(invoiceFields, plan(layout), records);
}
