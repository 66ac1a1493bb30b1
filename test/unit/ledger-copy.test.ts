import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binaryCopyValue } from '../../src/ledger/copy';

// The reader of a binary COPY of one bytea value (archived chunks read back): the bytes whatever
// way the stream is cut, and a clear error for anything that is not one row with one value.

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** A binary COPY as Postgres writes it: header (flags, extension), rows of fields, trailer. */
function binaryCopy(rows: (Buffer | null)[][], extension = Buffer.alloc(0)): Buffer {
  const parts: Buffer[] = [SIGNATURE, Buffer.from([0, 0, 0, 0]), Buffer.alloc(4), extension];
  parts[2]!.writeUInt32BE(extension.length);
  for (const fields of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(fields.length);
    parts.push(count);
    for (const value of fields) {
      const length = Buffer.alloc(4);
      length.writeInt32BE(value === null ? -1 : value.length);
      parts.push(length, ...(value ? [value] : []));
    }
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

/** The same COPY with the header's OID flag (bit 16) set. */
function withOids(copy: Buffer): Buffer {
  const flagged = Buffer.from(copy);
  flagged.writeUInt32BE(1 << 16, SIGNATURE.length);
  return flagged;
}

async function* pieces(bytes: Buffer, cuts: number[]) {
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    yield bytes.subarray(from, cut);
    from = cut;
  }
}

async function read(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const slice of binaryCopyValue(source, 'chunk 3 of archived file 42')) out.push(slice);
  return Buffer.concat(out);
}

describe('binaryCopyValue', () => {
  const value = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256));

  it('gives the value byte for byte, cut at every place and in every piece size', async () => {
    const copy = binaryCopy([[value]], Buffer.from('ext'));
    for (let cut = 1; cut < copy.length; cut++) {
      assert.deepEqual(await read(pieces(copy, [cut])), value, `cut at ${cut}`);
    }
    for (const size of [1, 2, 3, 7, 64]) {
      const cuts = Array.from({ length: Math.ceil(copy.length / size) - 1 }, (_, i) => (i + 1) * size);
      assert.deepEqual(await read(pieces(copy, cuts)), value, `pieces of ${size}`);
    }
  });

  it('gives an empty value as no bytes', async () => {
    assert.equal((await read(pieces(binaryCopy([[Buffer.alloc(0)]]), []))).length, 0);
  });

  it('names the value and the fault for anything else', async () => {
    const cases: [Buffer, RegExp][] = [
      [binaryCopy([]), /chunk 3 of archived file 42: no such row/],
      [binaryCopy([[value], [value]]), /more than one row/],
      [binaryCopy([[value, value]]), /a row of 2 fields, expected 1/],
      [binaryCopy([[null]]), /the value is NULL/],
      [binaryCopy([[value]]).subarray(0, 100), /ended before its trailer/],
      [Buffer.concat([binaryCopy([[value]]), Buffer.from([0])]), /more data after the end/],
      [Buffer.from('record_id,data\n1,abcdefghijklmnop\n'), /not a binary COPY/],
      [withOids(binaryCopy([[value]])), /flags this reader does not know/],
    ];
    for (const [copy, error] of cases) await assert.rejects(read(pieces(copy, [5])), error);
  });
});
