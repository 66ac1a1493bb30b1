import type { SupplierRecord } from '../../shared/records';
import { supplierFields } from '../fields/suppliers';
import type { CsvColumn, CsvFileOptions } from './options';
import { type CsvPlan, cachedPlan, compilePlan, planHeaderRows, planRows, planToCsv } from './plan';

// Suppliers → CSV.
//   rowMode 'supplier'  one row per supplier; columns name supplier fields only.
//   rowMode 'site'      one row per site with the supplier's fields repeated (`supplierNumber`,
//                       `site.supplierSite`, `site.address.city`); a supplier without sites gets one row.

export type SuppliersCsvLayout = CsvFileOptions & { rowMode: 'supplier' | 'site'; columns: CsvColumn[] };

const plan = (layout: SuppliersCsvLayout): CsvPlan =>
  cachedPlan(layout, (l) =>
    compilePlan('suppliers CSV layout', supplierFields, l, {}, [
      l.rowMode === 'site'
        ? { where: 'columns', columns: l.columns, level: 1, maxLevel: 1 }
        : { where: 'columns', columns: l.columns, level: 0, maxLevel: 0 },
    ]),
  );

/** The rows of one supplier (streaming: write them to `csvStream`). */
export function supplierToCsvRows(record: SupplierRecord, layout: SuppliersCsvLayout): string[][] {
  return planRows(supplierFields, plan(layout), record);
}

export function suppliersCsvHeaderRows(layout: SuppliersCsvLayout): string[][] {
  return planHeaderRows(plan(layout));
}

/** Whole-file form for small sets and tests. */
export function suppliersToCsv(records: Iterable<SupplierRecord>, layout: SuppliersCsvLayout): string {
  return planToCsv(supplierFields, plan(layout), records);
}
