import type { EntityName } from '../../shared/records';

// The field layer shared by the CSV and fixed-width writers: a record is expanded into rows at a
// level (0 = the record, 1 = its lines or sites, 2 = …), and a field path such as `invoiceNumber`,
// `line.lineAmount` or `line.distribution.distributionAmount` reads one typed value from a row.

/**
 * How a value is rendered: amounts at fixed decimals, dates in a pattern, the rest as text.
 * 'text' is what people type into Fusion (names, numbers they choose, descriptions, addresses,
 * statuses): a CSV writer neutralises a leading formula character in it. 'code' is a value Fusion
 * generates or checks against its own list (surrogate IDs, the record ID and version, account
 * combinations and segments, currency codes): written as it is, since a seeded ID can be `-1`
 * and an account string must reach the reader unchanged.
 */
export type FieldKind = 'text' | 'code' | 'integer' | 'decimal' | 'amount' | 'date' | 'boolean';

/** One row: the record, then the line (or site, schedule…) at each level below it, or null. */
export type Row = readonly unknown[];

/** What some fields need beyond the record: journal segments, the ledger currency. */
export interface FieldEnv {
  chartOfAccounts?: { delimiter: string; segments: string[] };
  /** Currency of accounted amounts (journal lines), for `decimalPlaces: 'currency'`. */
  ledgerCurrency?: string;
}

export interface FieldSpec {
  kind: FieldKind;
  /** The deepest level the value comes from. */
  level: number;
  get(row: Row, env: FieldEnv): string | number | boolean | null | undefined;
  /** The currency of an amount (for `decimalPlaces: 'currency'`); null when unknown. */
  currency?(row: Row, env: FieldEnv): string | null;
}

export interface EntityFields {
  entity: EntityName;
  /** Level names, record first, e.g. ['invoice', 'line', 'distribution']. */
  levels: readonly string[];
  /** children[i] lists the items of level i + 1 under an item of level i. */
  children: readonly ((parent: never) => readonly unknown[])[];
  /** How an item of level i (i ≥ 1) is named in errors, e.g. `line[3]`. */
  itemLabels: readonly ((item: never) => string)[];
  /** Path prefix of each level: '', 'line.', 'line.distribution.'. */
  prefixes: readonly string[];
  fields: Readonly<Record<string, FieldSpec>>;
  /** Fields whose names are not fixed, like `segment:<name>`; returns a problem text when refused. */
  dynamicField?(path: string, env: FieldEnv): FieldSpec | string | undefined;
}

/** Keys of T whose values are not arrays (the scalar fields of a record, line, site…). */
export type ScalarKeys<T> = { [K in keyof T]: T[K] extends readonly unknown[] ? never : K }[keyof T] & string;

/** Fields of one level: every scalar key of T with its kind, read from `row[level]`. */
export function levelFields<T>(
  prefix: string,
  level: number,
  kinds: Record<ScalarKeys<T>, FieldKind>,
  currency?: (row: Row) => string | null,
): Record<string, FieldSpec> {
  const out: Record<string, FieldSpec> = {};
  for (const [name, kind] of Object.entries(kinds) as [string, FieldKind][]) {
    out[prefix + name] = {
      kind,
      level,
      get: (row) => {
        const item = row[level] as Record<string, unknown> | null | undefined;
        return (item?.[name] ?? null) as string | number | boolean | null;
      },
      ...(kind === 'amount' && currency ? { currency: (row: Row) => currency(row) } : {}),
    };
  }
  return out;
}

/** The field named by a path, or a problem text. */
export function resolveField(entity: EntityFields, path: string, env: FieldEnv): FieldSpec | string {
  const spec = entity.fields[path];
  if (spec) return spec;
  const dynamic = entity.dynamicField?.(path, env);
  if (dynamic) return dynamic;
  return `unknown ${entity.entity} field "${path}"`;
}

/**
 * The rows of one record at a level. A parent with no children still gives one row whose deeper
 * items are null: an invoice without lines is a row with empty line fields, never a dropped invoice.
 */
export function expandRows(entity: EntityFields, record: unknown, level: number): Row[] {
  let rows: unknown[][] = [[record]];
  for (let l = 1; l <= level; l++) {
    const next: unknown[][] = [];
    const children = entity.children[l - 1] as (parent: unknown) => readonly unknown[];
    for (const row of rows) {
      const parent = row[l - 1];
      const kids = parent === null || parent === undefined ? [] : children(parent);
      if (kids.length === 0) next.push([...row, null]);
      else for (const kid of kids) next.push([...row, kid]);
    }
    rows = next;
  }
  return rows;
}

/** The name of a field in an error: `lineAmount` on a record, `line[3].lineAmount` on a line. */
export function fieldLabel(entity: EntityFields, row: Row, path: string, level: number): string {
  if (level === 0) return path;
  const labels: string[] = [];
  for (let l = 1; l <= level; l++) {
    const item = row[l];
    labels.push(
      item ? (entity.itemLabels[l - 1] as (item: unknown) => string)(item) : `${entity.levels[l]}[-]`,
    );
  }
  return `${labels.join('.')}.${path.slice(entity.prefixes[level]!.length)}`;
}

/** The record's identity for a RecordFieldError. */
export function rowRecordId(row: Row): string {
  return (row[0] as { recordId: string }).recordId;
}

/** Deepest level a set of paths reaches (0 when only record fields). */
export function deepestLevel(specs: Iterable<FieldSpec>): number {
  let level = 0;
  for (const s of specs) level = Math.max(level, s.level);
  return level;
}
