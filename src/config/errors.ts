import type { z } from 'zod';

/** A configuration problem, worded for the finance or integration admin who has to fix it. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length ? `${message}\n  - ${problems.join('\n  - ')}` : message);
    this.name = 'ConfigError';
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}

export function formatIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    const where = formatPath(issue.path) || '(top level)';
    // One problem per unknown key (configIssueMessage words each on its own line), so each points at its key.
    const lines = issue.code === 'unrecognized_keys' ? issue.message.split('\n') : [issue.message];
    return lines.map((message) => `${where}: ${message}`);
  });
}

/** How the message of an unknown key starts; load.ts reads the key back from it to point at the key. */
export const UNKNOWN_KEY_MESSAGE = /^unknown key ("(?:[^"\\]|\\.)*")/;

/**
 * Messages for config issues that zod words for programmers. An unknown key (every config object is
 * strict) names the key and the closest valid key of that object, or lists the valid keys when none
 * is close: `unknown key "impliedDecimal" (did you mean "impliedDecimals"?)`. Pass it as the `error`
 * option of `safeParse`; it returns undefined for every other issue, which keeps zod's message.
 */
export function configIssueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod
    ?.def?.shape;
  const given = issue.input && typeof issue.input === 'object' ? Object.keys(issue.input) : [];
  const valid = shape ? Object.keys(shape) : [];
  const unused = valid.filter((k) => !given.includes(k));
  return (issue.keys as string[])
    .map((key) => {
      const near = closestKey(key, unused);
      const quoted = JSON.stringify(key);
      if (near) return `unknown key ${quoted} (did you mean "${near}"?)`;
      return valid.length
        ? `unknown key ${quoted}; the keys allowed here are ${valid.join(', ')}`
        : `unknown key ${quoted}`;
    })
    .join('\n');
}

/** The candidate nearest to `key` (case-insensitive edit distance, a swap counting once), if near enough. */
export function closestKey(key: string, candidates: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(k, candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  if (!best) return undefined;
  const allowed = Math.max(1, Math.min(3, Math.floor(Math.max(key.length, best.key.length) / 4)));
  return best.distance <= allowed ? best.key : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row[j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}
