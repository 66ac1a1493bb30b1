import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { windowFilter } from '../../src/fusion/documents';
import { entityReaders, toJournalLineRecord } from '../../src/fusion/entities';
import { parseLosslessJson } from '../../src/fusion/http';
import { RecordFieldError } from '../../src/shared/records';

const batch = { JeBatchId: '300000104400001', BatchName: 'Payroll accrual MAR-24', Status: 'P' };
const header = {
  JeHeaderId: '300000104455020',
  JournalName: 'Payroll accrual MAR-24',
  LedgerName: 'US Primary Ledger',
  PeriodName: 'Mar-24',
  DefaultEffectiveDate: '2024-03-31',
  UserJeCategoryName: 'Accrual',
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

describe('Fusion journal line → record', () => {
  it('maps fields, keeps amounts as exact decimal strings and stores the version in UTC', () => {
    const record = toJournalLineRecord(batch, header, line);
    assert.equal(record.recordId, '300000104455020:1');
    assert.equal(record.version, '2024-03-31T21:04:12.000Z');
    assert.equal(record.enteredDr, '18250');
    assert.equal(record.accountingDate, '2024-03-31');
    assert.equal(record.ledgerName, 'US Primary Ledger');
  });

  it('parses response bodies losslessly: 15-digit IDs and long amounts keep every digit', () => {
    const body = parseLosslessJson(
      '{"JeHeaderId":300000104455020123,"EnteredDr":98765432109876.54}',
    ) as Record<string, unknown>;
    assert.equal(body.JeHeaderId, '300000104455020123');
    assert.equal(body.EnteredDr, '98765432109876.54');
  });

  it('parses losslessly everywhere but inside strings: nested, negative, exponent, escaped quotes', () => {
    const text =
      '{"items":[{"a":-0.10,"b":1e+21,"c":"12.50 \\"7\\" \\\\ 3","d":[1,2.0,{"e":null}],"f":true,"g":"\\u0031"}],' +
      '"count":2,"hasMore":false}';
    assert.deepEqual(parseLosslessJson(text), {
      items: [{ a: '-0.10', b: '1e+21', c: '12.50 "7" \\ 3', d: ['1', '2.0', { e: null }], f: true, g: '1' }],
      count: '2',
      hasMore: false,
    });
  });

  it('rejects text that is not JSON', () => {
    assert.throws(() => parseLosslessJson('{"a":1.}'), SyntaxError);
    assert.throws(() => parseLosslessJson('{"a":"unterminated}'), SyntaxError);
  });

  for (const [field, value, message] of [
    ['AccountCombination', null, /field AccountCombination: is missing/],
    ['EnteredDr', 'abc', /field EnteredDr: is not a decimal number/],
    ['CurrencyCode', 'usd', /field CurrencyCode: is not an ISO 4217 code/],
    ['LastUpdateDate', '2024-03-31T21:04:12', /field LastUpdateDate: is not a timestamp with a time zone/],
  ] as const) {
    it(`names the record and the field when ${field} is ${JSON.stringify(value)}`, () => {
      assert.throws(
        () => toJournalLineRecord(batch, header, { ...line, [field]: value }),
        (err: unknown) =>
          err instanceof RecordFieldError &&
          err.recordId === '300000104455020:1' &&
          message.test(err.message),
      );
    });
  }

  it('asks for a frozen window, and for parents whose children changed in it', () => {
    const spec = entityReaders.journalLines.spec;
    const window = { from: '2026-11-26T10:00:00.000Z', to: '2026-11-26T11:00:00.000Z' };
    assert.equal(
      windowFilter(spec, window, false),
      "LastUpdateDate > '2026-11-26T10:00:00Z' and LastUpdateDate <= '2026-11-26T11:00:00Z'",
    );
    assert.equal(
      windowFilter(spec, window, true),
      "(LastUpdateDate > '2026-11-26T10:00:00Z' and LastUpdateDate <= '2026-11-26T11:00:00Z') or " +
        "(journalHeaders.LastUpdateDate > '2026-11-26T10:00:00Z' and journalHeaders.LastUpdateDate <= '2026-11-26T11:00:00Z') or " +
        "(journalHeaders.journalLines.LastUpdateDate > '2026-11-26T10:00:00Z' and journalHeaders.journalLines.LastUpdateDate <= '2026-11-26T11:00:00Z')",
    );
  });

  it("maps the header's LedgerCurrencyCode, the currency of the accounted amounts", () => {
    assert.equal(
      toJournalLineRecord(batch, { ...header, LedgerCurrencyCode: 'EUR' }, line).ledgerCurrencyCode,
      'EUR',
    );
    assert.equal(toJournalLineRecord(batch, header, line).ledgerCurrencyCode, null);
  });
});
