import type { Decimal } from 'decimal.js';
import { RecordFieldError } from '../../shared/records';
import { ExactDecimal, impliedDecimal, parseDecimal } from '../amount';
import { type NonAsciiPolicy, toAscii } from '../ascii';
import { formatDate } from '../date';
import type { CompiledField } from './layout';

// One encoder per field type. Each returns exactly `width` characters or throws a RecordFieldError
// naming the record and field; nothing is ever truncated or rounded to make it fit.

export interface FieldContext {
  recordId: string;
  /** The field as named in errors: the layout field name and its source, e.g. `DR (line[2].lineAmount)`. */
  field: string;
  nonAscii: NonAsciiPolicy;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters would break the line structure
const CONTROL = /[\x00-\x1F\x7F]/;

function fit(text: string, f: CompiledField, ctx: FieldContext): string {
  if (text.length > f.width) {
    throw new RecordFieldError(
      ctx.recordId,
      ctx.field,
      `"${text}" is ${text.length} characters, the field holds ${f.width}`,
    );
  }
  return f.align === 'left' ? text.padEnd(f.width, f.pad) : text.padStart(f.width, f.pad);
}

export function encodeText(value: string, f: CompiledField, ctx: FieldContext): string {
  let text = toAscii(value, ctx.nonAscii, ctx.recordId, ctx.field);
  if (CONTROL.test(text)) {
    if (ctx.nonAscii === 'reject') {
      throw new RecordFieldError(ctx.recordId, ctx.field, 'contains a line break or control character');
    }
    text = text.replace(new RegExp(CONTROL, 'g'), ' ');
  }
  return fit(text, f, ctx);
}

/** A number as sign + digits in the field: zero padding goes between the sign and the digits. */
export function encodeNumber(value: Decimal, f: CompiledField, ctx: FieldContext): string {
  const negative = value.isNegative() && !value.isZero();
  if (negative && f.sign === 'none') {
    throw new RecordFieldError(
      ctx.recordId,
      ctx.field,
      `${value.toFixed()} is negative and the field has no sign position`,
    );
  }
  const decimals = f.explicitDecimals ?? f.impliedDecimals ?? 0;
  const digits =
    f.explicitDecimals !== undefined
      ? fixedDigits(value.abs(), decimals, ctx)
      : impliedDecimal(value.abs(), decimals, ctx.recordId, ctx.field).toFixed(0);
  const sign = f.sign === 'none' ? '' : negative ? '-' : (f.positiveSign ?? '+');
  const room = f.width - sign.length;
  if (digits.length > room) {
    throw new RecordFieldError(
      ctx.recordId,
      ctx.field,
      `${value.toFixed()} needs ${digits.length + sign.length} characters, the field holds ${f.width}`,
    );
  }
  if (f.pad === '0') {
    const body = digits.padStart(room, '0');
    return f.sign === 'trailing' ? body + sign : sign + body;
  }
  return fit(f.sign === 'trailing' ? digits + sign : sign + digits, f, ctx);
}

function fixedDigits(value: Decimal, places: number, ctx: FieldContext): string {
  if (value.decimalPlaces() > places) {
    throw new RecordFieldError(
      ctx.recordId,
      ctx.field,
      `${value.toFixed()} has more than ${places} decimal places`,
    );
  }
  return value.toFixed(places);
}

/** A whole number from an integer, or from a decimal/text value that is one. */
export function encodeWhole(value: string, f: CompiledField, ctx: FieldContext): string {
  if (!/^-?\d+$/.test(value))
    throw new RecordFieldError(ctx.recordId, ctx.field, `"${value}" is not a whole number`);
  return encodeNumber(new ExactDecimal(value), f, ctx);
}

export function encodeAmount(value: string, f: CompiledField, ctx: FieldContext): string {
  return encodeNumber(parseDecimal(value, ctx.recordId, ctx.field), f, ctx);
}

export function encodeDate(value: string, f: CompiledField, ctx: FieldContext): string {
  return fit(formatDate(value, f.dateFormat ?? 'yyyyMMdd', ctx.recordId, ctx.field), f, ctx);
}

/** A missing value per the field's ifNull. */
export function encodeNull(f: CompiledField, ctx: FieldContext): string {
  if (f.ifNull === 'error') throw new RecordFieldError(ctx.recordId, ctx.field, 'is required and missing');
  if (f.ifNull === 'zero') return encodeNumber(new ExactDecimal(0), f, ctx);
  return ' '.repeat(f.width);
}
