import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLosslessJson } from '../../src/fusion/http';

// The scanner that quotes numbers before JSON.parse, checked against the plain definition of the
// same thing: a regular expression that skips strings and quotes every number outside them.
const STRING_OR_NUMBER = /"[^"\\]*(?:\\.[^"\\]*)*"|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
const byRegex = (text: string): unknown =>
  JSON.parse(text.replace(STRING_OR_NUMBER, (m, num: string | undefined) => (num ? `"${num}"` : m)));

/** A small seeded generator (mulberry32), so a failure names an input that can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NUMBER_TEXTS = [
  '0',
  '-0',
  '7',
  '-12',
  '3.25',
  '-0.10',
  '1e21',
  '1E+21',
  '2.5e-7',
  '98765432109876.54321',
  '300000104455020123',
];
const STRING_PARTS = [
  'a',
  '1',
  '-2.5',
  '"',
  '\\',
  '\\\\',
  'é',
  '\n',
  '\u2028',
  '{',
  '}',
  ',',
  ':',
  ' ',
  'e',
  '😀',
];

/** JSON text with numbers written as numbers, strings full of digits, quotes and backslashes. */
function jsonText(next: () => number, depth = 0): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const r = next();
  if (depth > 3 || r < 0.3) return pick(NUMBER_TEXTS);
  if (r < 0.55) {
    let s = '';
    for (let k = Math.floor(next() * 6); k > 0; k--) s += pick(STRING_PARTS);
    return JSON.stringify(s);
  }
  if (r < 0.62) return pick(['true', 'false', 'null']);
  const ws = () => pick(['', ' ', '\n  ']);
  const items = Array.from({ length: Math.floor(next() * 4) }, () => jsonText(next, depth + 1));
  if (r < 0.8) return `[${ws()}${items.join(`,${ws()}`)}${ws()}]`;
  return `{${items.map((v, k) => `${ws()}${JSON.stringify(`k${k}${pick(STRING_PARTS)}`)}${ws()}:${ws()}${v}`).join(',')}}`;
}

describe('lossless JSON parsing', () => {
  it('gives what quoting every number outside strings gives, for 3,000 generated documents', () => {
    const next = random(20261203);
    for (let n = 0; n < 3000; n++) {
      const text = jsonText(next);
      assert.deepEqual(parseLosslessJson(text), byRegex(text), `document ${n}: ${text}`);
    }
  });

  it('keeps every digit of a number and leaves strings that hold digits as they are', () => {
    assert.deepEqual(
      parseLosslessJson('{"a":98765432109876.54321,"b":"12 \\"3\\" \\\\","c":[-0.10,1E+21]}'),
      {
        a: '98765432109876.54321',
        b: '12 "3" \\',
        c: ['-0.10', '1E+21'],
      },
    );
  });

  for (const bad of [
    '{"a":1.}',
    '{"a":01}',
    '{"a":-}',
    '{"a":1e}',
    '{"a":1.5.2}',
    '{"a":"open}',
    '[1,2',
    '{"a":--1}',
  ]) {
    it(`rejects ${bad}`, () => {
      assert.throws(() => parseLosslessJson(bad), SyntaxError);
    });
  }
});
