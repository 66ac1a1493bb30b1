import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { withConnection } from './transaction';

// Bulk writes by COPY FROM STDIN (text format): Postgres reads plain tab-separated lines far
// faster than it parses the same rows out of one JSON document or array literals. Archived bytes
// are read back by COPY TO STDOUT in binary form.

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

/** The 11 bytes that open a COPY in binary form (PostgreSQL docs, "COPY", binary format). */
const BINARY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * The one value of a one-row, one-column `COPY … TO STDOUT (FORMAT binary)`, as slices of the
 * pieces Postgres sent (no copy, no hex). `what` names it in errors. Anything else than exactly
 * one row with one non-null field is an error.
 */
export async function* binaryCopyValue(source: AsyncIterable<Buffer>, what: string): AsyncGenerator<Buffer> {
  type State = 'header' | 'extension' | 'fields' | 'length' | 'value' | 'end';
  let state: State = 'header';
  /** A header, field count or length not complete yet (they may be cut across pieces). */
  let framing: Buffer = Buffer.alloc(0);
  /** Bytes of the header extension or of the value still to come. */
  let left = 0;
  let rows = 0;
  const fail = (why: string) => new Error(`${what}: ${why}`);
  for await (const piece of source) {
    let at = 0;
    while (at < piece.length) {
      if (state === 'value' || state === 'extension') {
        const n = Math.min(left, piece.length - at);
        if (state === 'value') yield piece.subarray(at, at + n);
        at += n;
        left -= n;
        if (left === 0) state = 'fields';
        continue;
      }
      if (state === 'end') throw fail('more data after the end of the COPY');
      const need = state === 'header' ? BINARY_SIGNATURE.length + 8 : state === 'fields' ? 2 : 4;
      const take = Math.min(need - framing.length, piece.length - at);
      framing = Buffer.concat([framing, piece.subarray(at, at + take)]);
      at += take;
      if (framing.length < need) continue;
      if (state === 'header') {
        if (!framing.subarray(0, BINARY_SIGNATURE.length).equals(BINARY_SIGNATURE))
          throw fail('not a binary COPY');
        // Bits 16–31 are critical: one set (bit 16, OIDs in every row) changes the rows' layout.
        if (framing.readUInt32BE(BINARY_SIGNATURE.length) & 0xffff0000)
          throw fail('a binary COPY with flags this reader does not know');
        left = framing.readUInt32BE(BINARY_SIGNATURE.length + 4);
        state = left > 0 ? 'extension' : 'fields';
      } else if (state === 'fields') {
        const fields = framing.readInt16BE(0);
        if (fields === -1) state = 'end';
        else if (fields !== 1) throw fail(`a row of ${fields} fields, expected 1`);
        else if (++rows > 1) throw fail('more than one row');
        else state = 'length';
      } else {
        left = framing.readInt32BE(0);
        if (left < 0) throw fail('the value is NULL');
        state = left > 0 ? 'value' : 'fields';
      }
      framing = Buffer.alloc(0);
    }
  }
  if (state !== 'end') throw fail('the COPY ended before its trailer');
  if (rows === 0) throw fail('no such row');
}

/**
 * A bytea value read by `COPY (<select of one bytea>) TO STDOUT (FORMAT binary)` on a connection of
 * its own: the bytes as Postgres sends them, where a query result would bring them as hex twice
 * their size, assembled in a buffer that doubles as it arrives (most of an upload's garbage). The
 * value is read whole before it is returned, so the statement and its connection last as long as
 * the read, however slowly the caller then uses the bytes (an SFTP server that stalls). It comes as
 * the slices Postgres sent it in, not copied into one buffer (that copy was ~20 MB of an upload's
 * peak). COPY takes no parameters: `select` gets pg's escapeLiteral for its values. An error
 * names `what`.
 */
export function copiedValue(
  pool: Pool,
  select: (literal: (value: string) => string) => string,
  what: string,
): Promise<Buffer[]> {
  return withConnection(pool, async (client, discard) => {
    const stream = client.query(
      copyTo(`COPY (${select((v) => client.escapeLiteral(v))}) TO STDOUT (FORMAT binary)`),
    );
    const slices: Buffer[] = [];
    try {
      for await (const slice of binaryCopyValue(stream, what)) slices.push(slice);
    } catch (err) {
      // Half read, or refused: the connection may be mid-COPY; it does not go back to the pool.
      stream.on('error', () => {});
      stream.destroy();
      discard(err as Error);
      throw err instanceof Error && err.message.startsWith(`${what}: `)
        ? err
        : new Error(`${what}: ${(err as Error).message}`, { cause: err });
    }
    return slices;
  });
}

/**
 * The archived bytes of one file (or one destination's copy) in a chunk table (`seq`, `data`),
 * in order, in pieces of up to a socket read: its chunks listed, then each read whole by a COPY of
 * its own before it is handed on. One COPY of the whole file would last as long as a slow upload,
 * into any statement_timeout, and hold a connection all along. A chunk gone meanwhile is an error.
 * `table` and the column names are the ledger's own; only the values come from callers.
 */
export async function* copiedChunks(
  pool: Pool,
  table: 'outbound_file_chunk' | 'file_destination_chunk',
  where: Record<string, string>,
  what: string,
): AsyncGenerator<Buffer> {
  const columns = Object.keys(where);
  const { rows } = await pool.query<{ seq: number }>(
    `SELECT seq FROM ${table} WHERE ${columns.map((c, i) => `${c} = $${i + 1}`).join(' AND ')} ORDER BY seq`,
    Object.values(where),
  );
  for (const { seq } of rows) {
    yield* await copiedValue(
      pool,
      (literal) =>
        `SELECT data FROM ${table} WHERE ${columns.map((c) => `${c} = ${literal(where[c]!)}`).join(' AND ')}
         AND seq = ${literal(String(seq))}`,
      `chunk ${seq} of ${what}`,
    );
  }
}
