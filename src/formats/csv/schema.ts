import { z } from 'zod';

// The schema of a CSV layout: the one definition of its shape. The types the CSV writer uses
// (CsvColumn, CsvFileOptions…) are inferred from it; the configuration file's `format` section for
// CSV extends it with `type` (src/config/formats.ts). Whether the columns fit the entity (known
// fields, levels a row mode can show) is checked when the layout is compiled (./plan.ts).

/** Fixed decimals 0–10, or "currency" for each currency's ISO 4217 minor units; never rounded. */
export const decimalPlacesSchema = z.union([z.number().int().min(0).max(10), z.literal('currency')]);

/** A column read from a record field (see the entity's field catalog). */
export const csvFieldColumnSchema = z.strictObject({
  /** The header row's text for this column. */
  header: z.string().min(1),
  /** A field path of the entity, e.g. `invoiceNumber`, `line.lineAmount`, `segment:costCentre`. */
  field: z.string().min(1),
  /** Overrides the file's decimalPlaces for this column. */
  decimalPlaces: decimalPlacesSchema.optional(),
  /** Overrides the file's dateFormat for this column. */
  dateFormat: z.string().min(1).optional(),
});

/** A column with the same text on every row, e.g. a record-type marker `H` / `L`. */
export const csvLiteralColumnSchema = z.strictObject({
  header: z.string(),
  /** The text written in every row. */
  literal: z.string(),
});

export const csvColumnSchema = z.union([csvFieldColumnSchema, csvLiteralColumnSchema]);

export const csvFileOptionsSchema = z.strictObject({
  /** Write a header row (in `recordTypes` mode: one header row per record type). */
  header: z.boolean().default(true),
  /** One character, e.g. `,` `;` `|` or a tab. */
  delimiter: z.string().length(1).default(','),
  lineEnding: z.enum(['crlf', 'lf']).default('crlf'),
  /** Start the file with a UTF-8 byte-order mark (Excel wants one for non-ASCII text). */
  bom: z.boolean().default(false),
  /** yyyy, yy, MM, dd, e.g. `MM/dd/yyyy`; default yyyy-MM-dd. */
  dateFormat: z.string().min(1).optional(),
  /** Fixed decimals of amounts, or "currency" for each currency's ISO 4217 minor units; never rounded. */
  decimalPlaces: decimalPlacesSchema.default(2),
  /** How booleans are written: [true, false]. Default ["Y", "N"]. */
  booleanValues: z.tuple([z.string(), z.string()]).optional(),
  /**
   * Neutralise spreadsheet formulas (OWASP CSV injection): a text value starting with = + - @ TAB
   * or CR gets a leading '. false writes every value as it is (for a reader that is a program).
   */
  escapeFormulas: z.boolean().default(true),
});

export const csvLayoutSchema = csvFileOptionsSchema.extend({
  /** Journal lines: DR and CR in two columns ("drcr", default) or one signed amount ("signed"). */
  amountStyle: z.enum(['drcr', 'signed']).optional(),
  /** Journal lines: the currency of accounted amounts, for decimalPlaces "currency". */
  ledgerCurrency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
    .optional(),
  /**
   * Invoices and POs: header (one row per record) | line (one per line, the default) | recordTypes
   * (H and L rows from headerColumns and lineColumns); suppliers: supplier (default) | site.
   */
  rowMode: z.enum(['header', 'line', 'recordTypes', 'supplier', 'site']).optional(),
  /** The columns, in order; the entity's default columns when absent. */
  columns: z.array(csvColumnSchema).min(1).optional(),
  /** recordTypes: the columns of each header (H) row; start with a literal column. */
  headerColumns: z.array(csvColumnSchema).min(1).optional(),
  /** recordTypes: the columns of each line (L) row; start with a literal column. */
  lineColumns: z.array(csvColumnSchema).min(1).optional(),
});

export type CsvFieldColumn = z.infer<typeof csvFieldColumnSchema>;
export type CsvLiteralColumn = z.infer<typeof csvLiteralColumnSchema>;
export type CsvColumn = z.infer<typeof csvColumnSchema>;
/** File options as a layout built in code may give them: bom and escapeFormulas may be left out. */
export type CsvFileOptions = Omit<z.infer<typeof csvFileOptionsSchema>, 'bom' | 'escapeFormulas'> &
  Partial<Pick<z.infer<typeof csvFileOptionsSchema>, 'bom' | 'escapeFormulas'>>;
export type CsvLayout = z.infer<typeof csvLayoutSchema>;
