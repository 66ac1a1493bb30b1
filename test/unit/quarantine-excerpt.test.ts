import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { excerptText, redactedExcerpt } from '../../src/client/quarantine';
import { splitKeys } from '../../src/client/recordKeys';

// `quarantine show` prints a stored record for a person: bounded, with nothing secret-looking.

describe('quarantine show: the raw excerpt', () => {
  it('redacts secret-looking fields at any depth and drops links', () => {
    const shown = redactedExcerpt({
      OrderNumber: 'PO-1',
      TaxpayerId: '123-45-6789',
      links: [{ href: 'https://pod.example/x' }],
      lines: [{ Description: 'ok', BankAccountNumber: 'DE00 1234', nested: { client_secret: 's3cr3t' } }],
    });
    const text = JSON.stringify(shown);
    assert.match(text, /PO-1/);
    assert.doesNotMatch(text, /123-45-6789|DE00 1234|s3cr3t|pod\.example/);
    assert.equal((shown as { TaxpayerId: string }).TaxpayerId, '[redacted]');
  });

  it('cuts long text, long arrays and deep nesting; the whole text is bounded', () => {
    const shown = redactedExcerpt({ d: 'x'.repeat(500), a: Array.from({ length: 50 }, (_, i) => i) }) as {
      d: string;
      a: unknown[];
    };
    assert.match(shown.d, /^x{200}… \(500 chars\)$/);
    assert.equal(shown.a.length, 21);
    assert.equal(shown.a.at(-1), '… 30 more');
    let deep: unknown = 'bottom';
    for (let i = 0; i < 20; i++) deep = { deep };
    assert.doesNotMatch(JSON.stringify(redactedExcerpt(deep)), /bottom/);
    const big = excerptText(Array.from({ length: 20 }, () => ({ t: 'y'.repeat(199) })));
    assert.ok(big.length <= 4000 + 40);
    assert.match(big, /cut at 4000 characters/);
  });

  it('splits a --records list into trimmed keys', () => {
    assert.deepEqual(splitKeys(' PO-1, 4711 ,,Batch A/Header 1 '), ['PO-1', '4711', 'Batch A/Header 1']);
  });
});
