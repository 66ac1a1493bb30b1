import { assertLayout } from '../errors';
import { deepestLevel, type EntityFields, expandRows, type FieldEnv } from '../fields/types';
import { type CompiledColumn, compileColumns } from './cells';
import { type CsvColumn, type CsvFileOptions, csvOptionProblems, rowsToCsv } from './options';

// A compiled CSV layout: one or more row groups, each a level of the record and a column list.
// Flat files have one group; `recordTypes` files have an H group (level 0) and an L group (level 1).

export interface RowGroup {
  level: number;
  columns: CompiledColumn[];
}

export interface CsvPlan {
  groups: RowGroup[];
  options: CsvFileOptions;
}

export interface GroupSpec {
  where: string;
  columns: readonly CsvColumn[];
  /** Exact level, or 'atLeast' n: the deepest level the columns name, and not less than n. */
  level: number | { atLeast: number };
  /** The deepest level these columns may name. */
  maxLevel: number;
}

export function compilePlan(
  name: string,
  entity: EntityFields,
  options: CsvFileOptions,
  env: FieldEnv,
  specs: GroupSpec[],
  extraProblems: string[] = [],
): CsvPlan {
  const problems = [...csvOptionProblems(options), ...extraProblems];
  const groups = specs.map((g) => {
    const columns = compileColumns(entity, g.columns, options, env, g.where, problems);
    const deepest = deepestLevel(columns.flatMap((c) => (c.spec ? [c.spec] : [])));
    if (deepest > g.maxLevel) {
      const names = columns.filter((c) => c.spec && c.spec.level > g.maxLevel).map((c) => c.path);
      problems.push(
        `${g.where}: ${names.join(', ')} name a level below ${entity.levels[g.maxLevel]}, which these rows cannot show`,
      );
    }
    const level = typeof g.level === 'number' ? g.level : Math.max(g.level.atLeast, deepest);
    return { level, columns };
  });
  assertLayout(name, problems);
  return { groups, options };
}

// Layout objects are treated as immutable: each is compiled once and reused for every record.
const cache = new WeakMap<object, CsvPlan>();

export function cachedPlan<L extends object>(layout: L, compile: (layout: L) => CsvPlan): CsvPlan {
  let plan = cache.get(layout);
  if (!plan) {
    plan = compile(layout);
    cache.set(layout, plan);
  }
  return plan;
}

/** The rows of one record, all cells rendered; throws RecordFieldError before returning anything. */
export function planRows(entity: EntityFields, plan: CsvPlan, record: unknown): string[][] {
  const out: string[][] = [];
  for (const group of plan.groups) {
    for (const row of expandRows(entity, record, group.level))
      out.push(group.columns.map((c) => c.cell(row)));
  }
  return out;
}

export function planHeaderRows(plan: CsvPlan): string[][] {
  return plan.options.header ? plan.groups.map((g) => g.columns.map((c) => c.header)) : [];
}

export function planToCsv(entity: EntityFields, plan: CsvPlan, records: Iterable<unknown>): string {
  const rows = planHeaderRows(plan);
  for (const record of records) rows.push(...planRows(entity, plan, record));
  return rowsToCsv(rows, plan.options);
}
