import { Decimal } from 'decimal.js';
import { CANONICAL_DECIMAL, MAX_AMOUNT_DIGITS, RecordFieldError } from '../shared/records';

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

/** A RecordFieldError unless `value` is a plain decimal string of at most MAX_AMOUNT_DIGITS digits. */
function checkDecimal(value: string, recordId: string, field: string): void {
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
}

/** The exact value of a decimal string; a RecordFieldError when it is not one. */
export function parseDecimal(value: string, recordId: string, field: string): Decimal {
  checkDecimal(value, recordId, field);
  return new ExactDecimal(value);
}

/**
 * A decimal string at a fixed number of places. Padding is fine (12.5 → 12.50); losing a digit
 * is not: an amount that would need rounding is an error naming the record and field.
 */
export function fixedAmount(value: string, places: number, recordId: string, field: string): string {
  checkDecimal(value, recordId, field);
  if (CANONICAL_DECIMAL.test(value)) {
    // Its own text is its exact value: the places are counted and padded on the text.
    const point = value.indexOf('.');
    const decimals = point < 0 ? 0 : value.length - point - 1;
    if (decimals > places) {
      throw new RecordFieldError(recordId, field, `${value} has more than ${places} decimal places`);
    }
    if (places === decimals) return value;
    return `${value}${point < 0 ? '.' : ''}${'0'.repeat(places - decimals)}`;
  }
  const d = new ExactDecimal(value);
  if (d.decimalPlaces() > places) {
    throw new RecordFieldError(recordId, field, `${value} has more than ${places} decimal places`);
  }
  return d.toFixed(places);
}

/**
 * An exact running total of decimal strings, as a count of 10^-scale in a bigint: the journal
 * balance adds every amount of a big sync, and a Decimal a value cost more than the rest of the
 * check. Each value is checked as parseDecimal does; the text is what ExactDecimal's toFixed()
 * would write.
 */
export class DecimalTotal {
  private constructor(
    private readonly units: bigint,
    private readonly scale: number,
  ) {}

  static readonly ZERO = new DecimalTotal(0n, 0);

  plus(value: string, recordId: string, field: string): DecimalTotal {
    checkDecimal(value, recordId, field);
    const negative = value.charCodeAt(0) === 45;
    const digits = negative ? value.slice(1) : value;
    const point = digits.indexOf('.');
    const fraction = point < 0 ? '' : digits.slice(point + 1);
    const whole = point < 0 ? digits : digits.slice(0, point);
    const scale = Math.max(this.scale, fraction.length);
    const units = BigInt(whole + fraction.padEnd(scale, '0'));
    return new DecimalTotal(this.at(scale) + (negative ? -units : units), scale);
  }

  minus(other: DecimalTotal): DecimalTotal {
    const scale = Math.max(this.scale, other.scale);
    return new DecimalTotal(this.at(scale) - other.at(scale), scale);
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  toFixed(): string {
    const negative = this.units < 0n;
    const digits = (negative ? -this.units : this.units).toString().padStart(this.scale + 1, '0');
    const whole = digits.slice(0, digits.length - this.scale);
    const fraction = digits.slice(digits.length - this.scale).replace(/0+$/, '');
    return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
  }

  private at(scale: number): bigint {
    return scale === this.scale ? this.units : this.units * 10n ** BigInt(scale - this.scale);
  }
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
