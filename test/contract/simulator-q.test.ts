import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Attribute, BadRequest, parseInstant } from '../../simulator/attributes';
import { parseQ } from '../../simulator/q';

const attributes = new Map<string, Attribute>(
  [
    { name: 'LastUpdateDate', type: 'datetime' },
    { name: 'Amount', type: 'number' },
    { name: 'Name', type: 'string' },
    { name: 'Status', type: 'string' },
  ].map((a) => [a.name, a as Attribute]),
);

const rows = [
  { LastUpdateDate: parseInstant('2026-10-01T08:00:00Z'), Amount: '10.50', Name: 'Payroll Oct', Status: 'P' },
  { LastUpdateDate: parseInstant('2026-10-02T08:00:00Z'), Amount: '99', Name: "O'Brien fees", Status: 'U' },
  { LastUpdateDate: parseInstant('2026-10-03T08:00:00Z'), Amount: '1000', Name: 'Rent', Status: null },
];

const names = (q: string, version = 2) => rows.filter(parseQ(q, version, attributes)).map((r) => r.Name);

describe('q filter (simulator)', () => {
  it('compares date-times given with Z, an offset, or as a date only', () => {
    assert.deepEqual(names("LastUpdateDate > '2026-10-01T08:00:00Z'"), ["O'Brien fees", 'Rent']);
    assert.deepEqual(names("LastUpdateDate <= '2026-10-02T10:00:00+02:00'"), ['Payroll Oct', "O'Brien fees"]);
    assert.deepEqual(names("LastUpdateDate >= '2026-10-03'"), ['Rent']);
  });

  it('combines with and/or and parentheses', () => {
    assert.deepEqual(
      names("LastUpdateDate > '2026-10-01T08:00:00Z' and LastUpdateDate <= '2026-10-02T08:00:00Z'"),
      ["O'Brien fees"],
    );
    assert.deepEqual(names("(Status = 'P' or Status = 'U') and Amount > 50"), ["O'Brien fees"]);
  });

  it('supports like, in, between, is null and upper()', () => {
    assert.deepEqual(names("Name like 'P%'"), ['Payroll Oct']);
    assert.deepEqual(names("Status in ('P', 'U')"), ['Payroll Oct', "O'Brien fees"]);
    assert.deepEqual(names('Amount between 10 and 100'), ['Payroll Oct', "O'Brien fees"]);
    assert.deepEqual(names('Status is null'), ['Rent']);
    assert.deepEqual(names('Status is not null'), ['Payroll Oct', "O'Brien fees"]);
    assert.deepEqual(names("upper(Name) = 'RENT'"), ['Rent']);
    assert.deepEqual(names("Name = 'O''Brien fees'"), ["O'Brien fees"]);
  });

  it('reads the v1 query-by-example form', () => {
    assert.deepEqual(names('Amount>=10 and <=100;Status=P', 1), ['Payroll Oct']);
    assert.deepEqual(names('Status=U', 1), ["O'Brien fees"]);
  });

  it('rejects unknown attributes (names are case-sensitive) and bad literals', () => {
    assert.throws(() => names("lastUpdateDate > '2026-10-01T08:00:00Z'"), BadRequest);
    assert.throws(() => names("LastUpdateDate > '2026-10-01T08:00:00'"), /Invalid date-time literal/);
    assert.throws(() => names("Name = 'unterminated"), /Unterminated/);
  });
});
