import { Decimal } from 'decimal.js';
import { RecordFieldError } from '../shared/records';

// Fusion sends plain decimal strings ("18250", "-0.30"). Anything else (exponents, spaces, "NaN")
// is refused here, so no later step has to guess what a value meant.
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** The exact value of a decimal string; a RecordFieldError when it is not one. */
export function parseDecimal(value: string, recordId: string, field: string): Decimal {
  if (!DECIMAL.test(value)) throw new RecordFieldError(recordId, field, `"${value}" is not a decimal number`);
  return new Decimal(value);
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
  return value.times(new Decimal(10).pow(places));
}
