import { Decimal } from 'decimal.js';
import { isLosslessNumber } from 'lossless-json';
import { type Attribute, BadRequest, decimal, parseInstant, type Row } from './attributes';
import type { ResourceNode } from './resource';

// An in-memory resource tree (invoices → lines → distributions, …) with the mutations tests
// need: create a row (with nested children) or update one; LastUpdateDate moves on the row and,
// unless the no-bump mode is on, on its ancestors (reference §3.2 / open point 6).

export interface TreeSpec {
  name: string;
  attributes: Attribute[];
  primaryKey: string;
  /** Path key of a row: plain id or opaque UniqID; composite UniqIDs need the parent row. */
  itemKey: (row: Row, parent: Row | undefined) => string;
  children: TreeSpec[];
  /** Where new primary keys come from: the next id of a sequence, or the next line number. */
  keys: 'sequence' | 'lineNumber';
  /** First id of the sequence (ids are 15-digit int64 as in Fusion). */
  firstId?: number;
  /** A non-key ordinal (LineNumber, ScheduleNumber …) filled with the next number when absent. */
  numbered?: string;
}

/** Shared, switchable at run time through /__sim/faults. */
export interface ChangePolicy {
  childChangeBumpsParents: boolean;
}

/** A path to a row by primary-key values: `[InvoiceId]`, `[InvoiceId, 'invoiceLines', 2]`. */
export type RowPath = readonly (string | number)[];

export type NewRow = Record<string, unknown>;

function coerce(attr: Attribute, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const text = isLosslessNumber(value) ? value.toString() : String(value);
  switch (attr.type) {
    case 'integer': {
      if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text)))
        throw new BadRequest(`${attr.name} must be an integer: ${text}`);
      return Number(text);
    }
    case 'number':
      return decimal(value instanceof Decimal ? value.toFixed() : text);
    case 'datetime':
      return typeof value === 'number' ? value : parseInstant(text);
    case 'date':
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new BadRequest(`${attr.name} must be yyyy-MM-dd: ${text}`);
      return text;
    case 'boolean':
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      throw new BadRequest(`${attr.name} must be a boolean: ${text}`);
    default:
      return text;
  }
}

export class TreeStore {
  readonly top: Row[] = [];
  readonly node: ResourceNode;
  private readonly parentOf = new WeakMap<Row, Row>();
  private readonly childrenOf = new WeakMap<Row, Map<string, Row[]>>();
  private readonly specOf = new WeakMap<Row, TreeSpec>();
  private readonly nextId = new Map<TreeSpec, number>();

  constructor(
    readonly spec: TreeSpec,
    private readonly policy: ChangePolicy,
    private readonly clock: () => number,
  ) {
    this.node = this.buildNode(spec);
  }

  /** The stamp for a change now, in the pod's stored unit (the clock floors it). */
  now(): number {
    return this.clock();
  }

  private buildNode(spec: TreeSpec): ResourceNode {
    return {
      name: spec.name,
      attributes: spec.attributes,
      primaryKey: spec.primaryKey,
      itemKey: (row) => spec.itemKey(row, this.parentOf.get(row)),
      children: spec.children.map((c) => this.buildNode(c)),
      rows: (parent) => (parent ? (this.childrenOf.get(parent)?.get(spec.name) ?? []) : this.top),
      touch: (row, at) => this.markChanged(row, at),
    };
  }

  parent(row: Row): Row | undefined {
    return this.parentOf.get(row);
  }

  children(row: Row, childName: string): Row[] {
    return this.childrenOf.get(row)?.get(childName) ?? [];
  }

  /** The row at a primary-key path, or a 404. */
  resolve(path: RowPath): Row {
    const [first, ...rest] = path;
    let spec = this.spec;
    let row = this.top.find((r) => String(r[spec.primaryKey]) === String(first));
    if (!row) throw new BadRequest(`No ${spec.name} ${first}`, 'SIM-404');
    for (let i = 0; i < rest.length; i += 2) {
      const childName = String(rest[i]);
      const childSpec = spec.children.find((c) => c.name === childName);
      if (!childSpec) throw new BadRequest(`${spec.name} has no child ${childName}`, 'SIM-404');
      const key = String(rest[i + 1]);
      const parent: Row = row;
      row = this.children(parent, childName).find((r) => String(r[childSpec.primaryKey]) === key);
      if (!row) throw new BadRequest(`No ${childName} ${key} under ${spec.name}`, 'SIM-404');
      spec = childSpec;
    }
    return row;
  }

  /**
   * Creates a row (top level, or under `parentPath` as `childName`), with nested child arrays
   * named by child resource. Missing keys are assigned; missing timestamps are now.
   */
  create(values: NewRow, parentPath?: RowPath, childName?: string): Row {
    if (!parentPath) return this.insert(this.spec, values, undefined, this.now());
    const parent = this.resolve(parentPath);
    const parentSpec = this.specOf.get(parent)!;
    const spec = parentSpec.children.find((c) => c.name === childName);
    if (!spec) throw new BadRequest(`${parentSpec.name} has no child ${childName}`, 'SIM-404');
    const at = this.now();
    const row = this.insert(spec, values, parent, at);
    this.bumpAncestors(row, at);
    return row;
  }

  /** Updates attributes of the row at `path`; LastUpdateDate moves to now unless given. */
  update(path: RowPath, patch: NewRow): Row {
    const row = this.resolve(path);
    const spec = this.specOf.get(row)!;
    const attributes = new Map(spec.attributes.map((a) => [a.name, a]));
    for (const [name, value] of Object.entries(patch)) {
      const attr = attributes.get(name);
      if (!attr) throw new BadRequest(`${spec.name} has no attribute ${name}`);
      if (name === spec.primaryKey) throw new BadRequest(`${name} is the key and cannot change`);
      row[name] = coerce(attr, value);
    }
    const at = patch.LastUpdateDate === undefined ? this.now() : (row.LastUpdateDate as number);
    this.markChanged(row, at);
    return row;
  }

  /** A change to `row` at `at`: its LastUpdateDate, and its ancestors' unless in no-bump mode. */
  markChanged(row: Row, at: number): void {
    row.LastUpdateDate = at;
    this.bumpAncestors(row, at);
  }

  private bumpAncestors(row: Row, at: number): void {
    if (!this.policy.childChangeBumpsParents) return;
    for (let p = this.parentOf.get(row); p; p = this.parentOf.get(p)) p.LastUpdateDate = at;
  }

  private insert(spec: TreeSpec, values: NewRow, parent: Row | undefined, at: number): Row {
    const row: Row = {};
    const childSpecs = new Map(spec.children.map((c) => [c.name, c]));
    const attributes = new Map(spec.attributes.map((a) => [a.name, a]));
    for (const name of Object.keys(values)) {
      if (!attributes.has(name) && !childSpecs.has(name))
        throw new BadRequest(`${spec.name} has no attribute or child ${name}`);
    }
    for (const attr of spec.attributes) row[attr.name] = coerce(attr, values[attr.name]);
    const siblings = parent ? this.children(parent, spec.name) : this.top;
    if (row[spec.primaryKey] === null) row[spec.primaryKey] = this.newKey(spec, siblings);
    else if (siblings.some((s) => s[spec.primaryKey] === row[spec.primaryKey]))
      throw new BadRequest(`${spec.name} ${row[spec.primaryKey]} exists already`);
    if (spec.numbered && row[spec.numbered] === null)
      row[spec.numbered] = siblings.reduce((max, s) => Math.max(max, s[spec.numbered!] as number), 0) + 1;
    if (attributes.has('CreationDate') && row.CreationDate === null) row.CreationDate = at;
    if (row.LastUpdateDate === null) row.LastUpdateDate = at;
    siblings.push(row);
    if (parent) {
      this.parentOf.set(row, parent);
      let map = this.childrenOf.get(parent);
      if (!map) {
        map = new Map();
        this.childrenOf.set(parent, map);
      }
      map.set(spec.name, siblings);
    }
    this.specOf.set(row, spec);
    for (const [name, childSpec] of childSpecs) {
      const nested = values[name];
      if (nested === undefined || nested === null) continue;
      if (!Array.isArray(nested)) throw new BadRequest(`${spec.name}.${name} must be an array`);
      for (const child of nested as NewRow[]) {
        this.insert(childSpec, child, row, row.LastUpdateDate as number);
      }
    }
    return row;
  }

  private newKey(spec: TreeSpec, siblings: Row[]): number {
    if (spec.keys === 'lineNumber') {
      return siblings.reduce((max, s) => Math.max(max, s[spec.primaryKey] as number), 0) + 1;
    }
    const id = this.nextId.get(spec) ?? spec.firstId ?? 300000000000001;
    this.nextId.set(spec, id + 1);
    return id;
  }
}
