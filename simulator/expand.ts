import { type Attribute, BadRequest, fusionTimestamp, type Row } from './attributes';
import { attributeMap, childNode, type ResourceNode } from './resource';

// What of an item goes into a response: its attributes (`fields`), its expanded children
// (`expand`, or the child segments of `fields`, which wins when both are given) and links.

export interface Projection {
  /** null: every attribute. */
  attributes: Set<string> | null;
  children: Map<string, Projection>;
}

export interface ShapeContext {
  frameworkVersion: number;
  onlyData: boolean;
  /** Page size of an expanded child collection (v3+). */
  childLimit: number;
  /** Served timestamps are truncated to this unit (ms). */
  stampUnitMs: 1 | 1000;
}

export interface Link {
  rel: string;
  href: string;
  name: string;
  kind: 'item' | 'collection';
}

const everything = (): Projection => ({ attributes: null, children: new Map() });

/** Walks `a.b.c` from `node`, creating projections on the way; every step must be a child. */
function projectionAt(node: ResourceNode, root: Projection, path: string, param: string) {
  let current = root;
  let at = node;
  for (const name of path.split('.')) {
    const child = childNode(at, name);
    if (!child) throw new BadRequest(`Invalid ${param}: '${name}' is not a child of ${at.name}`);
    let next = current.children.get(name);
    if (!next) {
      next = everything();
      current.children.set(name, next);
    }
    current = next;
    at = child;
  }
  return { projection: current, node: at };
}

function attributeSet(node: ResourceNode, list: string): Set<string> | null {
  const names = list
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (names.length === 0) return null;
  const known = attributeMap(node);
  for (const name of names) {
    if (!known.has(name)) throw new BadRequest(`Invalid fields: unknown attribute '${name}' of ${node.name}`);
  }
  return new Set(names);
}

/**
 * `fields=A,B;child:X,Y;child.grandchild:Z` or, without fields, `expand=all|a,b|a.b`.
 * `expand=all` expands the direct children only; grandchildren need a dotted path (inferred from
 * the reference's note that one call returns a supplier with its direct children only).
 */
export function parseProjection(node: ResourceNode, params: URLSearchParams): Projection {
  const root = everything();
  const fields = params.get('fields');
  if (fields) {
    for (const segment of fields.split(';')) {
      const colon = segment.indexOf(':');
      if (colon < 0) {
        root.attributes = attributeSet(node, segment);
      } else {
        const target = projectionAt(node, root, segment.slice(0, colon).trim(), 'fields');
        target.projection.attributes = attributeSet(target.node, segment.slice(colon + 1));
      }
    }
    return root; // fields wins over expand (reference §2.3, §4.4)
  }
  const expand = params.get('expand');
  if (expand) {
    for (const path of expand.split(',').map((p) => p.trim())) {
      if (path === 'all') {
        for (const child of node.children) {
          if (!root.children.has(child.name)) root.children.set(child.name, everything());
        }
      } else if (path) {
        projectionAt(node, root, path, 'expand');
      }
    }
  }
  return root;
}

/** The row's attributes as Fusion prints them: timestamps with an explicit offset, nulls explicit. */
export function serializeRow(
  row: Row,
  attributes: Attribute[],
  fields: Set<string> | null,
  stampUnitMs: 1 | 1000,
): Row {
  const out: Row = {};
  for (const attr of attributes) {
    if (fields && !fields.has(attr.name)) continue;
    const value = row[attr.name];
    out[attr.name] =
      attr.type === 'datetime' && typeof value === 'number'
        ? fusionTimestamp(value, stampUnitMs)
        : (value ?? null);
  }
  return out;
}

export function itemHref(node: ResourceNode, collectionHref: string, row: Row): string {
  return `${collectionHref}/${node.itemKey(row)}`;
}

export function itemLinks(node: ResourceNode, collectionHref: string, row: Row): Link[] {
  const self = itemHref(node, collectionHref, row);
  return [
    { rel: 'self', href: self, name: node.name, kind: 'item' },
    { rel: 'canonical', href: self, name: node.name, kind: 'item' },
    ...node.children.map(
      (child): Link => ({
        rel: 'child',
        href: `${self}/child/${child.name}`,
        name: child.name,
        kind: 'collection',
      }),
    ),
  ];
}

/**
 * One item with its expanded children: bare arrays before v3 (no paging signal), collection
 * objects from v3 on, holding the first `childLimit` rows with hasMore telling the client to
 * follow the child link for the rest (reference §2.2, §4.4).
 */
export function serializeItem(
  node: ResourceNode,
  row: Row,
  collectionHref: string,
  projection: Projection,
  ctx: ShapeContext,
): Row {
  const out = serializeRow(row, node.attributes, projection.attributes, ctx.stampUnitMs);
  const self = itemHref(node, collectionHref, row);
  for (const [name, childProjection] of projection.children) {
    const child = childNode(node, name)!;
    const href = `${self}/child/${name}`;
    const rows = child.rows(row);
    const serialize = (r: Row) => serializeItem(child, r, href, childProjection, ctx);
    if (ctx.frameworkVersion < 3) {
      out[name] = rows.map(serialize);
      continue;
    }
    const page = rows.slice(0, ctx.childLimit);
    out[name] = {
      items: page.map(serialize),
      count: page.length,
      hasMore: rows.length > page.length,
      limit: ctx.childLimit,
      offset: 0,
      // The reference's onlyData sample shows nested collections without links (inferred).
      ...(ctx.onlyData ? {} : { links: [{ rel: 'self', href, name, kind: 'collection' }] }),
    };
  }
  if (!ctx.onlyData) out.links = itemLinks(node, collectionHref, row);
  return out;
}
