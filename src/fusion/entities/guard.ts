import type { ChildSpec, Raw } from '../documents';

// The shape check every document passes before it is mapped. A document is hostile input of
// unknown size and depth: JSON.parse accepts nesting thousands of levels deep, which the
// recursive steps after it (JSON.stringify, the digest's canonical JSON) then overflow the stack
// on. The walk here is iterative, so the check itself cannot overflow, and it stops at the first
// problem.

/**
 * Objects/lists allowed below a row beyond the known child collections. A Fusion row's own
 * fields are flat; what nests is `links` (row → links → link → properties: 3) and expanded
 * flexfield or attachment rows (a list of rows, each with its links: 4). 16 leaves four times
 * that and is still far from anything that strains a recursive reader.
 */
export const MAX_EXTRA_DEPTH = 16;
/** Rows (objects) in one document: a journal batch of 100,000 lines is already extreme. */
export const MAX_ROWS = 100_000;
/** UTF-8 bytes of all strings (keys and values) in one document. */
export const MAX_STRING_BYTES = 64 * 1024 * 1024;

export interface DocumentProblem {
  /** Where, e.g. `journalHeaders[0].journalLines[2].Description`. */
  path: string;
  reason: string;
}

interface Node {
  value: unknown;
  key: string | number | null;
  parent: Node | null;
  /** Containers since the last known row. */
  extra: number;
  /** Set when the value is a row of the document (the root or a row of a known child collection). */
  children?: ChildSpec[];
}

const isRow = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `a[2].b` from a node's keys; odd keys quoted and cut, so a hostile key cannot bloat the path. */
export function nodePath(node: Node | null): string {
  const parts: string[] = [];
  for (let n = node; n && n.key !== null; n = n.parent) {
    const k = n.key;
    if (typeof k === 'number') parts.push(`[${k}]`);
    else if (/^[A-Za-z_][\w]{0,63}$/.test(k)) parts.push(`.${k}`);
    else parts.push(`[${JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k)}]`);
  }
  return parts.reverse().join('').replace(/^\./, '');
}

/** The first problem of a document, or null when it may be mapped. */
export function guardDocument(doc: unknown, children: ChildSpec[]): DocumentProblem | null {
  // Strings are first counted at 3 bytes a UTF-16 unit, UTF-8's most: far cheaper than asking each
  // one's length in UTF-8 (~60 ns a call, 1.5 million calls for 100,000 journal lines). Only a
  // document whose count could pass the limit is walked again with exact lengths; until that
  // point the exact walk finds the same as this one, so the answer is the exact walk's.
  const quick = walk(doc, children, false);
  return quick === MAY_BE_TOO_LONG ? walk(doc, children, true) : quick;
}

/** The quick walk's answer when its upper bound of the text's bytes passed the limit. */
const MAY_BE_TOO_LONG: DocumentProblem = { path: '', reason: '' };

function walk(doc: unknown, children: ChildSpec[], exact: boolean): DocumentProblem | null {
  if (!isRow(doc)) return { path: '(document)', reason: 'is not a JSON object' };
  const byteLength = exact ? (s: string) => Buffer.byteLength(s, 'utf8') : (s: string) => 3 * s.length;
  const stack: Node[] = [{ value: doc, key: null, parent: null, extra: 0, children }];
  let rows = 0;
  let bytes = 0;
  const tooLong = `document text exceeds ${MAX_STRING_BYTES} bytes`;
  const fail = (node: Node, reason: string): DocumentProblem => ({
    path: nodePath(node) || '(document)',
    reason,
  });
  const tooMuchText = (node: Node) => (exact ? fail(node, tooLong) : MAY_BE_TOO_LONG);
  // A plain value below a row or list is taken in place: a node on the stack for each of a row's
  // fields was most of what the walk allocated. Strings are counted, containers walked later.
  const visit = (value: unknown, key: string | number, parent: Node): DocumentProblem | null => {
    if (typeof value === 'string') {
      bytes += byteLength(value);
      return bytes > MAX_STRING_BYTES ? tooMuchText({ value, key, parent, extra: 0 }) : null;
    }
    if (value !== null && typeof value === 'object')
      stack.push({ value, key, parent, extra: parent.extra + 1 });
    return null;
  };
  while (stack.length > 0) {
    const node = stack.pop()!;
    // Only containers are on the stack: the root and child rows are rows, visit pushes no other.
    const v = node.value as object;
    if (node.extra > MAX_EXTRA_DEPTH) {
      return fail(node, `is nested deeper than ${MAX_EXTRA_DEPTH} levels below its row`);
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const problem = visit(v[i], i, node);
        if (problem) return problem;
      }
      continue;
    }
    if (++rows > MAX_ROWS) return fail(node, `document has more than ${MAX_ROWS} rows`);
    const known = node.children ?? [];
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i]!;
      bytes += byteLength(k);
      const child = (v as Raw)[k];
      let spec: ChildSpec | undefined;
      for (const c of known) if (c.name === k) spec = c;
      if (!spec) {
        const problem = visit(child, k, node);
        if (problem) return problem;
        continue;
      }
      // A known child collection: a list of rows, or nothing. Its rows start the depth count again.
      const list: Node = { value: child, key: k, parent: node, extra: 0 };
      if (child === null || child === undefined) continue;
      if (!Array.isArray(child)) return fail(list, 'is not a list of rows');
      for (let j = child.length - 1; j >= 0; j--) {
        const item: Node = { value: child[j], key: j, parent: list, extra: 0, children: spec.children ?? [] };
        if (!isRow(child[j])) return fail(item, 'is not a row');
        stack.push(item);
      }
    }
    if (bytes > MAX_STRING_BYTES) return tooMuchText(node);
  }
  return null;
}
