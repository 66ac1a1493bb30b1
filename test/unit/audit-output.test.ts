import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { AuditFilterError, toCsv, toJson } from '../../src/audit';
import { parseInstant, parseRange } from '../../src/audit/filter';

// Audit extracts: RFC 4180 CSV and JSON with RFC 3339 UTC dates; and the time filters they take.

describe('toCsv', () => {
  it('writes a header from the keys, CRLF line ends, and quotes only what RFC 4180 needs', () => {
    const csv = toCsv([
      { fileName: 'a.csv', note: 'plain', rows: 2 },
      { fileName: 'b,c.csv', note: 'say "hi"', rows: 3 },
      { fileName: 'd.csv', note: 'two\r\nlines', rows: 4 },
      { fileName: 'e.csv', note: 'lf\nonly', rows: 5 },
      { fileName: 'f.csv', note: 'cr\ronly', rows: 6 },
    ]);
    assert.equal(
      csv,
      'fileName,note,rows\r\n' +
        'a.csv,plain,2\r\n' +
        '"b,c.csv","say ""hi""",3\r\n' +
        'd.csv,"two\r\nlines",4\r\n' +
        'e.csv,"lf\nonly",5\r\n' +
        'f.csv,"cr\ronly",6\r\n',
    );
  });

  it('writes dates as RFC 3339 in UTC with Z, booleans as words, null as an empty cell', () => {
    const sentAt = new Date('2026-11-01T10:15:30.123+02:00');
    const csv = toCsv([{ sentAt, isResend: false, again: true, uploadedAt: null, missing: undefined }]);
    assert.equal(
      csv,
      'sentAt,isResend,again,uploadedAt,missing\r\n2026-11-01T08:15:30.123Z,false,true,,\r\n',
    );
  });

  it('quotes leading and trailing spaces so no reader trims them', () => {
    assert.equal(toCsv([{ v: ' padded ' }]), 'v\r\n" padded "\r\n');
  });

  it('lines up rows with different keys under one header; keeps dotted keys flat', () => {
    const csv = toCsv([{ a: 1 }, { b: 2, 'line.amount': '-0.10' }]);
    assert.equal(csv, 'a,b,line.amount\r\n1,,\r\n,2,-0.10\r\n');
  });

  it('round-trips through an independent parser', () => {
    const rows = [{ recordId: '300000104500000:1', note: 'x,"y"\r\nz', bytes: 1048577 }];
    const parsed = parse(toCsv(rows), { columns: true, record_delimiter: '\r\n' });
    assert.deepEqual(parsed, [{ recordId: '300000104500000:1', note: 'x,"y"\r\nz', bytes: '1048577' }]);
  });

  it('an empty extract is its header when columns are given, else nothing', () => {
    assert.equal(toCsv([], ['fileName', 'sha256']), 'fileName,sha256\r\n');
    assert.equal(toCsv([]), '');
  });
});

describe('toJson', () => {
  it('writes an indented array with RFC 3339 dates and bigints as strings', () => {
    const json = toJson([{ at: new Date('2026-11-01T00:00:00Z'), id: 12345678901234567890n, ok: true }]);
    assert.ok(json.endsWith('\n'));
    assert.deepEqual(JSON.parse(json), [
      { at: '2026-11-01T00:00:00.000Z', id: '12345678901234567890', ok: true },
    ]);
    assert.equal(toJson([]), '[]\n');
  });
});

describe('audit time filters', () => {
  it('accepts RFC 3339 with a zone, and a date as midnight UTC', () => {
    assert.equal(parseInstant('2026-11-01', 'from'), '2026-11-01T00:00:00Z');
    assert.equal(parseInstant('2026-11-01t10:00:00.5z', 'from'), '2026-11-01T10:00:00.5Z');
    assert.equal(parseInstant('2026-11-01 10:00:00+01:00', 'from'), '2026-11-01T10:00:00+01:00');
  });

  it('refuses a time without a zone, an impossible date and free text', () => {
    for (const bad of ['2026-11-01T10:00:00', '2026-02-30', '2026-13-01T00:00:00Z', 'yesterday', '']) {
      assert.throws(() => parseInstant(bad, 'to'), AuditFilterError, bad);
    }
  });

  it('refuses a range that ends before it starts', () => {
    assert.throws(() => parseRange({ from: '2026-11-02', to: '2026-11-01T23:59:59Z' }), AuditFilterError);
    assert.deepEqual(parseRange({ from: '2026-11-01', to: '2026-11-01' }), {
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-01T00:00:00Z',
    });
  });
});
