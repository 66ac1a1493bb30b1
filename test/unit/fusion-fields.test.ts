import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Extracted, entityReaders } from '../../src/fusion/entities';
import { MAX_EXTRA_DEPTH } from '../../src/fusion/entities/guard';
import { boundedPayload, mapOne, PAYLOAD_MAX_CHARS } from '../../src/fusion/entities/map';
import { FieldReader, parseInstant, plainDecimal } from '../../src/fusion/fields';
import { RecordFieldError } from '../../src/shared/records';

// Hostile values in Fusion documents: each becomes a quarantine entry naming the record and the
// field, and mapping a document never throws.

const batch = { JeBatchId: '300000104400001', BatchName: 'Payroll accrual MAR-24', Status: 'P' };
const header = {
  JeHeaderId: '300000104455020',
  JournalName: 'Payroll accrual MAR-24',
  LedgerName: 'US Primary Ledger',
  LedgerCurrencyCode: 'USD',
  PeriodName: 'Mar-24',
  DefaultEffectiveDate: '2024-03-31',
};
const line = {
  JeLineNumber: '1',
  AccountCombination: '101-10-60010-000',
  EnteredDr: '18250.00',
  EnteredCr: null,
  AccountedDr: '18250.00',
  AccountedCr: null,
  CurrencyCode: 'USD',
  Description: 'Salaries accrual',
  LastUpdateDate: '2024-03-31T23:04:12+02:00',
};

const deep = (levels: number): unknown => {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};

type JournalOut = Extracted<unknown>[];
const journal = (l: Record<string, unknown>, h: Record<string, unknown> = {}): JournalOut =>
  entityReaders.journalLines.toRecords({
    ...batch,
    journalHeaders: [{ ...header, ...h, journalLines: [l] }],
  });

/** The one quarantine entry of `out`; its payload must be storable (JSON) and bounded. */
function quarantineOf(out: JournalOut) {
  assert.equal(out.length, 1);
  const x = out[0]!;
  assert.equal(x.ok, false, 'the record is quarantined');
  if (x.ok) throw new Error('unreachable');
  assert.ok(x.error instanceof RecordFieldError);
  const stored = JSON.stringify(x.raw);
  assert.ok(stored.length < PAYLOAD_MAX_CHARS * 2, `stored payload is bounded (${stored.length})`);
  assert.ok(!stored.includes('\\u0000'));
  return x;
}

describe('hostile Fusion values → quarantine naming record and field', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>, string | RegExp, RegExp][] = [
    ['an exponent of 9e18', { EnteredDr: '1e9000000000000000' }, {}, 'EnteredDr', /exponent beyond ±38/],
    ['1e400', { EnteredDr: '1e400' }, {}, 'EnteredDr', /exponent beyond ±38/],
    ['a huge negative exponent', { EnteredDr: '-0.1e-99999999' }, {}, 'EnteredDr', /exponent beyond ±38/],
    ['a 60-digit amount', { AccountedDr: '1'.repeat(60) }, {}, 'AccountedDr', /more than 38 digits/],
    ['a 60-digit fraction', { EnteredDr: `0.${'1'.repeat(60)}` }, {}, 'EnteredDr', /more than 38 digits/],
    [
      'an exponent within range that still makes 39 digits',
      { EnteredDr: '1e38' },
      {},
      'EnteredDr',
      /38 digits/,
    ],
    [
      'a timestamp out of every range',
      { LastUpdateDate: '2026-13-45T99:99:99Z' },
      {},
      'LastUpdateDate',
      /time zone/,
    ],
    [
      'a timestamp without a zone',
      { LastUpdateDate: '2026-01-01T10:00:00' },
      {},
      'LastUpdateDate',
      /time zone/,
    ],
    ['a leap second', { LastUpdateDate: '2026-12-31T23:59:60Z' }, {}, 'LastUpdateDate', /time zone/],
    ['24:00', { LastUpdateDate: '2026-12-31T24:00:00Z' }, {}, 'LastUpdateDate', /time zone/],
    [
      'an offset of 24 hours',
      { LastUpdateDate: '2026-12-31T10:00:00+24:00' },
      {},
      'LastUpdateDate',
      /time zone/,
    ],
    [
      'trailing text after a timestamp',
      { LastUpdateDate: '2026-12-31T10:00:00Zjunk' },
      {},
      'LastUpdateDate',
      /zone/,
    ],
    [
      'February 30',
      {},
      { DefaultEffectiveDate: '2026-02-30' },
      'DefaultEffectiveDate',
      /not a real calendar day/,
    ],
    [
      'February 29 of a common year',
      {},
      { DefaultEffectiveDate: '2023-02-29' },
      'DefaultEffectiveDate',
      /real/,
    ],
    [
      'a date with a bad time',
      {},
      { DefaultEffectiveDate: '2026-01-01T25:00:00' },
      'DefaultEffectiveDate',
      /date/,
    ],
    ['a 10 MB description', { Description: 'x'.repeat(10_000_000) }, {}, 'Description', /longer than 4000/],
    [
      'U+FFFD in a description',
      { Description: 'Caf\uFFFD' },
      {},
      'Description',
      /^invalid UTF-8 \(U\+FFFD\)$/,
    ],
    [
      'an object where text is expected',
      { Description: { text: 'x' } },
      {},
      'Description',
      /is not text \(object\)/,
    ],
    [
      'a list where text is expected',
      { AccountCombination: ['1'] },
      {},
      'AccountCombination',
      /not text \(a list\)/,
    ],
    ['a NUL in a text', { Description: 'a\u0000b' }, {}, 'Description', /control character \(U\+0000\)/],
    ['an unpaired surrogate', { Description: 'a\uD800b' }, {}, 'Description', /surrogate/],
    ['an integer in exponent form', { JeLineNumber: '1e3' }, {}, /^JeLineNumber$/, /not an integer/],
    ['an ID of 39 digits', {}, { JeHeaderId: '9'.repeat(39) }, 'JeHeaderId', /longer than 38 digits/],
    ['a bad ledger currency', {}, { LedgerCurrencyCode: 'usd' }, 'LedgerCurrencyCode', /ISO 4217/],
  ];
  for (const [name, lineChange, headerChange, field, reason] of cases) {
    it(name, () => {
      const q = quarantineOf(journal({ ...line, ...lineChange }, headerChange));
      if (typeof field === 'string') assert.equal(q.error.field, field);
      else assert.match(q.error.field, field);
      assert.match(q.error.reason, reason);
      assert.ok(q.error.reason.length < 200, 'the reason quotes a bounded excerpt');
      // The record ID is made of JeHeaderId and JeLineNumber as sent (bounded, see label()).
      if (!('JeHeaderId' in headerChange) && !('JeLineNumber' in lineChange)) {
        assert.equal(q.recordId, '300000104455020:1');
      }
    });
  }

  it('5,000-deep nesting in a description: the whole batch quarantined at the path that is too deep', () => {
    const q = quarantineOf(journal({ ...line, Description: deep(5000) }));
    assert.equal(q.recordId, '300000104455020:1');
    assert.equal(q.version, '2024-03-31T21:04:12.000Z');
    assert.ok(q.error.field.startsWith('journalHeaders[0].journalLines[0].Description.a.a'));
    assert.match(q.error.reason, new RegExp(`nested deeper than ${MAX_EXTRA_DEPTH} levels`));
  });

  it('nesting up to the bound is mapped (links, flexfields), one level more is not', () => {
    // links (1) → link (2) → properties: nesting objects from level 3 on.
    const ok = journal({ ...line, links: [{ rel: 'self', properties: deep(MAX_EXTRA_DEPTH - 2) }] });
    assert.equal(ok[0]!.ok, true);
    const tooDeep = journal({ ...line, links: [{ rel: 'self', properties: deep(MAX_EXTRA_DEPTH - 1) }] });
    assert.equal(tooDeep[0]!.ok, false);
  });

  it('a deep header field quarantines every line of the batch under its own ID', () => {
    const doc = {
      ...batch,
      journalHeaders: [{ ...header, Extra: deep(100), journalLines: [line, { ...line, JeLineNumber: '2' }] }],
    };
    const out = entityReaders.journalLines.toRecords(doc);
    assert.deepEqual(
      out.map((x) => (x.ok ? 'ok' : `${x.recordId} ${x.error.field.slice(0, 27)}`)),
      ['300000104455020:1 journalHeaders[0].Extra.a.a', '300000104455020:2 journalHeaders[0].Extra.a.a'],
    );
  });

  it('a batch whose lines cannot be named is quarantined as batch:<JeBatchId>', () => {
    const out = entityReaders.journalLines.toRecords({ ...batch, journalHeaders: 'not a list' });
    assert.equal(out.length, 1);
    const x = out[0]!;
    assert.ok(!x.ok);
    assert.equal(x.recordId, 'batch:300000104400001');
    assert.equal(x.error.field, 'journalHeaders');
    assert.match(x.error.reason, /not a list of rows/);
  });

  it('a child collection holding a non-row is refused with its index', () => {
    const out = entityReaders.journalLines.toRecords({
      ...batch,
      journalHeaders: [{ ...header, journalLines: [line, 'x'] }],
    });
    assert.ok(out.every((x) => !x.ok && x.error.field === 'journalHeaders[0].journalLines[1]'));
  });

  it('one bad invoice does not stop the page: the others are mapped', () => {
    const invoice = {
      InvoiceId: '300100',
      InvoiceNumber: 'INV-1',
      BusinessUnit: 'US1',
      Supplier: 'Acme',
      SupplierNumber: '1288',
      InvoiceAmount: '100.00',
      InvoiceCurrency: 'USD',
      InvoiceDate: '2026-10-01',
      LastUpdateDate: '2026-10-01T10:00:00Z',
      invoiceLines: [{ LineNumber: '1', LineType: 'Item', LineAmount: '100.00', Description: 'x' }],
    };
    const page = [
      {
        ...invoice,
        InvoiceId: '300101',
        invoiceLines: [{ ...invoice.invoiceLines[0], Description: deep(5000) }],
      },
      invoice,
      { ...invoice, InvoiceId: '300102', InvoiceAmount: '1e9000000000000000' },
    ];
    const out = page.flatMap((doc) => entityReaders.invoices.toRecords(doc));
    assert.deepEqual(
      out.map((x) => (x.ok ? `ok ${x.record.recordId}` : `${x.recordId} ${x.error.field.slice(0, 39)}`)),
      ['300101 invoiceLines[0].Description.a.a.a.a.a.a', 'ok 300100', '300102 InvoiceAmount'],
    );
  });

  it('a malformed child LastUpdateDate is an error naming the child, not skipped', () => {
    const po = {
      POHeaderId: '1',
      OrderNumber: 'PO1',
      Supplier: 'Acme',
      CurrencyCode: 'USD',
      CreationDate: '2026-01-01T00:00:00Z',
      LastUpdateDate: '2026-01-01T00:00:00Z',
      lines: [{ POLineId: '2', LineNumber: '1', LastUpdateDate: '2026-02-30T00:00:00Z' }],
    };
    const [x] = entityReaders.purchaseOrders.toRecords(po);
    assert.ok(x && !x.ok);
    assert.equal(x.error.field, 'lines[0].LastUpdateDate');
  });

  it('any error a mapper throws becomes a quarantine entry, not a failed page', () => {
    const x = mapOne('42', '2026-01-01T00:00:00.000Z', { a: 1 }, () => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    assert.ok(!x.ok);
    assert.equal(x.recordId, '42');
    assert.equal(x.error.field, '(document)');
    assert.match(x.error.reason, /RangeError: Maximum call stack/);
  });

  it('hostile IDs and versions are not copied into the quarantine as they are', () => {
    const out = entityReaders.suppliers.toRecords({ SupplierId: 'x'.repeat(1000), LastUpdateDate: { a: 1 } });
    const x = out[0]!;
    assert.ok(!x.ok);
    assert.equal(x.recordId, '?');
    assert.equal(x.version, 'unknown');
  });
});

describe('quarantine payload', () => {
  it('is bounded whatever it holds: depth, string length, total text, NUL and surrogates', () => {
    const raw = {
      deep: deep(5000),
      big: 'y'.repeat(10_000_000),
      nul: 'a\u0000b',
      half: 'x\uDC00',
      links: [1],
    };
    const copy = boundedPayload(raw) as Record<string, unknown>;
    const text = JSON.stringify(copy);
    assert.ok(text.length < 10_000, `bounded (${text.length})`);
    assert.equal(copy.nul, 'a\uFFFDb');
    assert.equal(copy.half, 'x\uFFFD');
    assert.ok(!('links' in copy));
    assert.match(String(copy.big), /…\[10000000 characters, cut\]$/);
    assert.match(text, /nested deeper than 24 levels, cut/);
  });

  it('a wide document is cut at the total text budget', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ i: String(i), d: 'z'.repeat(900) }));
    const text = JSON.stringify(boundedPayload({ rows }));
    assert.ok(text.length < PAYLOAD_MAX_CHARS + 100_000, `bounded (${text.length})`);
  });
});

describe('field readers', () => {
  const r = new FieldReader('R1');
  it('amounts: plain decimals, and exponents only while the value stays within 38 digits', () => {
    assert.deepEqual(plainDecimal('-12.50'), { value: '-12.5' });
    assert.deepEqual(plainDecimal('1.5E+3'), { value: '1500' });
    assert.deepEqual(plainDecimal('5E-7'), { value: '0.0000005' });
    assert.deepEqual(plainDecimal('9'.repeat(38)), { value: '9'.repeat(38) });
    assert.deepEqual(plainDecimal(`0.${'0'.repeat(10)}${'9'.repeat(28)}`), {
      value: `0.${'0'.repeat(10)}${'9'.repeat(28)}`,
    });
    for (const bad of [
      '1e39',
      '+1',
      '1.',
      '.5',
      ' 1',
      '1,000',
      'NaN',
      'Infinity',
      '0x10',
      `1${'0'.repeat(38)}`,
    ]) {
      assert.ok('problem' in plainDecimal(bad), bad);
    }
  });

  it('instants: real calendar instants with a zone, sub-milliseconds truncated, never rounded', () => {
    assert.equal(parseInstant('2024-03-31T23:04:12+02:00'), '2024-03-31T21:04:12.000Z');
    assert.equal(parseInstant('2024-02-29T00:00:00.5-05:30'), '2024-02-29T05:30:00.500Z');
    // Rounding .9999 would move the instant into the next second (and a whole-second window).
    assert.equal(parseInstant('2024-03-31T23:59:59.9999Z'), '2024-03-31T23:59:59.999Z');
    assert.equal(parseInstant('0001-01-01T00:00:00Z'), '0001-01-01T00:00:00.000Z');
    for (const bad of [
      '2023-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-01-01T00:00:00.1234567890Z',
      '2026-01-01 00:00:00Z',
      '9999-12-31T23:00:00-02:00',
      '0001-01-01T00:00:00+01:00',
      '2026-01-01T00:00:00+05:60',
    ]) {
      assert.equal(parseInstant(bad), null, bad);
    }
  });

  it('dates: a real day, or a valid date-time whose date part is kept', () => {
    assert.equal(r.date({ d: '2024-02-29' }, 'd'), '2024-02-29');
    assert.equal(r.date({ d: '2024-03-01T00:00:00.000+00:00' }, 'd'), '2024-03-01');
    assert.equal(r.date({ d: '2024-03-01T00:00:00' }, 'd'), '2024-03-01');
    for (const bad of ['2024-03-01junk', '2024-3-1', '2024-00-10', '2024-03-01T00:00:00+99:00']) {
      assert.throws(() => r.date({ d: bad }, 'd'), RecordFieldError, bad);
    }
  });

  it('text keeps tab, CR and LF; integers are plain digits', () => {
    assert.equal(r.text({ t: 'a\tb\r\nc' }, 't'), 'a\tb\r\nc');
    assert.equal(r.integer({ n: '-12' }, 'n'), -12);
    for (const bad of ['1.0', ' 1', '0x10', '99999999999999999']) {
      assert.throws(() => r.integer({ n: bad }, 'n'), RecordFieldError, bad);
    }
  });
});
