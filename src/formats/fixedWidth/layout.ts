import type { z } from 'zod';
import type { EntityName } from '../../shared/records';
import { datePatternProblem } from '../date';
import { assertLayout } from '../errors';
import { ENTITY_FIELDS } from '../fields/registry';
import { type EntityFields, type FieldEnv, type FieldSpec, resolveField } from '../fields/types';
import type {
  FixedWidthField,
  FixedWidthFieldType,
  FixedWidthRecordLayout,
  fixedWidthLayoutSchema,
} from './schema';

// Fixed-width (positional) layouts: a header record, one detail record per journal line / invoice /
// invoice line / supplier / site…, and a trailer with counts and control totals. Every field has a
// width; a value that does not fit is a RecordFieldError naming the record and field, never cut.

export type { FixedWidthField, FixedWidthFieldType, FixedWidthRecordLayout } from './schema';

/** A layout as the configuration gives it (./schema.ts), with the chart of accounts for journal lines. */
export type FixedWidthLayout = z.infer<typeof fixedWidthLayoutSchema> & {
  /** Journal lines: the chart of accounts, for `segment:<name>` fields. */
  chartOfAccounts?: { delimiter: string; segments: string[] };
};

/** Values for `file.<name>` sources, supplied by the caller (run date, batch name, sequence…). */
export type FixedWidthFileValues = Readonly<Record<string, string>>;

export type RecordRole = 'header' | 'detail' | 'trailer';

export interface CompiledField extends FixedWidthField {
  /** 0-based offset in the record. */
  offset: number;
  align: 'left' | 'right';
  pad: string;
  sign: 'leading' | 'trailing' | 'none';
  ifNull: 'blank' | 'zero' | 'error';
  /** For record-field sources and totals. */
  spec?: FieldSpec;
  /** For `file.<name>` sources. */
  fileKey?: string;
}

export interface CompiledRecord {
  role: RecordRole;
  fields: CompiledField[];
  length: number;
}

export interface CompiledFixedWidth {
  entity: EntityFields;
  env: FieldEnv;
  header?: CompiledRecord;
  detail: CompiledRecord;
  trailer?: CompiledRecord;
  detailLevel: number;
  lineEnding: string;
  layout: FixedWidthLayout;
}

const NUMERIC_TYPES = new Set<FixedWidthFieldType>(['numeric', 'amount', 'count', 'total']);

export function compileFixedWidth(entityName: EntityName, layout: FixedWidthLayout): CompiledFixedWidth {
  const entity = ENTITY_FIELDS[entityName];
  const env: FieldEnv = layout.chartOfAccounts ? { chartOfAccounts: layout.chartOfAccounts } : {};
  const problems: string[] = [];

  let detailLevel = -1;
  if (layout.detailPer !== undefined) {
    detailLevel = entity.levels.indexOf(layout.detailPer);
    if (detailLevel < 0) {
      problems.push(`detailPer "${layout.detailPer}" is not one of ${entity.levels.join(', ')}`);
    }
  }
  const compileRecord = (role: RecordRole, rec: FixedWidthRecordLayout): CompiledRecord => {
    const fields: CompiledField[] = [];
    let offset = 0;
    rec.fields.forEach((f, i) => {
      const where = `${role}.fields[${i}] (${f.name})`;
      if (!Number.isInteger(f.width) || f.width < 1)
        problems.push(`${where}: width must be a positive integer`);
      if (f.start !== undefined) {
        if (!Number.isInteger(f.start) || f.start < 1)
          problems.push(`${where}: start must be a positive integer`);
        else if (f.start - 1 < offset)
          problems.push(`${where}: starts at ${f.start}, inside the previous field`);
        else offset = f.start - 1;
      }
      const numeric = NUMERIC_TYPES.has(f.type);
      const pad = f.pad ?? (numeric ? '0' : ' ');
      const align = f.align ?? (numeric ? 'right' : 'left');
      if (pad.length !== 1) problems.push(`${where}: pad must be one character`);
      if (pad === '0' && align === 'left')
        problems.push(`${where}: zero padding on the right would change the number`);
      const sign = f.sign ?? 'none';
      if (f.impliedDecimals !== undefined && f.explicitDecimals !== undefined) {
        problems.push(`${where}: give impliedDecimals or explicitDecimals, not both`);
      }
      for (const d of [f.impliedDecimals, f.explicitDecimals]) {
        if (d !== undefined && (!Number.isInteger(d) || d < 0 || d > 10)) {
          problems.push(`${where}: decimals must be an integer 0–10`);
        }
      }
      if (
        (f.impliedDecimals !== undefined || f.explicitDecimals !== undefined) &&
        f.type !== 'amount' &&
        f.type !== 'total'
      ) {
        problems.push(`${where}: decimals apply to amount and total fields only`);
      }
      if (f.type === 'date') {
        const p = datePatternProblem(f.dateFormat ?? 'yyyyMMdd');
        if (p) problems.push(`${where}: ${p}`);
      }
      const field: CompiledField = {
        ...f,
        offset,
        align,
        pad,
        sign,
        ifNull: f.ifNull ?? (f.type === 'numeric' || f.type === 'amount' ? 'zero' : 'blank'),
      };
      switch (f.type) {
        case 'literal':
          if (f.value === undefined) problems.push(`${where}: a literal needs a value`);
          else if (f.value.length > f.width) problems.push(`${where}: "${f.value}" is wider than ${f.width}`);
          break;
        case 'count':
          if (role !== 'trailer')
            problems.push(`${where}: counts belong in the trailer (the header is written first)`);
          if (!['details', 'records', 'lines'].includes(f.count ?? '')) {
            problems.push(`${where}: count must be details, records or lines`);
          }
          break;
        case 'total': {
          if (role !== 'trailer')
            problems.push(`${where}: totals belong in the trailer (the header is written first)`);
          const r = f.source ? resolveField(entity, f.source, env) : 'a total needs a source field';
          if (typeof r === 'string') problems.push(`${where}: ${r}`);
          else if (r.kind !== 'amount' && r.kind !== 'decimal' && r.kind !== 'integer') {
            problems.push(`${where}: ${f.source} is not a number`);
          } else field.spec = r;
          break;
        }
        default: {
          if (!f.source) {
            problems.push(`${where}: a ${f.type} field needs a source`);
          } else if (f.source.startsWith('file.')) {
            field.fileKey = f.source.slice('file.'.length);
          } else if (role !== 'detail') {
            problems.push(
              `${where}: ${role} fields can use file.<name>, literals${role === 'trailer' ? ', counts and totals' : ''} only`,
            );
          } else {
            const r = resolveField(entity, f.source, env);
            if (typeof r === 'string') problems.push(`${where}: ${r}`);
            else field.spec = r;
          }
        }
      }
      fields.push(field);
      offset += Math.max(0, f.width);
    });
    const length = rec.length ?? offset;
    if (length < offset)
      problems.push(`${role}: length ${rec.length} is shorter than its fields (${offset})`);
    if (rec.fields.length === 0) problems.push(`${role}: no fields`);
    return { role, fields, length };
  };

  const header = layout.header ? compileRecord('header', layout.header) : undefined;
  const detail = compileRecord('detail', layout.detail);
  const trailer = layout.trailer ? compileRecord('trailer', layout.trailer) : undefined;

  const detailSpecs = detail.fields.flatMap((f) => (f.spec ? [f.spec] : []));
  const deepest = detailSpecs.reduce((m, s) => Math.max(m, s.level), 0);
  if (detailLevel < 0) detailLevel = deepest;
  else if (deepest > detailLevel) {
    problems.push(
      `detail fields name a level below ${layout.detailPer}, which one detail per ${layout.detailPer} cannot show`,
    );
  }
  for (const f of trailer?.fields ?? []) {
    // A total of a field above the detail level would add, say, an invoice amount once per line.
    if (f.type === 'total' && f.spec && f.spec.level !== detailLevel) {
      problems.push(
        `trailer ${f.name}: ${f.source} is not a ${entity.levels[detailLevel]} field, so summing it per detail would repeat it`,
      );
    }
  }
  if (!['crlf', 'lf', 'none'].includes(layout.lineEnding))
    problems.push('lineEnding must be crlf, lf or none');
  if (layout.nonAscii !== 'reject' && layout.nonAscii !== 'transliterate') {
    problems.push('nonAscii must be reject or transliterate');
  }
  if (layout.lineEnding === 'none') {
    const lengths = new Set([header, detail, trailer].flatMap((r) => (r ? [r.length] : [])));
    if (lengths.size > 1) problems.push('without line endings every record type needs the same length');
  }
  assertLayout(`${entityName} fixed-width layout`, problems);
  return {
    entity,
    env,
    ...(header ? { header } : {}),
    detail,
    ...(trailer ? { trailer } : {}),
    detailLevel,
    lineEnding: layout.lineEnding === 'crlf' ? '\r\n' : layout.lineEnding === 'lf' ? '\n' : '',
    layout,
  };
}
