import type { PurchaseOrderRecord } from '../../shared/records';
import { purchaseOrderFields } from '../fields/purchaseOrders';
import { type HeaderLineCsvLayout, headerLineGroups } from './headerLine';
import { type CsvPlan, cachedPlan, compilePlan, planHeaderRows, planRows, planToCsv } from './plan';

// Purchase orders → CSV. Fields: see fields/purchaseOrders.ts; row modes: see csv/headerLine.ts.

export type PurchaseOrdersCsvLayout = HeaderLineCsvLayout;

const plan = (layout: PurchaseOrdersCsvLayout): CsvPlan =>
  cachedPlan(layout, (l) =>
    compilePlan(
      'purchase orders CSV layout',
      purchaseOrderFields,
      l,
      {},
      headerLineGroups(purchaseOrderFields, l),
    ),
  );

/** The rows of one purchase order (streaming: write them to `csvStream`). */
export function purchaseOrderToCsvRows(
  record: PurchaseOrderRecord,
  layout: PurchaseOrdersCsvLayout,
): string[][] {
  return planRows(purchaseOrderFields, plan(layout), record);
}

export function purchaseOrdersCsvHeaderRows(layout: PurchaseOrdersCsvLayout): string[][] {
  return planHeaderRows(plan(layout));
}

/** Whole-file form for small sets and tests. */
export function purchaseOrdersToCsv(
  records: Iterable<PurchaseOrderRecord>,
  layout: PurchaseOrdersCsvLayout,
): string {
  return planToCsv(purchaseOrderFields, plan(layout), records);
}
