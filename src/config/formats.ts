import { z } from 'zod';
import {
  type CsvLayoutFor,
  csvRenderer,
  type FileRenderer,
  fixedWidthRenderer,
  x12Renderer,
} from '../formats/fileRenderer';
import type { FixedWidthLayout } from '../formats/fixedWidth/layout';
import type { X12EnvelopeInput, X12PartnerProfile } from '../formats/x12/profile';
import type { EntityName, EntityRecordMap } from '../shared/records';

// The `format` section of an integration: CSV (the default), fixed-width or X12. The shapes are
// checked here; whether a layout can work for its entity (known fields, widths, a partner
// profile X12 accepts) is checked by compiling it, in the integration schema (see schema.ts).

const column = z.union([
  z.strictObject({
    header: z.string().min(1),
    field: z.string().min(1),
    decimalPlaces: z.union([z.number().int().min(0).max(10), z.literal('currency')]).optional(),
    dateFormat: z.string().min(1).optional(),
  }),
  z.strictObject({ header: z.string(), literal: z.string() }),
]);

export const csvFormatSchema = z.strictObject({
  type: z.literal('csv'),
  header: z.boolean().default(true),
  delimiter: z.string().length(1).default(','),
  lineEnding: z.enum(['crlf', 'lf']).default('crlf'),
  bom: z.boolean().default(false),
  /** yyyy, yy, MM, dd, e.g. `MM/dd/yyyy`; default yyyy-MM-dd. */
  dateFormat: z.string().min(1).optional(),
  /** Fixed decimals, or "currency" for each currency's ISO 4217 minor units; never rounded. */
  decimalPlaces: z.union([z.number().int().min(0).max(10), z.literal('currency')]).default(2),
  booleanValues: z.tuple([z.string(), z.string()]).optional(),
  /** A text value starting with = + - @ TAB or CR gets a leading ' (OWASP CSV injection). */
  escapeFormulas: z.boolean().default(true),
  /** Journal lines: DR and CR in two columns ("drcr") or one signed amount ("signed"). */
  amountStyle: z.enum(['drcr', 'signed']).optional(),
  ledgerCurrency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  /** Invoices and POs: header | line | recordTypes; suppliers: supplier | site. */
  rowMode: z.enum(['header', 'line', 'recordTypes', 'supplier', 'site']).optional(),
  columns: z.array(column).min(1).optional(),
  headerColumns: z.array(column).min(1).optional(),
  lineColumns: z.array(column).min(1).optional(),
});

const fixedWidthField = z.looseObject({
  name: z.string().min(1),
  type: z.enum(['alpha', 'numeric', 'amount', 'date', 'literal', 'count', 'total']),
  width: z.number().int().min(1),
});
const fixedWidthRecord = z.strictObject({
  fields: z.array(fixedWidthField).min(1),
  length: z.number().int().min(1).optional(),
});

export const fixedWidthFormatSchema = z.strictObject({
  type: z.literal('fixedWidth'),
  header: fixedWidthRecord.optional(),
  detail: fixedWidthRecord,
  trailer: fixedWidthRecord.optional(),
  detailPer: z.string().optional(),
  lineEnding: z.enum(['crlf', 'lf', 'none']).default('crlf'),
  nonAscii: z.enum(['reject', 'transliterate']).default('reject'),
  /** Values for `file.<name>` sources that do not change per file (a sender code, say). */
  fileValues: z.record(z.string(), z.string()).default({}),
});

const x12Id = z.strictObject({ qualifier: z.string().min(2).max(2), id: z.string().min(1).max(15) });

export const x12FormatSchema = z.strictObject({
  type: z.literal('x12'),
  /** Control numbers are allocated per partner: two integrations to one partner share the sequences. */
  partnerId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -'),
  version: z.enum(['004010', '005010']).default('004010'),
  interchangeSender: x12Id,
  interchangeReceiver: x12Id,
  applicationSender: z.string().min(2).max(15),
  applicationReceiver: z.string().min(2).max(15),
  usage: z.enum(['T', 'P']).default('P'),
  acknowledgmentRequested: z.enum(['0', '1']).default('0'),
  separators: z
    .object({
      element: z.string().length(1),
      segment: z.string().length(1),
      subElement: z.string().length(1),
      repetition: z.string().length(1).optional(),
    })
    .default({ element: '*', segment: '~', subElement: ':', repetition: '^' }),
  lineEnding: z.enum(['none', 'lf', 'crlf']).default('lf'),
  delimiterPolicy: z.enum(['reject', 'clean']).default('reject'),
  nonAscii: z.enum(['reject', 'transliterate']).optional(),
  uomCodes: z.record(z.string(), z.string()).optional(),
  amountOnlyLineUom: z.string().optional(),
  itemQualifier: z.string().optional(),
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

const col = (header: string, field: string) => ({ header, field });

/** Columns written when an integration's CSV names none: the fields finance asks for first. */
export const DEFAULT_CSV_COLUMNS: Record<
  EntityName,
  { rowMode?: string; columns: { header: string; field: string }[] }
> = {
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
export function csvLayout<E extends EntityName>(
  entity: E,
  format: CsvFormat,
  chartOfAccounts: { delimiter: string; segments: string[] },
): CsvLayoutFor<E> {
  const defaults = DEFAULT_CSV_COLUMNS[entity];
  const { type: _type, ...options } = format;
  const hasColumns = options.columns || options.headerColumns;
  return {
    ...options,
    rowMode: options.rowMode ?? defaults.rowMode,
    ...(hasColumns ? {} : { columns: defaults.columns }),
    ...(entity === 'journalLines' ? { chartOfAccounts } : {}),
  } as unknown as CsvLayoutFor<E>;
}

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
  return { ...layout, chartOfAccounts } as unknown as FixedWidthLayout;
}

export function x12Profile(format: X12Format): X12PartnerProfile {
  const { type: _type, partnerId: _partner, ...profile } = format;
  return profile as X12PartnerProfile;
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
): FileRenderer<EntityRecordMap[EntityName]> {
  const { entity, format, chartOfAccounts } = integration;
  switch (format.type) {
    case 'csv':
      return csvRenderer(entity, csvLayout(entity, format, chartOfAccounts)) as FileRenderer<
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
