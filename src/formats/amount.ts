import { Decimal } from 'decimal.js';
import { RecordFieldError } from '../shared/records';

/**
 * A decimal string at a fixed number of places. Padding is fine (12.5 → 12.50); losing a digit
 * is not: an amount that would need rounding is an error naming the record and field.
 */
export function fixedAmount(value: string, places: number, recordId: string, field: string): string {
  const d = new Decimal(value);
  if (d.decimalPlaces() > places) {
    throw new RecordFieldError(recordId, field, `${value} has more than ${places} decimal places`);
  }
  return d.toFixed(places);
}
