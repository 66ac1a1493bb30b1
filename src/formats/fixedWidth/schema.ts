import { z } from 'zod';

// The schema of a fixed-width (positional) layout: the one definition of its shape. The types the
// writer uses (FixedWidthField, FixedWidthLayout…) are inferred from it; the configuration file's
// `format` section for fixed-width extends it with `type` and `fileValues` (src/config/formats.ts).
// Every object is strict: a misspelt `impliedDecimal` is refused, never dropped (it would write
// amounts at the wrong scale). Rules between fields (sources, positions, decimals per type) are
// checked when the layout is compiled (./layout.ts).

export const fixedWidthFieldTypes = [
  'alpha',
  'numeric',
  'amount',
  'date',
  'literal',
  'count',
  'total',
] as const;

export const fixedWidthFieldSchema = z.strictObject({
  /** Names the field in errors and in the writer's summary of totals. */
  name: z.string().min(1),
  /**
   * alpha (text, left-aligned, spaces) · numeric (a whole number, right-aligned, zeros) · amount
   * (money at implied or explicit decimals) · date (in `dateFormat`) · literal (fixed `value`) ·
   * count and total (trailer only).
   */
  type: z.enum(fixedWidthFieldTypes),
  /**
   * alpha/numeric/amount/date: a record field path (detail records only; see the entity's field
   * catalog) or `file.<name>` (a value for the whole file, allowed anywhere). total: the detail
   * field to sum.
   */
  source: z.string().min(1).optional(),
  /** literal: the text. */
  value: z.string().optional(),
  /** count: 'details' (detail lines), 'records' (source records) or 'lines' (every line, header and trailer included). */
  count: z.enum(['details', 'records', 'lines']).optional(),
  /** 1-based column. Optional: without it the field follows the previous one. Gaps are spaces. */
  start: z.number().int().min(1).optional(),
  width: z.number().int().min(1),
  /** Default: right for numbers, left for text. */
  align: z.enum(['left', 'right']).optional(),
  /** One character. Default 0 for numbers, space for text. Zero padding keeps the sign at the edge: -000012500. */
  pad: z.string().optional(),
  /** amount/total: digits after an implied decimal point (1250.00 at 2 → 125000). Default 0. */
  impliedDecimals: z.number().int().min(0).max(10).optional(),
  /** amount/total: write the point instead, with this many decimals (1250.5 at 2 → 1250.50). */
  explicitDecimals: z.number().int().min(0).max(10).optional(),
  /** numeric/amount/total: 'leading' (-00125), 'trailing' (00125-), or 'none' (a negative is an error). Default 'none'. */
  sign: z.enum(['leading', 'trailing', 'none']).optional(),
  /** The sign written for positive values when there is a sign position. Default '+'. */
  positiveSign: z.enum(['+', ' ']).optional(),
  /** date: pattern of yyyy, yy, MM, dd. Default yyyyMMdd. */
  dateFormat: z.string().min(1).optional(),
  /** A missing value: 'blank' (spaces), 'zero' (numbers), or 'error'. Default zero for numeric and amount, blank otherwise. */
  ifNull: z.enum(['blank', 'zero', 'error']).optional(),
});

export const fixedWidthRecordSchema = z.strictObject({
  fields: z.array(fixedWidthFieldSchema).min(1),
  /** Total record length; shorter content is filled with spaces. Default: the end of the last field. */
  length: z.number().int().min(1).optional(),
});

export const fixedWidthLayoutSchema = z.strictObject({
  /** A record written once before the details (file.<name> values and literals only). */
  header: fixedWidthRecordSchema.optional(),
  /** The record written per detail item. */
  detail: fixedWidthRecordSchema,
  /** A record written once after the details: literals, file values, counts and control totals. */
  trailer: fixedWidthRecordSchema.optional(),
  /**
   * One detail record per item of this level of the entity (journalLine; invoice, line, distribution;
   * purchaseOrder, line, schedule, distribution; supplier, site). Default: the deepest level the detail fields name.
   */
  detailPer: z.string().optional(),
  /** 'none' writes records back to back (every record type must then have the same length). */
  lineEnding: z.enum(['crlf', 'lf', 'none']).default('crlf'),
  /** Non-ASCII text: 'reject' or 'transliterate' (é → e). Positions count characters, so text is ASCII. */
  nonAscii: z.enum(['reject', 'transliterate']).default('reject'),
});

export type FixedWidthFieldType = (typeof fixedWidthFieldTypes)[number];
export type FixedWidthField = z.infer<typeof fixedWidthFieldSchema>;
export type FixedWidthRecordLayout = z.infer<typeof fixedWidthRecordSchema>;
