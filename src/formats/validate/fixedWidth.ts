import type { Decimal } from 'decimal.js';
import type { EntityName } from '../../shared/records';
import { ExactDecimal } from '../amount';
import {
  type CompiledField,
  type CompiledRecord,
  compileFixedWidth,
  type FixedWidthLayout,
} from '../fixedWidth/layout';
import { type ValidationResult, validationResult } from './result';

// Re-reads a rendered fixed-width file by position before upload: every line's length for its record
// type, literals in place, ASCII only, the line count, the trailer's counts, and each trailer total
// re-added from the detail lines (where the detail shows the summed field) and against the writer's.

export interface FixedWidthExpectation {
  /** Detail lines written (the writer's summary). */
  details: number;
  /** Source records written, for `count: 'records'` fields. */
  records?: number;
  /** Trailer totals by field name (the writer's summary), exact decimals. */
  totals?: Record<string, string>;
}

export function validateFixedWidth(
  text: string,
  entity: EntityName,
  layout: FixedWidthLayout,
  expected: FixedWidthExpectation,
): ValidationResult {
  const plan = compileFixedWidth(entity, layout);
  const problems: string[] = [];
  const bad = /[^\x20-\x7E\r\n]/.exec(text);
  if (bad) problems.push(`character ${JSON.stringify(bad[0])} at offset ${bad.index} is not printable ASCII`);

  let lines: string[];
  if (plan.lineEnding === '') {
    const len = plan.detail.length;
    if (text.length % len !== 0)
      problems.push(`${text.length} characters is not a whole number of ${len}-character records`);
    lines = [];
    for (let i = 0; i < text.length; i += len) lines.push(text.slice(i, i + len));
  } else {
    if (text.length > 0 && !text.endsWith(plan.lineEnding)) problems.push('the last line has no line ending');
    lines = text.split(plan.lineEnding);
    if (lines[lines.length - 1] === '') lines.pop();
    if (plan.lineEnding === '\n' && text.includes('\r')) problems.push('CR found in an LF file');
  }

  const kinds: CompiledRecord[] = [
    ...(plan.header ? [plan.header] : []),
    ...Array.from({ length: expected.details }, () => plan.detail),
    ...(plan.trailer ? [plan.trailer] : []),
  ];
  if (lines.length !== kinds.length) {
    problems.push(`${lines.length} lines, expected ${kinds.length} (${expected.details} details)`);
    return validationResult(problems);
  }
  lines.forEach((line, i) => {
    const rec = kinds[i]!;
    if (line.length !== rec.length) {
      problems.push(`line ${i + 1} (${rec.role}) is ${line.length} characters, expected ${rec.length}`);
      return;
    }
    for (const f of rec.fields) {
      if (f.type === 'literal' && slice(line, f).trim() !== f.value!.trim()) {
        problems.push(`line ${i + 1} (${rec.role}) ${f.name} is "${slice(line, f)}", expected "${f.value}"`);
      }
    }
  });
  if (!plan.trailer || problems.length > 0) return validationResult(problems);

  const trailerLine = lines[lines.length - 1]!;
  const detailLines = lines.slice(plan.header ? 1 : 0, -1);
  for (const f of plan.trailer.fields) {
    const where = `trailer ${f.name}`;
    const got = decodeNumber(slice(trailerLine, f), f);
    if (f.type === 'count') {
      const want =
        f.count === 'lines' ? lines.length : f.count === 'records' ? expected.records : expected.details;
      if (got === null) problems.push(`${where}: "${slice(trailerLine, f)}" is not a number`);
      else if (want !== undefined && !got.equals(want))
        problems.push(`${where} is ${got.toFixed()}, expected ${want}`);
    }
    if (f.type !== 'total') continue;
    if (got === null) {
      problems.push(`${where}: "${slice(trailerLine, f)}" is not a number`);
      continue;
    }
    const want = expected.totals?.[f.name];
    if (want !== undefined && !got.equals(new ExactDecimal(want)))
      problems.push(`${where} is ${got.toFixed()}, expected ${want}`);
    const shown = plan.detail.fields.find((d) => d.type === 'amount' && d.source === f.source);
    if (shown) {
      let sum = new ExactDecimal(0);
      for (const [i, line] of detailLines.entries()) {
        const v = decodeNumber(slice(line, shown), shown);
        if (v === null && slice(line, shown).trim() !== '') {
          problems.push(`detail line ${i + 1} ${shown.name}: "${slice(line, shown)}" is not a number`);
        }
        if (v) sum = sum.plus(v);
      }
      if (!sum.equals(got)) {
        problems.push(
          `${where} is ${got.toFixed()}, the detail lines' ${shown.name} add up to ${sum.toFixed()}`,
        );
      }
    }
  }
  return validationResult(problems);
}

function slice(line: string, f: CompiledField): string {
  return line.slice(f.offset, f.offset + f.width);
}

/** A number field read back: pad, sign position and implied or explicit decimals undone. */
export function decodeNumber(text: string, f: CompiledField): Decimal | null {
  let s = text;
  if (f.pad !== '0') s = f.align === 'right' ? trimStart(s, f.pad) : trimEnd(s, f.pad);
  let negative = false;
  if (f.sign === 'leading' || f.sign === 'trailing') {
    const ch = f.sign === 'leading' ? s[0] : s[s.length - 1];
    if (ch !== '+' && ch !== '-' && ch !== ' ') return null;
    negative = ch === '-';
    s = f.sign === 'leading' ? s.slice(1) : s.slice(0, -1);
    if (f.pad !== '0') s = s.trim();
  }
  const pattern = f.explicitDecimals !== undefined ? /^\d+\.\d+$|^\d+$/ : /^\d+$/;
  if (!pattern.test(s)) return null;
  let d = new ExactDecimal(s);
  if (f.impliedDecimals) d = d.dividedBy(new ExactDecimal(10).pow(f.impliedDecimals));
  return negative ? d.negated() : d;
}

function trimStart(s: string, ch: string): string {
  let i = 0;
  while (i < s.length && s[i] === ch) i++;
  return s.slice(i);
}

function trimEnd(s: string, ch: string): string {
  let i = s.length;
  while (i > 0 && s[i - 1] === ch) i--;
  return s.slice(0, i);
}
