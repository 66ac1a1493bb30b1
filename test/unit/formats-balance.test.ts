import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { journalBalance, splitBalancedJournals, unbalancedReport } from '../../src/formats/balance';
import { balancedJournal, journalLine } from './formats-fixtures';

describe('formats journal balance', () => {
  it('0.1 + 0.2 debits balance a 0.3 credit exactly', () => {
    const b = journalBalance(balancedJournal());
    assert.equal(b.enteredDr, '0.3');
    assert.equal(b.enteredCr, '0.3');
    assert.equal(b.enteredDifference, '0');
    assert.equal(b.accountedDifference, '0');
    assert.equal(b.balanced, true);
  });

  it('very large amounts keep every digit', () => {
    const b = journalBalance([
      journalLine({ enteredDr: '98765432109876.54', accountedDr: '98765432109876.54' }),
      journalLine({
        lineNumber: 2,
        enteredDr: null,
        accountedDr: null,
        enteredCr: '98765432109876.53',
        accountedCr: '98765432109876.54',
      }),
    ]);
    assert.equal(b.enteredDifference, '0.01');
    assert.equal(b.accountedDifference, '0');
    assert.equal(b.balanced, false);
  });

  it('splits journals into balanced and unbalanced, in order, with a report', () => {
    const off = balancedJournal('300000104500009').map((l) =>
      l.lineNumber === 3 ? { ...l, enteredCr: '0.29', accountedCr: '0.31' } : l,
    );
    const lines = [...balancedJournal('300000104500001'), ...off, ...balancedJournal('300000104500005')];
    const { balanced, unbalanced } = splitBalancedJournals(lines);
    assert.deepEqual(
      balanced.map((j) => j.headerId),
      ['300000104500001', '300000104500005'],
    );
    assert.equal(unbalanced.length, 1);
    assert.equal(unbalanced[0]!.lines.length, 3);
    assert.deepEqual(unbalancedReport(unbalanced), [
      'journal 300000104500009 (Payroll accrual): entered DR 0.3 CR 0.29 difference 0.01: accounted DR 0.3 CR 0.31 difference -0.01',
    ]);
  });

  it('a journal with more than one entered currency is not balanced', () => {
    const lines = balancedJournal().map((l, i) => (i === 0 ? { ...l, currencyCode: 'EUR' } : l));
    const b = journalBalance(lines);
    assert.equal(b.balanced, false);
    assert.match(unbalancedReport(splitBalancedJournals(lines).unbalanced)[0]!, /mixed currencies EUR, USD/);
  });

  it('refuses lines of two journals, and amounts that are not decimals', () => {
    assert.throws(
      () => journalBalance([...balancedJournal('1'), ...balancedJournal('2')]),
      /journals 1 and 2/,
    );
    assert.throws(
      () => journalBalance([journalLine({ enteredDr: '1,000.00' })]),
      /field enteredDr: "1,000.00" is not a decimal/,
    );
  });

  // decimal.js's default precision (20 significant digits) would round these sums silently.
  const big = (dr: string[], cr: string) => [
    ...dr.map((d, i) => journalLine({ lineNumber: i + 1, enteredDr: d, accountedDr: d })),
    journalLine({ lineNumber: 9, enteredDr: null, accountedDr: null, enteredCr: cr, accountedCr: cr }),
  ];

  it('a journal whose lines sum to a 25-digit total balances exactly', () => {
    const b = journalBalance(big(['12345678901234567890123.44', '0.01'], '12345678901234567890123.45'));
    assert.equal(b.enteredDr, '12345678901234567890123.45');
    assert.equal(b.accountedCr, '12345678901234567890123.45');
    assert.equal(b.balanced, true);
  });

  it('a journal off by 0.01 at 25 digits is held, with the exact difference', () => {
    const lines = big(['12345678901234567890123.44', '0.01'], '12345678901234567890123.46');
    const b = journalBalance(lines);
    assert.equal(b.enteredDifference, '-0.01');
    assert.equal(b.balanced, false);
    assert.equal(splitBalancedJournals(lines).unbalanced.length, 1);
  });

  it('38-digit amounts (the most a record may carry) sum exactly', () => {
    const max = `${'9'.repeat(19)}.${'9'.repeat(19)}`;
    const b = journalBalance([
      ...big([max, max], max).slice(0, 2),
      journalLine({ lineNumber: 3, enteredDr: null, enteredCr: max }),
      journalLine({ lineNumber: 4, enteredDr: null, enteredCr: max.replace(/9$/, '8') }),
    ]);
    assert.equal(b.enteredDr, '19999999999999999999.9999999999999999998');
    assert.equal(b.enteredDifference, '0.0000000000000000001');
  });

  it('an amount longer than 38 digits is refused, not summed', () => {
    assert.throws(
      () => journalBalance([journalLine({ enteredDr: '1'.repeat(39) })]),
      /field enteredDr: .*more than 38 digits/,
    );
  });
});
