import type { Attribute, Row } from './attributes';
import type { ChildScopes, Predicate } from './q';

// A resource of the REST tree (top-level collection or child collection): its attribute
// metadata, how an item is addressed in a path, where its rows come from, and its children.

export interface SortKey {
  attr: Attribute;
  /** 1 ascending, -1 descending. */
  sign: 1 | -1;
}

/** A parsed collection query, for resources that answer a page without materialising rows. */
export interface PageQuery {
  q: string | null;
  finder: string | null;
  frameworkVersion: number;
  predicate: Predicate;
  orderBy: SortKey[] | null;
  offset: number;
  limit: number;
  /**
   * totalResults=true was asked for. Without it a page source may stop counting one row past
   * the page: the total then serves hasMore only.
   */
  countAll: boolean;
  /** A LastUpdateDate (epoch ms) every row the q selects is at or after, when it implies one. */
  lastUpdateFloor: number | null;
}

export interface ResourceNode {
  name: string;
  attributes: Attribute[];
  /** Attribute that names a row among its siblings; /__sim/ mutation paths use its value. */
  primaryKey: string;
  /** Path segment that addresses one item: a plain id or an opaque UniqID. */
  itemKey: (row: Row) => string;
  children: ResourceNode[];
  /** Rows under `parent` (undefined at the top), in the server's natural order. */
  rows: (parent: Row | undefined) => readonly Row[];
  /** Answers one page itself (the generator); otherwise rows() is filtered, sorted and sliced. */
  page?: (parent: Row | undefined, query: PageQuery) => { rows: Row[]; total: number };
  /** Finds an item by its path key; by default a scan of rows(parent). */
  find?: (parent: Row | undefined, key: string) => Row | undefined;
  /** Records a change to the row at `at` (LastUpdateDate), as a concurrent user's update would. */
  touch: (row: Row, at: number) => void;
}

const attributeMaps = new WeakMap<ResourceNode, Map<string, Attribute>>();

export function attributeMap(node: ResourceNode): Map<string, Attribute> {
  let map = attributeMaps.get(node);
  if (!map) {
    map = new Map(node.attributes.map((a) => [a.name, a]));
    attributeMaps.set(node, map);
  }
  return map;
}

export function childNode(node: ResourceNode, name: string): ResourceNode | undefined {
  return node.children.find((c) => c.name === name);
}

export function findItem(node: ResourceNode, parent: Row | undefined, key: string): Row | undefined {
  if (node.find) return node.find(parent, key);
  return node.rows(parent).find((row) => node.itemKey(row) === key);
}

/** What `q` may reach below a resource through `child.Attr` paths. */
export function childScopes(node: ResourceNode): ChildScopes {
  return (name) => {
    const child = childNode(node, name);
    if (!child) return undefined;
    return {
      attributes: attributeMap(child),
      rows: (parent) => child.rows(parent),
      children: childScopes(child),
    };
  };
}

interface DescribedResource {
  title: string;
  attributes: { name: string; type: string; queryable: boolean }[];
  children: Record<string, DescribedResource>;
}

function describeNode(node: ResourceNode): DescribedResource {
  return {
    title: node.name,
    attributes: node.attributes.map((a) => ({
      name: a.name,
      type: a.type,
      queryable: a.queryable !== false,
    })),
    children: Object.fromEntries(node.children.map((c) => [c.name, describeNode(c)])),
  };
}

/** `GET …/<resource>/describe`: metadata nested under Resources.<name> (reference §2.1). */
export function describe(node: ResourceNode): { Resources: Record<string, DescribedResource> } {
  return { Resources: { [node.name]: describeNode(node) } };
}
