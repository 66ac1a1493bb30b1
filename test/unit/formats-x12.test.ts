import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type X12Interchange, X12Parser } from 'node-x12';
import { LayoutError } from '../../src/formats/errors';
import { validateX12 } from '../../src/formats/validate/x12';
import type { X12PartnerProfile } from '../../src/formats/x12/profile';
import { invoicesToX12810, purchaseOrdersToX12850, x12810Writer } from '../../src/formats/x12/writer';
import { type InvoiceRecord, RecordFieldError } from '../../src/shared/records';
import { assertGolden, creditMemo, envelope, invoice, partner, purchaseOrder } from './formats-fixtures';

const parseX12 = (text: string) => new X12Parser(true).parse(text) as X12Interchange;
const isaOf = (text: string) => text.slice(0, 106);
const segmentsOf = (text: string, terminator = '~') =>
  text
    .split(terminator)
    .map((s) => s.trim())
    .filter(Boolean);

const v5010 = (overrides: Partial<X12PartnerProfile> = {}) => partner({ version: '005010', ...overrides });

describe('formats X12 810 / 850', () => {
  for (const version of ['004010', '005010'] as const) {
    it(`810 invoices and a credit memo, ${version} (golden, node-x12 round trip)`, () => {
      const { text, summary } = invoicesToX12810([invoice(), creditMemo()], partner({ version }), envelope);
      assertGolden(`invoices-810-${version}.x12`, text);
      assert.deepEqual(validateX12(text, summary), { ok: true, problems: [] });
      const ix = parseX12(text);
      const [group] = ix.functionalGroups;
      assert.equal(group!.header.valueOf(1), 'IN');
      assert.equal(group!.header.valueOf(8), version);
      const [inv, cm] = group!.transactions;
      const seg = (tx: typeof inv, tag: string) => tx!.segments.filter((s) => s.tag === tag);
      assert.deepEqual(
        seg(inv, 'BIG')[0]!.elements.map((e) => e.value),
        ['20261001', 'INV-1001', '', 'PO-4500'],
      );
      assert.equal(seg(inv, 'TDS')[0]!.valueOf(1), '125000');
      assert.equal(seg(inv, 'CTT')[0]!.valueOf(1), '2');
      assert.deepEqual(
        seg(inv, 'IT1').map((s) => s.elements.map((e) => e.value).join('|')),
        ['1|100|EA|12||BP|PAPER-A4', '2|1|EA|50'],
      );
      assert.equal(seg(cm, 'BIG')[0]!.valueOf(7), 'CR');
      assert.equal(seg(cm, 'TDS')[0]!.valueOf(1), '-15050');
      assert.equal(cm!.header.valueOf(2), '0002');
      assert.equal(cm!.trailer.valueOf(1), String(cm!.segments.length + 2));
      assert.deepEqual(summary, {
        version,
        transactionSetId: '810',
        functionalIdentifier: 'IN',
        interchangeControlNumber: '000000042',
        groupControlNumber: '7',
        transactionSets: 2,
        firstTransactionSetControlNumber: '0001',
        lastTransactionSetControlNumber: '0002',
        lineItems: 3,
        segments: 28,
      });
    });

    it(`850 purchase order, ${version} (golden, node-x12 round trip)`, () => {
      const { text, summary } = purchaseOrdersToX12850([purchaseOrder()], partner({ version }), envelope);
      assertGolden(`purchase-orders-850-${version}.x12`, text);
      assert.deepEqual(validateX12(text, summary), { ok: true, problems: [] });
      const tx = parseX12(text).functionalGroups[0]!.transactions[0]!;
      assert.deepEqual(
        tx.segments.map((s) => s.tag),
        ['BEG', 'CUR', 'PER', 'N1', 'N1', 'PO1', 'PID', 'PO1', 'PID', 'CTT'],
      );
      const po1 = tx.segments
        .filter((s) => s.tag === 'PO1')
        .map((s) => s.elements.map((e) => e.value).join('|'));
      assert.deepEqual(po1, ['1|100|EA|12.255||BP|PAPER-A4', '2|1|EA|100']);
      assert.equal(tx.segments[0]!.elements.map((e) => e.value).join('|'), '00|SA|PO-4500||20260928');
    });
  }

  it('ISA is exactly 106 characters with every element at its width; IDs padded to 15; ISA13 9 digits', () => {
    const { text } = invoicesToX12810([invoice()], partner(), { ...envelope, interchangeControlNumber: 123 });
    const isa = isaOf(text);
    assert.equal(isa.length, 106);
    assert.equal(isa[105], '~');
    const el = isa.slice(0, 105).split('*');
    assert.deepEqual(
      el.slice(1).map((e) => e.length),
      [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1],
    );
    assert.equal(el[6], 'MLCONNECTOR    ');
    assert.equal(el[8], '123456789      ');
    assert.equal(el[9], '261002');
    assert.equal(el[10], '1405');
    assert.equal(el[13], '000000123');
    assert.equal(el[14], '0');
    assert.equal(el[15], 'T');
    assert.equal(el[16], ':');
    assert.ok(text.endsWith('IEA*1*000000123~\n'));
  });

  it('ISA11 is U for 004010 and the repetition separator for 005010; ISA12 follows the version', () => {
    const at = (text: string, n: number) => isaOf(text).slice(0, 105).split(text[3]!)[n];
    const v4 = invoicesToX12810([invoice()], partner(), envelope).text;
    assert.equal(at(v4, 11), 'U');
    assert.equal(at(v4, 12), '00401');
    const v5 = invoicesToX12810(
      [invoice()],
      v5010({
        separators: { element: '|', segment: '\n', subElement: '>', repetition: '!' },
        lineEnding: 'none',
      }),
      envelope,
    ).text;
    assert.equal(at(v5, 11), '!');
    assert.equal(at(v5, 12), '00501');
    assert.equal(isaOf(v5).length, 106);
    assert.ok(
      validateX12(v5, {
        version: '005010',
        transactionSetId: '810',
        interchangeControlNumber: '42',
        groupControlNumber: '7',
        transactionSets: 1,
      }).ok,
    );
  });

  it('usage indicator, acknowledgment request and qualifiers come from the profile', () => {
    const { text } = invoicesToX12810(
      [invoice()],
      partner({
        usage: 'P',
        acknowledgmentRequested: '1',
        interchangeSender: { qualifier: '01', id: '987654321' },
      }),
      envelope,
    );
    const el = isaOf(text).split('*');
    assert.deepEqual([el[5], el[6], el[14], el[15]], ['01', '987654321      ', '1', 'P']);
  });

  it('TDS is implied cents for large values, zero-decimal and three-decimal currencies', () => {
    const tds = (inv: InvoiceRecord) =>
      segmentsOf(invoicesToX12810([inv], partner(), envelope).text).find((s) => s.startsWith('TDS*'));
    const line = (amount: string) => [{ ...invoice().lines[1]!, lineAmount: amount }];
    // TDS01 holds 15 digits: 9876543210987.65 fits exactly; the 16-digit 98765432109876.54 cannot be sent.
    assert.equal(
      tds(invoice({ invoiceAmount: '9876543210987.65', lines: line('9876543210987.65') })),
      'TDS*987654321098765',
    );
    assert.throws(
      () => tds(invoice({ invoiceAmount: '98765432109876.54', lines: line('98765432109876.54') })),
      (err: unknown) =>
        err instanceof RecordFieldError &&
        err.field === 'invoiceAmount' &&
        /16 digits, X12 allows 15/.test(err.reason),
    );
    assert.equal(
      tds(invoice({ invoiceCurrency: 'JPY', invoiceAmount: '1250', lines: line('1250') })),
      'TDS*125000',
    );
    assert.equal(
      tds(invoice({ invoiceCurrency: 'KWD', invoiceAmount: '12.340', lines: line('12.340') })),
      'TDS*1234',
    );
    assert.equal(tds(invoice({ invoiceAmount: '0.30', lines: line('0.3') })), 'TDS*30');
    assert.throws(
      () => tds(invoice({ invoiceCurrency: 'KWD', invoiceAmount: '12.345', lines: line('12.345') })),
      (err: unknown) =>
        err instanceof RecordFieldError &&
        err.field === 'invoiceAmount' &&
        /more than 2 decimal/.test(err.reason),
    );
    // IT104 (R, 17 digits) does carry it, every digit kept.
    const big = invoicesToX12810(
      [invoice({ invoiceAmount: '0', lines: line('98765432109876.54') })],
      partner(),
      envelope,
    );
    assert.ok(segmentsOf(big.text).includes('IT1*2*1*EA*98765432109876.54'));
  });

  it('an IT1 whose quantity × price is not the line amount is written as 1 × amount', () => {
    const inv = invoice({
      lines: [{ ...invoice().lines[0]!, quantity: '3', unitPrice: '3.333', lineAmount: '10.00' }],
    });
    const it1 = segmentsOf(invoicesToX12810([inv], partner(), envelope).text).find((s) =>
      s.startsWith('IT1'),
    );
    assert.equal(it1, 'IT1*1*1*EA*10**BP*PAPER-A4');
  });

  it('delimiters inside data: rejected with the record and field named, or cleaned to spaces', () => {
    const nasty = invoice({
      supplier: 'Acme*Supplies~Inc',
      lines: [{ ...invoice().lines[0]!, description: 'A4: 80g\nwhite' }],
    });
    assert.throws(
      () => invoicesToX12810([nasty], partner(), envelope),
      (err: unknown) =>
        err instanceof RecordFieldError &&
        err.recordId === '300000200000001' &&
        err.field === 'supplier' &&
        /"\*", an X12 separator/.test(err.reason),
    );
    const { text, summary } = invoicesToX12810([nasty], partner({ delimiterPolicy: 'clean' }), envelope);
    const segs = segmentsOf(text);
    assert.ok(segs.includes('N1*SE*Acme Supplies Inc*92*SUP-0042'));
    assert.ok(segs.includes('PID*F****A4  80g white'));
    assert.ok(validateX12(text, summary).ok);
    // 005010 also reserves the repetition separator.
    assert.throws(
      () => invoicesToX12810([invoice({ invoiceNumber: 'INV^1' })], v5010(), envelope),
      (err: unknown) => err instanceof RecordFieldError && err.field === 'invoiceNumber',
    );
    assert.ok(
      invoicesToX12810([invoice({ invoiceNumber: 'INV^1' })], partner(), envelope).text.includes(
        'BIG*20261001*INV^1*',
      ),
    );
  });

  it('non-ASCII text is rejected or transliterated per profile; CRLF after segments still parses', () => {
    const accented = invoice({ supplier: 'Ærø Façades' });
    assert.throws(
      () => invoicesToX12810([accented], partner(), envelope),
      (err: unknown) =>
        err instanceof RecordFieldError &&
        err.field === 'supplier' &&
        /non-ASCII character "Æ"/.test(err.reason),
    );
    const { text, summary } = invoicesToX12810(
      [accented],
      partner({ nonAscii: 'transliterate', lineEnding: 'crlf' }),
      envelope,
    );
    assert.ok(text.includes('N1*SE*AEro Facades*92*SUP-0042~\r\n'));
    assert.ok(validateX12(text, summary).ok);
  });

  it('element lengths and required values are checked, naming the line', () => {
    assert.throws(
      () => invoicesToX12810([invoice({ invoiceNumber: 'INV-0123456789-0123456789' })], partner(), envelope),
      (err: unknown) =>
        err instanceof RecordFieldError &&
        err.field === 'invoiceNumber' &&
        /X12 allows 1–22/.test(err.reason),
    );
    const noUom = invoice({ lines: [{ ...invoice().lines[0]!, uom: null }] });
    assert.throws(
      () => invoicesToX12810([noUom], partner(), envelope),
      (err: unknown) => err instanceof RecordFieldError && err.field === 'line[1].uom',
    );
    const oddUom = invoice({ lines: [{ ...invoice().lines[0]!, uom: 'Pallet' }] });
    assert.throws(
      () => invoicesToX12810([oddUom], partner(), envelope),
      /no X12 unit-of-measure code for "Pallet"/,
    );
    assert.ok(
      invoicesToX12810([oddUom], partner({ uomCodes: { Pallet: 'PL' } }), envelope).text.includes(
        'IT1*1*100*PL*12',
      ),
    );
    assert.throws(
      () => purchaseOrdersToX12850([purchaseOrder({ lines: [] })], partner(), envelope),
      (err: unknown) => err instanceof RecordFieldError && err.field === 'lines',
    );
  });

  it('a record that fails uses no set control number; an empty interchange is refused', () => {
    const w = x12810Writer(partner(), envelope);
    let text = w.begin();
    text += w.write(invoice());
    assert.throws(() => w.write(invoice({ invoiceNumber: '' })), RecordFieldError);
    text += w.write(creditMemo());
    text += w.end();
    assert.equal(w.summary().lastTransactionSetControlNumber, '0002');
    assert.ok(validateX12(text, w.summary()).ok);
    const empty = x12810Writer(partner(), envelope);
    empty.begin();
    assert.throws(() => empty.end(), /needs at least one transaction set/);
  });

  it('refuses a profile or envelope that cannot work, listing every problem', () => {
    assert.throws(
      () =>
        invoicesToX12810(
          [invoice()],
          v5010({
            interchangeSender: { qualifier: 'Z', id: 'A-VERY-LONG-SENDER-ID' },
            separators: { element: '*', segment: '*', subElement: ':' },
            applicationReceiver: 'A',
          }),
          envelope,
        ),
      (err: unknown) =>
        err instanceof LayoutError &&
        err.problems.includes('separators.repetition is required for 005010') &&
        err.problems.includes('separators must all differ') &&
        err.problems.includes('interchangeSender.qualifier must be 2 letters or digits') &&
        err.problems.includes('interchangeSender.id must be 1–15 characters') &&
        err.problems.includes('applicationReceiver must be 2–15 characters'),
    );
    assert.throws(
      () =>
        invoicesToX12810([invoice()], partner(), {
          ...envelope,
          interchangeControlNumber: 1_000_000_000,
          createdAt: '2026-10-02 14:05',
        }),
      (err: unknown) => err instanceof LayoutError && err.problems.length === 2,
    );
  });
});
