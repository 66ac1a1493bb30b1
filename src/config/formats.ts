import { z } from 'zod';
import type { HeaderLineCsvLayout } from '../formats/csv/headerLine';
import type { JournalLinesCsvLayout } from '../formats/csv/journalLines';
import { type CsvColumn, csvLayoutSchema } from '../formats/csv/schema';
import type { SuppliersCsvLayout } from '../formats/csv/suppliers';
import { LayoutError } from '../formats/errors';
import { ENTITY_FIELDS } from '../formats/fields/registry';
import { resolveField } from '../formats/fields/types';
import {
  type CsvCheckRunner,
  type CsvLayoutFor,
  csvRenderer,
  type FileRenderer,
  fixedWidthRenderer,
  x12Renderer,
} from '../formats/fileRenderer';
import type { FixedWidthLayout } from '../formats/fixedWidth/layout';
import { fixedWidthLayoutSchema } from '../formats/fixedWidth/schema';
import type { X12EnvelopeInput, X12PartnerProfile } from '../formats/x12/profile';
import { x12PartnerProfileSchema } from '../formats/x12/schema';
import type { EntityName, EntityRecordMap } from '../shared/records';

// The `format` section of an integration: CSV (the default), fixed-width or X12. The shapes live
// beside their formats (src/formats/*/schema.ts, whose types the writers use); here each gets its
// `type` and the keys that belong to the integration rather than to the layout. Whether a layout
// can work for its entity (known fields, widths, a partner profile X12 accepts) is checked by
// compiling it, in the integration schema (see schema.ts).

export const csvFormatSchema = csvLayoutSchema.extend({ type: z.literal('csv') });

export const fixedWidthFormatSchema = fixedWidthLayoutSchema.extend({
  type: z.literal('fixedWidth'),
  /** Values for `file.<name>` sources that do not change per file (a sender code, say). */
  fileValues: z.record(z.string(), z.string()).default({}),
});

export const x12FormatSchema = x12PartnerProfileSchema.extend({
  type: z.literal('x12'),
  /** Control numbers are allocated per partner: two integrations to one partner share the sequences. */
  partnerId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -'),
});

export const formatSchema = z.discriminatedUnion('type', [
  csvFormatSchema,
  fixedWidthFormatSchema,
  x12FormatSchema,
]);

export type CsvFormat = z.infer<typeof csvFormatSchema>;
export type FixedWidthFormat = z.infer<typeof fixedWidthFormatSchema>;
export type X12Format = z.infer<typeof x12FormatSchema>;
export type FormatConfig = z.infer<typeof formatSchema>;

const col = (header: string, field: string): CsvColumn => ({ header, field });

/** Columns written when an integration's CSV names none: the fields finance asks for first. */
export const DEFAULT_CSV_COLUMNS: Record<EntityName, { rowMode?: string; columns: CsvColumn[] }> = {
  journalLines: {
    columns: [
      col('Batch', 'batchName'),
      col('Journal', 'journalName'),
      col('Line', 'lineNumber'),
      col('Ledger', 'ledgerName'),
      col('Period', 'periodName'),
      col('Accounting Date', 'accountingDate'),
      col('GL Account', 'accountCombination'),
      col('Cost Centre', 'segment:costCentre'),
      col('Entered DR', 'enteredDr'),
      col('Entered CR', 'enteredCr'),
      col('Currency', 'currencyCode'),
      col('Description', 'description'),
    ],
  },
  invoices: {
    rowMode: 'line',
    columns: [
      col('Invoice', 'invoiceNumber'),
      col('Invoice Date', 'invoiceDate'),
      col('Supplier', 'supplier'),
      col('Supplier Number', 'supplierNumber'),
      col('Business Unit', 'businessUnit'),
      col('Invoice Amount', 'invoiceAmount'),
      col('Currency', 'invoiceCurrency'),
      col('Line', 'line.lineNumber'),
      col('Line Type', 'line.lineType'),
      col('Line Amount', 'line.lineAmount'),
      col('Line Description', 'line.description'),
    ],
  },
  purchaseOrders: {
    rowMode: 'line',
    columns: [
      col('Order', 'orderNumber'),
      col('Order Date', 'orderDate'),
      col('Supplier', 'supplier'),
      col('Buyer', 'buyer'),
      col('Currency', 'currencyCode'),
      col('Line', 'line.lineNumber'),
      col('Item', 'line.item'),
      col('Description', 'line.description'),
      col('Quantity', 'line.quantity'),
      col('UOM', 'line.uom'),
      col('Price', 'line.price'),
      col('Line Amount', 'line.ordered'),
    ],
  },
  suppliers: {
    rowMode: 'supplier',
    columns: [
      col('Supplier Number', 'supplierNumber'),
      col('Supplier', 'supplier'),
      col('Status', 'status'),
      col('Tax Organization Type', 'taxOrganizationType'),
      col('Taxpayer ID', 'taxpayerId'),
      col('DUNS', 'dunsNumber'),
      col('Sites', 'siteCount'),
    ],
  },
};

/** The CSV layout for an entity: the configured options, default columns where none are given. */
export function csvLayout(
  entity: 'journalLines',
  format: CsvFormat,
  coa: ChartOfAccountsLike,
): JournalLinesCsvLayout;
export function csvLayout(
  entity: 'invoices' | 'purchaseOrders',
  format: CsvFormat,
  coa: ChartOfAccountsLike,
): HeaderLineCsvLayout;
export function csvLayout(
  entity: 'suppliers',
  format: CsvFormat,
  coa: ChartOfAccountsLike,
): SuppliersCsvLayout;
export function csvLayout(
  entity: EntityName,
  format: CsvFormat,
  coa: ChartOfAccountsLike,
): CsvLayoutFor<EntityName>;
export function csvLayout(
  entity: EntityName,
  format: CsvFormat,
  chartOfAccounts: ChartOfAccountsLike,
): JournalLinesCsvLayout | HeaderLineCsvLayout | SuppliersCsvLayout {
  const { type: _type, rowMode, columns, headerColumns, lineColumns, ...options } = format;
  const defaults = DEFAULT_CSV_COLUMNS[entity].columns;
  const given = columns ?? (headerColumns || lineColumns ? undefined : defaults);
  const refuse = (problem: string): never => {
    throw new LayoutError(`${entity} CSV layout`, [problem]);
  };
  const needColumns = (mode: string): CsvColumn[] => given ?? refuse(`rowMode ${mode} needs columns`);
  switch (entity) {
    case 'journalLines':
      if (rowMode !== undefined) refuse(`rowMode does not apply to journalLines (one row per journal line)`);
      return { ...options, columns: needColumns('(journal lines)'), chartOfAccounts };
    case 'suppliers': {
      const mode = rowMode ?? 'supplier';
      if (mode !== 'supplier' && mode !== 'site')
        return refuse(`rowMode for suppliers is supplier or site, not ${mode}`);
      return { ...options, rowMode: mode, columns: needColumns(mode) };
    }
    default: {
      const mode = rowMode ?? 'line';
      if (mode === 'recordTypes') {
        if (!headerColumns || !lineColumns)
          return refuse('rowMode recordTypes needs headerColumns and lineColumns');
        return { ...options, rowMode: mode, headerColumns, lineColumns };
      }
      if (mode !== 'header' && mode !== 'line')
        return refuse(`rowMode for ${entity} is header, line or recordTypes, not ${mode}`);
      return { ...options, rowMode: mode, columns: needColumns(mode) };
    }
  }
}

type ChartOfAccountsLike = { delimiter: string; segments: string[] };

/**
 * The record fields and row levels a format reads (field paths like `line.distribution.amount`),
 * so the extraction asks Fusion only for the child collections the file shows.
 */
export function formatFieldUse(
  entity: EntityName,
  format: FormatConfig,
): { fields: string[]; levels: string[] } {
  if (format.type === 'csv') {
    const columns = format.columns || format.headerColumns ? format : DEFAULT_CSV_COLUMNS[entity];
    const all = [
      ...(columns.columns ?? []),
      ...('headerColumns' in columns ? (columns.headerColumns ?? []) : []),
      ...('lineColumns' in columns ? (columns.lineColumns ?? []) : []),
    ];
    return { fields: all.flatMap((c) => ('field' in c ? [c.field] : [])), levels: [] };
  }
  if (format.type === 'fixedWidth') {
    const records = [format.header, format.detail, format.trailer].flatMap((r) => (r ? [r] : []));
    const fields = records.flatMap((r) =>
      r.fields.flatMap((f) => (typeof f.source === 'string' ? [f.source] : [])),
    );
    return { fields, levels: format.detailPer ? [format.detailPer] : [] };
  }
  // X12 810 and 850 write header and line segments only (no distributions, schedules, installments).
  return { fields: [], levels: [] };
}

export function fixedWidthLayout(
  format: FixedWidthFormat,
  chartOfAccounts: { delimiter: string; segments: string[] },
): FixedWidthLayout {
  const { type: _type, fileValues: _values, ...layout } = format;
  return { ...layout, chartOfAccounts };
}

export function x12Profile(format: X12Format): X12PartnerProfile {
  const { type: _type, partnerId: _partner, ...profile } = format;
  return profile;
}

/** Envelope numbers for compiling an X12 profile at start (never written to a file). */
export const SAMPLE_ENVELOPE: X12EnvelopeInput = {
  interchangeControlNumber: 1,
  groupControlNumber: 1,
  firstTransactionSetControlNumber: 1,
  createdAt: '2026-01-01T00:00:00Z',
};

export interface FormattedIntegration {
  entity: EntityName;
  format: FormatConfig;
  chartOfAccounts: { delimiter: string; segments: string[] };
}

/** The renderer for an integration's entity and format; throws LayoutError when it cannot work. */
export function rendererFor(
  integration: FormattedIntegration,
  envelope: X12EnvelopeInput,
  fileValues: Record<string, string> = {},
  /** Where a CSV file's check runs (a thread for a large file); in line by default. */
  runCsvCheck?: CsvCheckRunner,
): FileRenderer<EntityRecordMap[EntityName]> {
  const { entity, format, chartOfAccounts } = integration;
  switch (format.type) {
    case 'csv':
      return csvRenderer(entity, csvLayout(entity, format, chartOfAccounts), runCsvCheck) as FileRenderer<
        EntityRecordMap[EntityName]
      >;
    case 'fixedWidth':
      return fixedWidthRenderer(entity, fixedWidthLayout(format, chartOfAccounts), {
        ...format.fileValues,
        ...fileValues,
      }) as FileRenderer<EntityRecordMap[EntityName]>;
    case 'x12':
      if (entity !== 'invoices' && entity !== 'purchaseOrders') throw new Error(`X12 does not fit ${entity}`);
      return x12Renderer(entity, x12Profile(format), envelope) as FileRenderer<EntityRecordMap[EntityName]>;
  }
}

/** A problem with one place of a layout: the path below the integration's `format` and what is wrong. */
export interface LayoutFieldIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Field names a layout uses that its entity does not have, each at the column or field that names
 * it, with the closest field name and the entity's whole field list (so a typo is fixed from the
 * message alone). Checked before the layout is compiled, which words the same problem without a path.
 */
export function layoutFieldIssues(
  integration: FormattedIntegration,
  suggest: (name: string, candidates: readonly string[]) => string | undefined,
): LayoutFieldIssue[] {
  const { entity, format, chartOfAccounts } = integration;
  const fields = ENTITY_FIELDS[entity];
  const env = { chartOfAccounts };
  const known = [
    ...Object.keys(fields.fields),
    ...(entity === 'journalLines' ? chartOfAccounts.segments.map((s) => `segment:${s}`) : []),
  ];
  const check = (name: string, path: (string | number)[]): LayoutFieldIssue[] => {
    if (name.startsWith('file.') && format.type === 'fixedWidth') return [];
    const resolved = resolveField(fields, name, env);
    if (typeof resolved !== 'string') return [];
    const near = suggest(name, known);
    return [
      {
        path,
        message: `${resolved}${near ? ` (did you mean "${near}"?)` : ''}; the ${entity} fields are ${known.join(', ')}`,
      },
    ];
  };
  if (format.type === 'csv') {
    return (['columns', 'headerColumns', 'lineColumns'] as const).flatMap((where) =>
      (format[where] ?? []).flatMap((column, i) =>
        'field' in column ? check(column.field, [where, i, 'field']) : [],
      ),
    );
  }
  if (format.type === 'fixedWidth') {
    return (['header', 'detail', 'trailer'] as const).flatMap((role) =>
      (format[role]?.fields ?? []).flatMap((field, i) =>
        field.source !== undefined && field.type !== 'literal' && field.type !== 'count'
          ? check(field.source, [role, 'fields', i, 'source'])
          : [],
      ),
    );
  }
  return [];
}
