import type { Pool, PoolClient } from 'pg';

// Small SQL helpers shared by the ledger's modules.

/** The pool, or one connection of it inside a transaction. */
export type Queryable = Pool | PoolClient;

/** A timestamptz column as RFC 3339 in UTC with milliseconds, as the rest of the ledger prints them. */
export function rfc3339(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** A WHERE clause built from optional conditions, with numbered parameters. */
export class Conditions {
  readonly params: unknown[] = [];
  private readonly clauses: string[] = [];

  /** Adds `clause(placeholder)` when `value` is set (not null or undefined). */
  add(value: unknown, clause: (placeholder: string) => string): this {
    if (value === null || value === undefined) return this;
    this.params.push(value);
    this.clauses.push(clause(`$${this.params.length}`));
    return this;
  }

  /** A `LIMIT $n` clause, or nothing. */
  limit(limit: number | null): string {
    if (limit === null) return '';
    this.params.push(limit);
    return `LIMIT $${this.params.length}`;
  }

  get where(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}
