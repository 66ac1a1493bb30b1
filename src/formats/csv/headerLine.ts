import type { EntityFields } from '../fields/types';
import type { CsvColumn, CsvFileOptions } from './options';
import type { GroupSpec } from './plan';

// Layouts for entities with a header and lines (invoices, purchase orders):
//   rowMode 'header'      one row per record; columns name header fields only.
//   rowMode 'line'        one row per line, header fields repeated (`invoiceNumber`, `line.lineAmount`).
//                         Columns that name a deeper level (`line.distribution.distributionAmount`)
//                         make it one row per distribution; a line without children still gets a row.
//   rowMode 'recordTypes' an H row per record (headerColumns) followed by an L row per line
//                         (lineColumns, which may also name header fields). Use literal columns for
//                         the record-type marker: { header: 'Type', literal: 'H' }.

export type HeaderLineCsvLayout = CsvFileOptions &
  (
    | { rowMode: 'header' | 'line'; columns: CsvColumn[] }
    | { rowMode: 'recordTypes'; headerColumns: CsvColumn[]; lineColumns: CsvColumn[] }
  );

export function headerLineGroups(entity: EntityFields, layout: HeaderLineCsvLayout): GroupSpec[] {
  const deepest = entity.levels.length - 1;
  switch (layout.rowMode) {
    case 'header':
      return [{ where: 'columns', columns: layout.columns, level: 0, maxLevel: 0 }];
    case 'line':
      return [{ where: 'columns', columns: layout.columns, level: { atLeast: 1 }, maxLevel: deepest }];
    case 'recordTypes':
      return [
        { where: 'headerColumns', columns: layout.headerColumns, level: 0, maxLevel: 0 },
        { where: 'lineColumns', columns: layout.lineColumns, level: 1, maxLevel: 1 },
      ];
  }
}
