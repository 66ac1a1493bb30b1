import { Decimal } from 'decimal.js';
import { isLosslessNumber, LosslessNumber } from 'lossless-json';

// Attribute metadata per resource: drives `q` literal typing, orderBy, fields and /describe.

export type AttributeType = 'string' | 'integer' | 'number' | 'datetime' | 'date' | 'boolean';

export interface Attribute {
  name: string;
  type: AttributeType;
  queryable?: boolean;
}

export type Row = Record<string, unknown>;

/** Thrown for a client mistake; the server turns it into a 400 in the framework version's style. */
export class BadRequest extends Error {
  constructor(
    message: string,
    readonly errorCode = 'SIM-400',
  ) {
    super(message);
  }
}

export function money(value: string): LosslessNumber {
  return new LosslessNumber(new Decimal(value).toFixed(2));
}

/** Comparable value of a row attribute or a `q` literal, by attribute type. */
export function comparable(type: AttributeType, value: unknown): number | string | boolean | null {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'datetime':
    case 'date':
      return typeof value === 'number' ? value : parseInstant(String(value));
    case 'integer':
    case 'number':
      // Decimal strings compare exactly through Decimal; scaled to a sortable number only for
      // ordering, where 15+ significant digits are not at stake in the simulator's data.
      return new Decimal(isLosslessNumber(value) ? value.toString() : String(value)).toNumber();
    case 'boolean':
      return value === true || value === 'true';
    default:
      return String(value);
  }
}

/** RFC 3339 instant, offset instant, or date-only (midnight UTC) → epoch ms. */
export function parseInstant(text: string): number {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = Date.parse(dateOnly ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(ms) || !(dateOnly || /(Z|[+-]\d{2}:\d{2})$/.test(text))) {
    throw new BadRequest(`Invalid date-time literal '${text}'`);
  }
  return ms;
}

/**
 * How a pod stamps LastUpdateDate: `millisecond` (stored and served with milliseconds, as Fusion
 * does: `2026-10-01T08:00:00.123+00:00`), `second` (whole seconds stored and served), or `coarse`
 * (milliseconds stored, whole seconds served: the served value is not the one `q` compares).
 */
export type StampPrecision = 'millisecond' | 'second' | 'coarse';

export interface StampUnits {
  /** Stored stamps are multiples of this (ms). */
  storedMs: 1 | 1000;
  /** Served stamps are truncated to this (ms). */
  servedMs: 1 | 1000;
}

export function stampUnits(precision: StampPrecision = 'millisecond'): StampUnits {
  if (precision === 'second') return { storedMs: 1000, servedMs: 1000 };
  if (precision === 'coarse') return { storedMs: 1, servedMs: 1000 };
  return { storedMs: 1, servedMs: 1 };
}

/** Fusion's timestamp form with an explicit +00:00 offset, truncated to the served unit. */
export function fusionTimestamp(ms: number, servedUnitMs: 1 | 1000): string {
  const iso = new Date(Math.floor(ms / servedUnitMs) * servedUnitMs).toISOString();
  return servedUnitMs === 1000 ? iso.replace('.000Z', '+00:00') : iso.replace('Z', '+00:00');
}

/** Minor-unit digits per ISO 4217 currency where they differ from 2 (JPY none, KWD three). */
const CURRENCY_SCALE: Record<string, number> = { JPY: 0, KRW: 0, KWD: 3, BHD: 3, JOD: 3, OMR: 3, TND: 3 };

export function currencyScale(currency: string | null | undefined): number {
  return CURRENCY_SCALE[currency ?? ''] ?? 2;
}

/** An amount in a currency's own precision, e.g. JPY `1250`, KWD `12.500`; exact, never a float. */
export function moneyIn(currency: string, value: string | Decimal): LosslessNumber {
  return new LosslessNumber(new Decimal(value).toFixed(currencyScale(currency)));
}

/** A decimal exactly as written (quantities, rates): validated, its scale kept. */
export function decimal(value: string): LosslessNumber {
  if (!/^-?\d+(\.\d+)?$/.test(value)) throw new BadRequest(`Not a decimal number: ${value}`);
  return new LosslessNumber(value);
}
