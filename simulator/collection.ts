import { BadRequest, comparable, type Row } from './attributes';
import { type Link, parseProjection, type ShapeContext, serializeItem } from './expand';
import { parseQuery } from './q';
import { attributeMap, childScopes, type PageQuery, type ResourceNode, type SortKey } from './resource';

// One collection GET as the ADF REST framework answers it: filter (q, finder), sort (orderBy),
// page (limit/offset, server clamp), shape (fields, expand, onlyData) and the envelope.

export { itemLinks, type Link, serializeRow } from './expand';

export interface CollectionRequest {
  params: URLSearchParams;
  frameworkVersion: number;
  /** Absolute URL of this collection, for links. */
  href: string;
  /** Served timestamps are truncated to this unit (ms). */
  stampUnitMs: 1 | 1000;
}

export interface PagingLimits {
  /** Page size when the request gives no limit (Fusion: 25). */
  defaultLimit: number;
  /** Larger requested limits are clamped silently to this (500; 499 on some pods). */
  maxLimit: number;
  /** Page size of an expanded child collection in v3+ (25). */
  childLimit: number;
}

export const DEFAULT_PAGING: PagingLimits = { defaultLimit: 25, maxLimit: 500, childLimit: 25 };

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

export function parseOrderBy(orderBy: string, node: ResourceNode): SortKey[] {
  const attributes = attributeMap(node);
  return orderBy.split(',').map((part) => {
    const [name = '', direction = 'asc'] = part.trim().split(':');
    const attr = attributes.get(name);
    if (!attr) throw new BadRequest(`Invalid orderBy: unknown attribute '${name}'`);
    if (direction !== 'asc' && direction !== 'desc')
      throw new BadRequest(`Invalid orderBy direction '${direction}'`);
    return { attr, sign: direction === 'desc' ? -1 : 1 };
  });
}

export function sorter(keys: SortKey[]): (a: Row, b: Row) => number {
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

/** `finder=PrimaryKey;InvoiceId=1`: the one finder every resource is assumed to have [I]. */
function finderPredicate(finder: string, node: ResourceNode): (row: Row) => boolean {
  const [name, vars = ''] = finder.split(';');
  if (name !== 'PrimaryKey') throw new BadRequest(`Unknown finder ${name} on ${node.name}`);
  const attributes = attributeMap(node);
  const conditions = vars
    .split(',')
    .filter(Boolean)
    .map((pair) => {
      const [attrName = '', value = ''] = pair.split('=');
      const attr = attributes.get(attrName);
      if (!attr) throw new BadRequest(`Invalid finder variable '${attrName}'`);
      const wanted = comparable(attr.type, value);
      return (row: Row) => comparable(attr.type, row[attr.name]) === wanted;
    });
  return (row) => conditions.every((c) => c(row));
}

export function compileQuery(
  node: ResourceNode,
  params: URLSearchParams,
  frameworkVersion: number,
  limits: PagingLimits,
): PageQuery {
  const q = params.get('q') || null;
  const parsed = q ? parseQuery(q, frameworkVersion, attributeMap(node), childScopes(node)) : null;
  const byQ = parsed?.predicate ?? null;
  const finder = params.get('finder');
  const byFinder = finder ? finderPredicate(finder, node) : null;
  const orderBy = params.get('orderBy');
  const requested = nonNegativeInt(params, 'limit', limits.defaultLimit);
  return {
    q,
    finder,
    frameworkVersion,
    predicate: (row) => (byQ === null || byQ(row)) && (byFinder === null || byFinder(row)),
    orderBy: orderBy ? parseOrderBy(orderBy, node) : null,
    offset: nonNegativeInt(params, 'offset', 0),
    // The applied limit, echoed in the envelope: a larger request is clamped without notice.
    limit: Math.min(Math.max(requested, 1), limits.maxLimit),
    countAll: params.get('totalResults') === 'true',
    lastUpdateFloor: parsed?.lastUpdateFloor ?? null,
  };
}

/** The rows of one page and how many rows match in all. */
export function selectPage(
  node: ResourceNode,
  parent: Row | undefined,
  query: PageQuery,
): { rows: Row[]; total: number } {
  if (node.page) return node.page(parent, query);
  const selected = node.rows(parent).filter(query.predicate);
  if (query.orderBy) selected.sort(sorter(query.orderBy));
  return { rows: selected.slice(query.offset, query.offset + query.limit), total: selected.length };
}

export function shapeContext(
  params: URLSearchParams,
  frameworkVersion: number,
  limits: PagingLimits,
  stampUnitMs: 1 | 1000,
): ShapeContext {
  return {
    frameworkVersion,
    onlyData: params.get('onlyData') === 'true',
    childLimit: limits.childLimit,
    stampUnitMs,
  };
}

export function listCollection(
  node: ResourceNode,
  parent: Row | undefined,
  request: CollectionRequest,
  limits: PagingLimits,
): CollectionPage {
  const { params, frameworkVersion } = request;
  const query = compileQuery(node, params, frameworkVersion, limits);
  const projection = parseProjection(node, params);
  const ctx = shapeContext(params, frameworkVersion, limits, request.stampUnitMs);
  const { rows, total } = selectPage(node, parent, query);
  const items = rows.map((row) => serializeItem(node, row, request.href, projection, ctx));
  return {
    items,
    ...(params.get('totalResults') === 'true' ? { totalResults: total } : {}),
    count: items.length,
    hasMore: query.offset + items.length < total,
    limit: query.limit,
    offset: query.offset,
    links: [{ rel: 'self', href: request.href, name: node.name, kind: 'collection' }],
  };
}

/** `GET …/<collection>/<key>`: one item, with the same fields/expand/onlyData handling. */
export function showItem(
  node: ResourceNode,
  row: Row,
  collectionHref: string,
  params: URLSearchParams,
  frameworkVersion: number,
  limits: PagingLimits,
  stampUnitMs: 1 | 1000,
): Row {
  return serializeItem(
    node,
    row,
    collectionHref,
    parseProjection(node, params),
    shapeContext(params, frameworkVersion, limits, stampUnitMs),
  );
}
