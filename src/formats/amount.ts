import { Decimal } from 'decimal.js';
import { MAX_AMOUNT_DIGITS, RecordFieldError } from '../shared/records';

/**
 * decimal.js rounds every result to `precision` significant digits, 20 by default: a sum of two
 * 18-digit amounts would be rounded without a word. An amount has at most MAX_AMOUNT_DIGITS (38)
 * digits, so a sum of any realistic count of them, a difference or a product (quantity × price)
 * has well under 100; 1000 keeps all of them exact with room to spare, and costs nothing for short
 * values (decimal.js keeps only the digits a value has). Every total, balance and product in
 * src/formats is computed with this constructor; values made by parseDecimal carry it along.
 */
export const ExactDecimal = Decimal.clone({ precision: 1000 });

// Fusion sends plain decimal strings ("18250", "-0.30"). Anything else (exponents, spaces, "NaN")
// is refused here, so no later step has to guess what a value meant.
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** The exact value of a decimal string; a RecordFieldError when it is not one. */
export function parseDecimal(value: string, recordId: string, field: string): Decimal {
  if (!DECIMAL.test(value)) {
    throw new RecordFieldError(
      recordId,
      field,
      `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}" is not a decimal number`,
    );
  }
  if (value.replace(/^-?0*/, '').replace('.', '').length > MAX_AMOUNT_DIGITS) {
    throw new RecordFieldError(
      recordId,
      field,
      `${value.slice(0, 40)}… has more than ${MAX_AMOUNT_DIGITS} digits`,
    );
  }
  return new ExactDecimal(value);
}

/**
 * A decimal string at a fixed number of places. Padding is fine (12.5 → 12.50); losing a digit
 * is not: an amount that would need rounding is an error naming the record and field.
 */
export function fixedAmount(value: string, places: number, recordId: string, field: string): string {
  const d = parseDecimal(value, recordId, field);
  if (d.decimalPlaces() > places) {
    throw new RecordFieldError(recordId, field, `${value} has more than ${places} decimal places`);
  }
  return d.toFixed(places);
}

/**
 * The integer a decimal becomes with `places` implied decimals (1250.5 at 2 → 125050), sign kept.
 * More decimals than `places` is an error, never a rounding.
 */
export function impliedDecimal(value: Decimal, places: number, recordId: string, field: string): Decimal {
  if (value.decimalPlaces() > places) {
    throw new RecordFieldError(recordId, field, `${value.toFixed()} has more than ${places} decimal places`);
  }
  return value.times(new ExactDecimal(10).pow(places));
}
