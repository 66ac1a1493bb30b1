import { RecordFieldError } from '../../shared/records';
import { ExactDecimal, impliedDecimal, parseDecimal } from '../amount';
import { toAscii } from '../ascii';
import { parseIsoDate } from '../date';
import type { CompiledProfile } from './profile';

// The X12 element and segment encoder. We write segments ourselves rather than through node-x12's
// generator: (1) a file is streamed one transaction set at a time, while node-x12 builds and
// re-parses the whole interchange in memory; (2) node-x12 writes element data as given, so the
// separator policy and the X12 number formats (R, N2) must be applied here anyway; and (3) the
// validator parses our output with node-x12, which is only an independent check if node-x12 did not
// also write it. One encoder per data type, as X12 defines them:
//   AN  text: trimmed, ASCII, separators rejected or cleaned, min/max length
//   R   decimal: no exponent, no trailing zeros, digits (not sign or point) within the max
//   N2  implied two decimals: 1250.00 → 125000, -12.5 → -1250
//   DT  CCYYMMDD

export interface Where {
  recordId: string;
  field: string;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are never valid X12 data
const CONTROL = /[\x00-\x1F\x7F]/;

export class X12Encoder {
  constructor(readonly profile: CompiledProfile) {}

  /** AN element; '' for a missing optional value. */
  text(
    value: string | null | undefined,
    where: Where,
    max: number,
    opts: { min?: number; required?: boolean } = {},
  ): string {
    let text = toAscii((value ?? '').trim(), this.profile.nonAscii, where.recordId, where.field);
    const bad = [...text].filter((ch) => this.profile.reserved.includes(ch) || CONTROL.test(ch));
    if (bad.length > 0) {
      if (this.profile.delimiterPolicy === 'reject') {
        throw new RecordFieldError(
          where.recordId,
          where.field,
          `contains ${JSON.stringify(bad[0])}, an X12 separator or control character (policy: reject)`,
        );
      }
      text = [...text]
        .map((ch) => (bad.includes(ch) ? ' ' : ch))
        .join('')
        .trim();
    }
    if (text === '') {
      if (opts.required) throw new RecordFieldError(where.recordId, where.field, 'is required and empty');
      return '';
    }
    const min = opts.min ?? 1;
    if (text.length > max || text.length < min) {
      throw new RecordFieldError(
        where.recordId,
        where.field,
        `"${text}" is ${text.length} characters, X12 allows ${min}–${max}`,
      );
    }
    return text;
  }

  /** R element: `12.50` → `12.5`, `-3` → `-3`. */
  decimal(value: string, where: Where, maxDigits: number): string {
    const d = parseDecimal(value, where.recordId, where.field);
    let s = d.isZero() ? '0' : d.toFixed();
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
    return this.digits(s, where, maxDigits);
  }

  /** N2 (or Nn) element: the value times 10^places, which must be a whole number. */
  implied(value: string, where: Where, places: number, maxDigits: number): string {
    const d = impliedDecimal(
      parseDecimal(value, where.recordId, where.field),
      places,
      where.recordId,
      where.field,
    );
    return this.digits(d.isZero() ? '0' : d.toFixed(0), where, maxDigits);
  }

  /** N0 element from a count. */
  count(n: number, where: Where, maxDigits: number): string {
    return this.digits(new ExactDecimal(n).toFixed(0), where, maxDigits);
  }

  /** DT element, CCYYMMDD. */
  date(value: string, where: Where): string {
    const { year, month, day } = parseIsoDate(value, where.recordId, where.field);
    return `${year}`.padStart(4, '0') + `${month}`.padStart(2, '0') + `${day}`.padStart(2, '0');
  }

  /** An X12 unit-of-measure code for a Fusion UOM name (profile mapping, then 2-character codes as is). */
  uom(value: string, where: Where): string {
    const code = this.profile.uom[value] ?? this.profile.uom[value.toUpperCase()];
    if (code) return code;
    if (/^[A-Z0-9]{2}$/.test(value)) return value;
    throw new RecordFieldError(
      where.recordId,
      where.field,
      `no X12 unit-of-measure code for "${value}"; add it to the partner profile's uomCodes`,
    );
  }

  /** One segment: trailing empty elements dropped, terminator and line ending added. */
  segment(tag: string, elements: readonly string[]): string {
    const els = [...elements];
    while (els.length > 0 && els[els.length - 1] === '') els.pop();
    const { element, segment } = this.profile.separators;
    return [tag, ...els].join(element) + segment + this.profile.eol;
  }

  private digits(s: string, where: Where, maxDigits: number): string {
    const n = s.replace(/[-.]/g, '').length;
    if (n > maxDigits) {
      throw new RecordFieldError(
        where.recordId,
        where.field,
        `${s} has ${n} digits, X12 allows ${maxDigits}`,
      );
    }
    return s;
  }
}
