import { type Attribute, BadRequest, comparable, fusionTimestamp, type Row } from './attributes';
import { parseQ } from './q';

// One collection GET as the ADF REST framework answers it: filter (q), sort (orderBy), page
// (limit/offset, server clamp), shape (fields, onlyData) and the envelope.

export interface CollectionRequest {
  params: URLSearchParams;
  frameworkVersion: number;
  /** Absolute URL of this collection, for links. */
  href: string;
}

export interface ResourceShape {
  name: string;
  attributes: Attribute[];
  /** Path segment that addresses one item under the collection (a plain id or an opaque UniqID). */
  itemKey: (row: Row) => string;
  children: string[];
}

export interface PagingLimits {
  defaultLimit: number;
  maxLimit: number;
}

export interface Link {
  rel: string;
  href: string;
  name: string;
  kind: 'item' | 'collection';
}

export interface CollectionPage {
  items: Row[];
  totalResults?: number;
  count: number;
  hasMore: boolean;
  limit: number;
  offset: number;
  links?: Link[];
}

function nonNegativeInt(params: URLSearchParams, name: string, fallback: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw))
    throw new BadRequest(`Query parameter ${name} must be a non-negative integer: ${raw}`);
  return Number(raw);
}

function sorter(orderBy: string, attributes: Map<string, Attribute>): (a: Row, b: Row) => number {
  const keys = orderBy.split(',').map((part) => {
    const [name = '', direction = 'asc'] = part.trim().split(':');
    const attr = attributes.get(name);
    if (!attr) throw new BadRequest(`Invalid orderBy: unknown attribute '${name}'`);
    if (direction !== 'asc' && direction !== 'desc')
      throw new BadRequest(`Invalid orderBy direction '${direction}'`);
    return { attr, sign: direction === 'desc' ? -1 : 1 };
  });
  return (a, b) => {
    for (const { attr, sign } of keys) {
      const x = comparable(attr.type, a[attr.name]);
      const y = comparable(attr.type, b[attr.name]);
      if (x === y) continue;
      if (x === null) return sign; // nulls last ascending
      if (y === null) return -sign;
      return (x < y ? -1 : 1) * sign;
    }
    return 0;
  };
}

export function serializeRow(row: Row, attributes: Attribute[], fields: Set<string> | null): Row {
  const out: Row = {};
  for (const attr of attributes) {
    if (fields && !fields.has(attr.name)) continue;
    const value = row[attr.name];
    out[attr.name] =
      attr.type === 'datetime' && typeof value === 'number' ? fusionTimestamp(value) : (value ?? null);
  }
  return out;
}

export function itemLinks(shape: ResourceShape, collectionHref: string, row: Row): Link[] {
  const self = `${collectionHref}/${shape.itemKey(row)}`;
  return [
    { rel: 'self', href: self, name: shape.name, kind: 'item' },
    { rel: 'canonical', href: self, name: shape.name, kind: 'item' },
    ...shape.children.map(
      (child): Link => ({ rel: 'child', href: `${self}/child/${child}`, name: child, kind: 'collection' }),
    ),
  ];
}

export function listCollection(
  shape: ResourceShape,
  rows: Iterable<Row>,
  request: CollectionRequest,
  limits: PagingLimits,
): CollectionPage {
  const { params } = request;
  const attributes = new Map(shape.attributes.map((a) => [a.name, a]));
  const q = params.get('q');
  const predicate = q ? parseQ(q, request.frameworkVersion, attributes) : () => true;
  let selected = [...rows].filter(predicate);
  const orderBy = params.get('orderBy');
  if (orderBy) selected.sort(sorter(orderBy, attributes));

  const requested = nonNegativeInt(params, 'limit', limits.defaultLimit);
  const limit = Math.min(Math.max(requested, 1), limits.maxLimit);
  const offset = nonNegativeInt(params, 'offset', 0);
  const total = selected.length;
  selected = selected.slice(offset, offset + limit);

  const fieldsParam = params.get('fields');
  const fields = fieldsParam
    ? new Set(
        fieldsParam
          .split(';')[0]!
          .split(',')
          .map((f) => f.trim()),
      )
    : null;
  if (fields) {
    for (const f of fields)
      if (!attributes.has(f)) throw new BadRequest(`Invalid fields: unknown attribute '${f}'`);
  }
  const onlyData = params.get('onlyData') === 'true';
  const items = selected.map((row) => {
    const item = serializeRow(row, shape.attributes, fields);
    if (!onlyData) item.links = itemLinks(shape, request.href, row);
    return item;
  });
  const page: CollectionPage = {
    items,
    ...(params.get('totalResults') === 'true' ? { totalResults: total } : {}),
    count: items.length,
    hasMore: offset + items.length < total,
    limit,
    offset,
  };
  page.links = [{ rel: 'self', href: request.href, name: shape.name, kind: 'collection' }];
  return page;
}
