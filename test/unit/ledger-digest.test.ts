import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { contentDigest, stagedForm } from '../../src/ledger/digest';

const invoice = (amount: string) => ({
  InvoiceId: 300100,
  InvoiceNumber: 'INV-1',
  version: '2026-11-01T10:00:00.000Z',
  invoiceLines: [
    { LineNumber: 1, LineAmount: amount, invoiceDistributions: [{ DistributionAmount: amount }] },
  ],
});

describe('contentDigest', () => {
  it('changes when a nested child field changes (an invoice line amount)', () => {
    assert.notEqual(contentDigest(invoice('100.00')), contentDigest(invoice('100.01')));
  });

  it('does not depend on key order, at any depth', () => {
    const reordered = {
      invoiceLines: [
        { invoiceDistributions: [{ DistributionAmount: '100.00' }], LineAmount: '100.00', LineNumber: 1 },
      ],
      version: '2026-11-01T10:00:00.000Z',
      InvoiceNumber: 'INV-1',
      InvoiceId: 300100,
    };
    assert.equal(contentDigest(reordered), contentDigest(invoice('100.00')));
  });

  it('ignores the version stamp but not the content', () => {
    assert.equal(
      contentDigest({ ...invoice('5.00'), version: '2026-11-02T00:00:00.000Z' }),
      contentDigest(invoice('5.00')),
    );
    assert.notEqual(
      contentDigest({ ...invoice('5.00'), InvoiceNumber: 'INV-2' }),
      contentDigest(invoice('5.00')),
    );
  });

  it('keeps the order of array elements (line order is content)', () => {
    const a = { lines: [{ n: 1 }, { n: 2 }] };
    const b = { lines: [{ n: 2 }, { n: 1 }] };
    assert.notEqual(contentDigest(a), contentDigest(b));
  });

  it("leaves a journal line's ledgerCurrencyCode out: lines digested before it existed are not re-sent", () => {
    const before = { recordId: '1:1', version: 'v', enteredDr: '10', currencyCode: 'USD' };
    assert.equal(contentDigest({ ...before, ledgerCurrencyCode: 'USD' }), contentDigest(before));
    assert.equal(contentDigest({ ...before, ledgerCurrencyCode: null }), contentDigest(before));
    assert.notEqual(contentDigest({ ...before, currencyCode: 'EUR' }), contentDigest(before));
  });

  it('is the SHA-256 of the canonical text: the digests already in ledgers stay valid', () => {
    const line = { version: 'v2', ledgerCurrencyCode: 'USD', b: [1, { d: 'x', c: null }], a: '10.5' };
    const canonical = '{"a":"10.5","b":[1,{"c":null,"d":"x"}]}';
    assert.equal(contentDigest(line), createHash('sha256').update(canonical).digest('hex'));
  });
});

describe('stagedForm', () => {
  const payloads: Record<string, unknown>[] = [
    invoice('100.00'),
    {
      recordId: '1:1',
      version: 'v',
      ledgerCurrencyCode: 'USD',
      enteredDr: '10',
      memo: 'tab\there "q" \\ \u0000 \ud800 é',
    },
    { recordId: '1:2', version: 'v', ledgerCurrencyCode: null, skipped: undefined, list: [undefined, 1] },
    { version: 'v' },
    { version: undefined, ledgerCurrencyCode: () => 'USD', a: 1 },
    { ledgerCurrencyCode: 'EUR' },
    {},
    { recordId: 'x', nested: { z: { y: [{}, []] } } },
  ];

  it('gives the content digest, and JSON of the same value as JSON.stringify', () => {
    for (const p of payloads) {
      const { digest, json } = stagedForm(p);
      assert.equal(digest, contentDigest(p));
      assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(p)), JSON.stringify(p));
    }
  });
});
