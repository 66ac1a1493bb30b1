import { type Attribute, BadRequest, comparable, type Row } from './attributes';

// The `q` filter of the ADF REST framework: v1 query-by-example (`A>=1 and <=3;B=x`) and the
// v2+ expression subset (comparisons, and/or, parentheses, like, in, between, is [not] null, upper()),
// including `child.Attr` conditions on child rows (reference §2.3).

export type Predicate = (row: Row) => boolean;

/** A child collection a v2+ `q` may reach through `child.Attr`: its attributes and its rows. */
export interface ChildScope {
  attributes: Map<string, Attribute>;
  rows: (parent: Row) => readonly Row[];
  children?: ChildScopes;
}

export type ChildScopes = (name: string) => ChildScope | undefined;

interface Operand {
  attr: Attribute;
  read: (row: Row) => unknown;
  /** Turns a condition on the operand's own row into one on the row `q` filters. */
  lift: (predicate: Predicate) => Predicate;
  /** The attribute is the filtered row's own, not a child's. */
  own: boolean;
}

/**
 * A parsed v2+ expression: its predicate, and a LastUpdateDate (epoch ms) every matching row is at
 * or after, when the expression implies one (a keyset cursor's q does), else null. `and` takes the
 * highest floor of its terms, `or` the lowest and only when every branch has one; conditions on
 * anything else, on children, or negated, imply none. The generator starts its scans there.
 */
export interface ParsedQ {
  predicate: Predicate;
  lastUpdateFloor: number | null;
}

export type Token =
  | { kind: 'ident'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'op'; text: string }
  | { kind: 'punct'; text: '(' | ')' | ',' };

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= input.length) throw new BadRequest(`Unterminated string literal in q: ${input}`);
        if (input[i] === "'" && input[i + 1] === "'") {
          text += "'";
          i += 2;
        } else if (input[i] === "'") {
          i++;
          break;
        } else {
          text += input[i++];
        }
      }
      tokens.push({ kind: 'string', text });
    } else if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: 'punct', text: ch });
      i++;
    } else if ('<>=!'.includes(ch)) {
      const two = input.slice(i, i + 2);
      const op = ['<=', '>=', '<>', '!='].includes(two) ? two : ch;
      tokens.push({ kind: 'op', text: op });
      i += op.length;
    } else if (/[-\d.]/.test(ch)) {
      const m = /^-?\d+(\.\d+)?/.exec(input.slice(i));
      if (!m) throw new BadRequest(`Unexpected '${ch}' in q: ${input}`);
      tokens.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(input.slice(i))!;
      tokens.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    } else {
      throw new BadRequest(`Unexpected '${ch}' in q: ${input}`);
    }
  }
  return tokens;
}

function likeToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${body}$`, 's');
}

function compare(op: string, left: unknown, right: unknown): boolean {
  if (left === null || right === null) return false; // SQL semantics: null compares to nothing
  const l = left as number | string;
  const r = right as number | string;
  switch (op) {
    case '=':
      return l === r;
    case '<>':
    case '!=':
      return l !== r;
    case '<':
      return l < r;
    case '<=':
      return l <= r;
    case '>':
      return l > r;
    case '>=':
      return l >= r;
    default:
      throw new BadRequest(`Unknown operator ${op}`);
  }
}

class ExpressionParser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly attributes: Map<string, Attribute>,
    private readonly source: string,
    private readonly children?: ChildScopes,
  ) {}

  parse(): ParsedQ {
    const parsed = this.orExpr();
    if (this.pos < this.tokens.length) this.fail(`unexpected '${this.tokens[this.pos]!.text}'`);
    return parsed;
  }

  private fail(why: string): never {
    throw new BadRequest(`Invalid q expression (${why}): ${this.source}`);
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private keyword(word: string): boolean {
    const t = this.peek();
    if (t?.kind === 'ident' && t.text.toLowerCase() === word) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expectPunct(p: '(' | ')' | ','): void {
    const t = this.peek();
    if (t?.kind !== 'punct' || t.text !== p) this.fail(`expected '${p}'`);
    this.pos++;
  }

  private orExpr(): ParsedQ {
    let left = this.andExpr();
    while (this.keyword('or')) {
      const a = left.predicate;
      const b = this.andExpr();
      const floors = [left.lastUpdateFloor, b.lastUpdateFloor];
      left = {
        predicate: (row) => a(row) || b.predicate(row),
        lastUpdateFloor: floors.includes(null) ? null : Math.min(...(floors as number[])),
      };
    }
    return left;
  }

  private andExpr(): ParsedQ {
    let left = this.primary();
    while (this.keyword('and')) {
      const a = left.predicate;
      const b = this.primary();
      const floors = [left.lastUpdateFloor, b.lastUpdateFloor].filter((f): f is number => f !== null);
      left = {
        predicate: (row) => a(row) && b.predicate(row),
        lastUpdateFloor: floors.length ? Math.max(...floors) : null,
      };
    }
    return left;
  }

  private primary(): ParsedQ {
    const t = this.peek();
    if (t?.kind === 'punct' && t.text === '(') {
      this.pos++;
      const inner = this.orExpr();
      this.expectPunct(')');
      return inner;
    }
    return this.condition();
  }

  private operand(): Operand {
    const t = this.peek();
    if (t?.kind !== 'ident') this.fail('expected an attribute name');
    this.pos++;
    if (t.text.toLowerCase() === 'upper' && this.peek()?.text === '(') {
      this.expectPunct('(');
      const inner = this.operand();
      this.expectPunct(')');
      return {
        ...inner,
        read: (row) => {
          const v = inner.read(row);
          return typeof v === 'string' ? v.toUpperCase() : v;
        },
      };
    }
    const path = t.text.split('.');
    const name = path.pop()!;
    let attributes = this.attributes;
    let children = this.children;
    let lift = (p: Predicate): Predicate => p;
    // `invoiceLines.LastUpdateDate > x` holds for a parent when any child row satisfies it
    // (reference §2.3). Deeper paths (`lines.schedules.NeedByDate`) nest the same way: inferred,
    // the reference only shows one level.
    for (const childName of path) {
      const child = children?.(childName);
      if (!child) this.fail(`unknown child resource '${childName}' in '${t.text}'`);
      const outer = lift;
      lift = (p) => outer((row) => child.rows(row).some(p));
      attributes = child.attributes;
      children = child.children;
    }
    const attr = attributes.get(name);
    if (!attr) this.fail(`unknown attribute '${t.text}' (names are case-sensitive)`);
    if (attr.queryable === false) this.fail(`attribute '${t.text}' is not queryable`);
    return { attr, read: (row) => comparable(attr.type, row[attr.name]), lift, own: path.length === 0 };
  }

  private literal(attr: Attribute): unknown {
    const t = this.peek();
    if (!t || (t.kind !== 'string' && t.kind !== 'number' && t.kind !== 'ident'))
      this.fail('expected a value');
    this.pos++;
    if (t.kind === 'ident' && t.text.toLowerCase() === 'null') return null;
    return comparable(attr.type, t.text);
  }

  private condition(): ParsedQ {
    const { attr, read, lift, own } = this.operand();
    const { predicate, low } = this.conditionOn(attr, read);
    const onStamp = own && attr.name === 'LastUpdateDate' && typeof low === 'number';
    return { predicate: lift(predicate), lastUpdateFloor: onStamp ? low : null };
  }

  /** The condition, and its lower bound on the operand when it implies one (>, >=, =, between). */
  private conditionOn(attr: Attribute, read: (row: Row) => unknown): { predicate: Predicate; low?: unknown } {
    if (this.keyword('is')) {
      const negate = this.keyword('not');
      if (!this.keyword('null')) this.fail("expected 'null' after 'is'");
      return { predicate: negate ? (row) => read(row) !== null : (row) => read(row) === null };
    }
    const negate = this.keyword('not');
    if (this.keyword('like')) {
      const t = this.peek();
      if (t?.kind !== 'string') this.fail('like needs a quoted pattern');
      this.pos++;
      const re = likeToRegExp(t.text);
      return {
        predicate: (row) => {
          const v = read(row);
          return v !== null && re.test(String(v)) !== negate;
        },
      };
    }
    if (this.keyword('in')) {
      this.expectPunct('(');
      const values: unknown[] = [this.literal(attr)];
      while (this.peek()?.text === ',') {
        this.pos++;
        values.push(this.literal(attr));
      }
      this.expectPunct(')');
      return {
        predicate: (row) => {
          const v = read(row);
          return v !== null && values.includes(v) !== negate;
        },
      };
    }
    if (this.keyword('between')) {
      const low = this.literal(attr);
      if (!this.keyword('and')) this.fail("expected 'and' in between");
      const high = this.literal(attr);
      return {
        predicate: (row) => {
          const v = read(row);
          return v !== null && (compare('>=', v, low) && compare('<=', v, high)) !== negate;
        },
        ...(negate ? {} : { low }),
      };
    }
    if (negate) this.fail("'not' must be followed by like, in or between");
    const op = this.peek();
    if (op?.kind !== 'op') this.fail(`expected an operator after '${attr.name}'`);
    this.pos++;
    const value = this.literal(attr);
    return {
      predicate: (row) => compare(op.text, read(row), value),
      ...(['>', '>=', '='].includes(op.text) ? { low: value } : {}),
    };
  }
}

/** v2+ expression form. */
export function parseExpressionQ(
  q: string,
  attributes: Map<string, Attribute>,
  children?: ChildScopes,
): ParsedQ {
  return new ExpressionParser(tokenize(q), attributes, q, children).parse();
}

/** v1 query-by-example: `;`-separated `Attr<op>value[ and|or <op>value…]`, the parts ANDed. */
export function parseQbeQ(q: string, attributes: Map<string, Attribute>): Predicate {
  const parts = q.split(';').filter((p) => p.trim() !== '');
  const predicates = parts.map((part) => {
    if (/^\s*[A-Za-z_][A-Za-z0-9_]*\./.test(part))
      throw new BadRequest(`Invalid q expression (child attributes need framework version 2+): ${part}`);
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(.*)$/s.exec(part);
    if (!m) throw new BadRequest(`Invalid q expression: ${part}`);
    const attr = attributes.get(m[1]!);
    if (!attr) throw new BadRequest(`Invalid q expression (unknown attribute '${m[1]}'): ${part}`);
    if (attr.queryable === false)
      throw new BadRequest(`Invalid q expression (attribute '${m[1]}' is not queryable): ${part}`);
    const read = (row: Row) => comparable(attr.type, row[attr.name]);
    // Conditions after the name: `>=10 and <=30`, `=NY or =LA`; a bare value means equality.
    const re =
      /(\band\b|\bor\b)?\s*(<=|>=|<>|!=|=|<|>)?\s*('(?:[^']|'')*'|[^\s]+(?:\s+(?!and\b|or\b)[^\s]+)*)/gy;
    let rest = m[2]!.trim();
    if (!rest) throw new BadRequest(`Invalid q expression (no condition): ${part}`);
    let combined: Predicate | null = null;
    while (rest.length) {
      re.lastIndex = 0;
      const match = re.exec(rest);
      if (!match) throw new BadRequest(`Invalid q expression: ${part}`);
      const [, joiner, op = '=', rawValue = ''] = match;
      const text = rawValue.startsWith("'") ? rawValue.slice(1, -1).replace(/''/g, "'") : rawValue;
      const value = comparable(attr.type, text);
      const cond: Predicate =
        op === '=' && text.includes('*')
          ? (row) => likeToRegExp(text.replace(/\*/g, '%')).test(String(read(row) ?? ''))
          : (row) => compare(op, read(row), value);
      const prev = combined as Predicate | null;
      combined = !prev
        ? cond
        : joiner === 'or'
          ? (row) => prev(row) || cond(row)
          : (row) => prev(row) && cond(row);
      rest = rest.slice(re.lastIndex).trim();
    }
    return combined!;
  });
  return (row) => predicates.every((p) => p(row));
}

/** The q of a request: v2+ expressions (with their LastUpdateDate floor) or v1 query-by-example. */
export function parseQuery(
  q: string,
  frameworkVersion: number,
  attributes: Map<string, Attribute>,
  children?: ChildScopes,
): ParsedQ {
  return frameworkVersion >= 2
    ? parseExpressionQ(q, attributes, children)
    : { predicate: parseQbeQ(q, attributes), lastUpdateFloor: null };
}

export function parseQ(
  q: string,
  frameworkVersion: number,
  attributes: Map<string, Attribute>,
  children?: ChildScopes,
): Predicate {
  return parseQuery(q, frameworkVersion, attributes, children).predicate;
}
