import type { EntityName, EntityRecordMap } from '../../shared/records';
import { ExactDecimal, parseDecimal } from '../amount';
import { assertLayout } from '../errors';
import { expandRows, fieldLabel, type Row, rowRecordId } from '../fields/types';
import {
  encodeAmount,
  encodeDate,
  encodeNull,
  encodeNumber,
  encodeText,
  encodeWhole,
  type FieldContext,
} from './encode';
import {
  type CompiledField,
  type CompiledFixedWidth,
  type CompiledRecord,
  compileFixedWidth,
  type FixedWidthFileValues,
  type FixedWidthLayout,
} from './layout';

// The fixed-width writer: header once, then each record's detail lines, then the trailer with counts
// and control totals. It keeps only counters and decimal sums, so millions of records stream through
// in constant memory. A record whose detail fails is not counted: its lines are rendered before any
// counter moves, so the caller can quarantine it and carry on.

export interface FixedWidthSummary {
  /** Source records written (journal lines, invoices, suppliers…). */
  records: number;
  /** Detail lines written. */
  details: number;
  /** Every line: header + details + trailer. */
  lines: number;
  /** Control totals by trailer field name, exact decimals. */
  totals: Record<string, string>;
}

export interface FixedWidthWriter<R> {
  /** The header line ('' when the layout has none). Call once, first. */
  header(): string;
  /** The detail lines of one record; throws RecordFieldError and counts nothing when one cannot be written. */
  write(record: R): string;
  /** The trailer line ('' when the layout has none). Call once, last. */
  trailer(): string;
  summary(): FixedWidthSummary;
}

export function fixedWidthWriter<E extends EntityName>(
  entity: E,
  layout: FixedWidthLayout,
  file: FixedWidthFileValues = {},
): FixedWidthWriter<EntityRecordMap[E]> {
  const plan = compileFixedWidth(entity, layout);
  const missing = [plan.header, plan.detail, plan.trailer]
    .flatMap((r) => r?.fields ?? [])
    .flatMap((f) => (f.fileKey !== undefined && !(f.fileKey in file) ? [`file.${f.fileKey}`] : []));
  assertLayout(
    `${entity} fixed-width file values`,
    missing.map((m) => `${m} was not supplied`),
  );

  const totalFields = (plan.trailer?.fields ?? []).filter((f) => f.type === 'total');
  const totals = new Map(totalFields.map((f) => [f, new ExactDecimal(0)]));
  let records = 0;
  let details = 0;
  let lines = 0;

  const fileRecordId = `file`;
  const render = (rec: CompiledRecord, cell: (f: CompiledField) => string): string => {
    let line = '';
    for (const f of rec.fields) {
      line = line.padEnd(f.offset, ' ') + cell(f);
    }
    return line.padEnd(rec.length, ' ') + plan.lineEnding;
  };
  const fileCell = (f: CompiledField, ctx: FieldContext): string => {
    if (f.type === 'literal') return encodeText(f.value!, f, ctx);
    if (f.fileKey !== undefined) return encodeValue(f, file[f.fileKey] ?? null, ctx);
    throw new Error(`unexpected ${f.type} field ${f.name}`);
  };
  const ctxFor = (recordId: string, field: string): FieldContext => ({
    recordId,
    field,
    nonAscii: layout.nonAscii,
  });

  return {
    header() {
      if (!plan.header) return '';
      const out = render(plan.header, (f) => fileCell(f, ctxFor(fileRecordId, `header ${f.name}`)));
      lines++;
      return out;
    },
    write(record) {
      const rows = expandRows(plan.entity, record, plan.detailLevel);
      const rendered = rows.map((row) => render(plan.detail, (f) => detailCell(plan, f, row, file)));
      // Everything rendered: now the counters and totals may move.
      for (const [f, sum] of totals) {
        let s = sum;
        for (const row of rows) {
          const v = f.spec!.get(row, plan.env);
          if (v !== null && v !== undefined) {
            s = s.plus(
              parseDecimal(
                String(v),
                rowRecordId(row),
                fieldLabel(plan.entity, row, f.source!, f.spec!.level),
              ),
            );
          }
        }
        totals.set(f, s);
      }
      records++;
      details += rows.length;
      lines += rows.length;
      return rendered.join('');
    },
    trailer() {
      if (!plan.trailer) return '';
      lines++;
      return render(plan.trailer, (f) => {
        const ctx = ctxFor(fileRecordId, `trailer ${f.name}`);
        if (f.type === 'count') {
          const n = f.count === 'records' ? records : f.count === 'lines' ? lines : details;
          return encodeNumber(new ExactDecimal(n), f, ctx);
        }
        if (f.type === 'total') return encodeNumber(totals.get(f)!, f, ctx);
        return fileCell(f, ctx);
      });
    },
    summary() {
      return {
        records,
        details,
        lines,
        totals: Object.fromEntries([...totals].map(([f, sum]) => [f.name, sum.toFixed()])),
      };
    },
  };
}

function detailCell(
  plan: CompiledFixedWidth,
  f: CompiledField,
  row: Row,
  file: FixedWidthFileValues,
): string {
  const recordId = rowRecordId(row);
  const label = f.spec ? `${f.name} (${fieldLabel(plan.entity, row, f.source!, f.spec.level)})` : f.name;
  const ctx: FieldContext = { recordId, field: label, nonAscii: plan.layout.nonAscii };
  if (f.type === 'literal') return encodeText(f.value!, f, ctx);
  if (f.fileKey !== undefined) return encodeValue(f, file[f.fileKey] ?? null, ctx);
  const v = f.spec!.get(row, plan.env);
  return encodeValue(f, v === null || v === undefined ? null : String(v), ctx);
}

function encodeValue(f: CompiledField, value: string | null, ctx: FieldContext): string {
  if (value === null) return encodeNull(f, ctx);
  switch (f.type) {
    case 'alpha':
      return encodeText(value, f, ctx);
    case 'numeric':
      return encodeWhole(value, f, ctx);
    case 'amount':
      return encodeAmount(value, f, ctx);
    case 'date':
      return encodeDate(value, f, ctx);
    default:
      throw new Error(`unexpected ${f.type} field ${f.name}`);
  }
}

/** Whole-file form for small sets and tests: the text and the summary (counts, totals). */
export function recordsToFixedWidth<E extends EntityName>(
  entity: E,
  records: Iterable<EntityRecordMap[E]>,
  layout: FixedWidthLayout,
  file: FixedWidthFileValues = {},
): { text: string; summary: FixedWidthSummary } {
  const writer = fixedWidthWriter(entity, layout, file);
  let text = writer.header();
  for (const r of records) text += writer.write(r);
  text += writer.trailer();
  return { text, summary: writer.summary() };
}
