import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

// Bulk writes by COPY FROM STDIN (text format): Postgres reads plain tab-separated lines far
// faster than it parses the same rows out of one JSON document or array literals.

const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A value as one field of a COPY text line (backslash, newline, CR and tab escaped). */
export function copyField(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIALS, (ch) => ESCAPED[ch]!) : value;
}

/** Lines sent to Postgres in one piece: a few hundred KB, not one string of the whole page. */
const LINES_A_CHUNK = 512;

/** Writes the lines (fields already joined by tabs, no line end) with one COPY statement. */
export async function copyLines(client: PoolClient, copySql: string, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  function* chunks() {
    for (let i = 0; i < lines.length; i += LINES_A_CHUNK)
      yield `${lines.slice(i, i + LINES_A_CHUNK).join('\n')}\n`;
  }
  await pipeline(Readable.from(chunks()), client.query(copyFrom(copySql)));
}
