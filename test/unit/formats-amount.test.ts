import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Decimal } from 'decimal.js';
import { DecimalTotal, ExactDecimal, fixedAmount, parseDecimal } from '../../src/formats/amount';
import { plainDecimal } from '../../src/fusion/fields';
import { CANONICAL_DECIMAL, RecordFieldError } from '../../src/shared/records';

// The text fast paths (a canonical decimal is its own exact value; totals in a bigint) must give
// exactly what decimal.js gives, errors included: decimal.js is the reference they are checked on.

/** A seeded generator, so a failure names a value that can be run again. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Decimal-looking strings: signs, leading and trailing zeros, zero itself, long values. */
function decimalStrings(count: number, seed: number): string[] {
  const r = random(seed);
  const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(r() * 10))).join('');
  const out = ['0', '-0', '0.0', '-0.00', '00', '0.5', '-0.5', '10', '100.000', '0.05', '-00.10'];
  while (out.length < count) {
    const sign = r() < 0.3 ? '-' : '';
    const whole =
      r() < 0.2 ? '0' : r() < 0.1 ? `0${digits(1 + Math.floor(r() * 3))}` : digits(1 + Math.floor(r() * 16));
    const fraction = r() < 0.3 ? '' : digits(1 + Math.floor(r() * 6)) + (r() < 0.3 ? '0' : '');
    out.push(`${sign}${whole}${fraction ? `.${fraction}` : ''}`);
  }
  return out;
}

function outcome(f: () => string): string {
  try {
    return f();
  } catch (err) {
    assert.ok(err instanceof RecordFieldError, String(err));
    return `error: ${err.reason}`;
  }
}

describe('exact decimal text', () => {
  it('CANONICAL_DECIMAL holds exactly the strings decimal.js writes back unchanged', () => {
    for (const v of decimalStrings(5000, 1)) {
      assert.equal(CANONICAL_DECIMAL.test(v), new Decimal(v).toFixed() === v, v);
    }
  });

  it('fixedAmount pads, refuses a lost digit, and matches decimal.js for every value and place count', () => {
    const reference = (v: string, places: number) => {
      const d = parseDecimal(v, 'r1', 'amount');
      if (d.decimalPlaces() > places) {
        throw new RecordFieldError('r1', 'amount', `${v} has more than ${places} decimal places`);
      }
      return d.toFixed(places);
    };
    for (const v of [...decimalStrings(4000, 2), '1e3', ' 1', 'NaN', '1.', `1${'0'.repeat(40)}`]) {
      for (const places of [0, 2, 3, 6]) {
        assert.equal(
          outcome(() => fixedAmount(v, places, 'r1', 'amount')),
          outcome(() => reference(v, places)),
          `${v} at ${places}`,
        );
      }
    }
    assert.equal(fixedAmount('12.5', 2, 'r1', 'amount'), '12.50');
    assert.equal(fixedAmount('-0.5', 1, 'r1', 'amount'), '-0.5');
    assert.throws(() => fixedAmount('12.345', 2, 'r1', 'amount'), /more than 2 decimal places/);
  });

  it('DecimalTotal adds and subtracts exactly as ExactDecimal does', () => {
    const values = decimalStrings(3000, 3);
    for (let start = 0; start < values.length; start += 37) {
      const batch = values.slice(start, start + 37);
      const half = Math.floor(batch.length / 2);
      let dr = DecimalTotal.ZERO;
      let cr = DecimalTotal.ZERO;
      let refDr = new ExactDecimal(0);
      let refCr = new ExactDecimal(0);
      batch.forEach((v, i) => {
        if (i < half) {
          dr = dr.plus(v, 'r1', 'enteredDr');
          refDr = refDr.plus(v);
        } else {
          cr = cr.plus(v, 'r1', 'enteredCr');
          refCr = refCr.plus(v);
        }
      });
      assert.equal(dr.toFixed(), refDr.toFixed(), batch.join(' + '));
      assert.equal(dr.minus(cr).toFixed(), refDr.minus(refCr).toFixed(), batch.join(' '));
      assert.equal(dr.minus(cr).isZero(), refDr.minus(refCr).isZero());
    }
    assert.equal(DecimalTotal.ZERO.plus('0.1', 'r', 'f').plus('0.2', 'r', 'f').toFixed(), '0.3');
    assert.equal(DecimalTotal.ZERO.plus('-0.5', 'r', 'f').toFixed(), '-0.5');
    assert.equal(
      DecimalTotal.ZERO.plus('1.10', 'r', 'f')
        .minus(DecimalTotal.ZERO.plus('1.1', 'r', 'f'))
        .toFixed(),
      '0',
    );
    assert.throws(() => DecimalTotal.ZERO.plus('1e3', 'line 7', 'enteredCr'), /line 7.*enteredCr|enteredCr/);
  });

  it("plainDecimal gives decimal.js's plain text for plain and exponent values", () => {
    const r = random(4);
    const exponents = Array.from(
      { length: 500 },
      () => `${Math.floor(r() * 9000) / 100}E${r() < 0.5 ? '-' : '+'}${Math.floor(r() * 8)}`,
    );
    for (const v of [...decimalStrings(4000, 5), ...exponents]) {
      assert.deepEqual(plainDecimal(v), { value: new Decimal(v).toFixed() }, v);
    }
  });
});
