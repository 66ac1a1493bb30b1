import { type JournalLineRecord, RecordFieldError } from '../../shared/records';
import { ExactDecimal, parseDecimal } from '../amount';
import { type EntityFields, type FieldEnv, type FieldSpec, levelFields, type Row } from './types';

// Journal line fields: the record's own, plus
//   segment:<name>                  one segment of the account combination (chart-of-accounts layout)
//   enteredAmount, accountedAmount  signed net: DR − CR (debit positive, credit negative)
//   effectiveDate                   the accounting (default effective) date

const line = (row: Row) => row[0] as JournalLineRecord;

/** One segment of `101-10-60010-000` by the chart-of-accounts layout. */
export function journalAccountSegment(
  record: JournalLineRecord,
  segment: string,
  coa: NonNullable<FieldEnv['chartOfAccounts']>,
): string {
  const index = coa.segments.indexOf(segment);
  const parts = record.accountCombination.split(coa.delimiter);
  if (parts.length !== coa.segments.length) {
    throw new RecordFieldError(
      record.recordId,
      'accountCombination',
      `"${record.accountCombination}" has ${parts.length} segments, the chart of accounts has ${coa.segments.length}`,
    );
  }
  return parts[index]!;
}

function signed(dr: 'enteredDr' | 'accountedDr', cr: 'enteredCr' | 'accountedCr') {
  return (row: Row): string | null => {
    const r = line(row);
    const d = r[dr];
    const c = r[cr];
    if (d === null && c === null) return null;
    const debit = d === null ? new ExactDecimal(0) : parseDecimal(d, r.recordId, dr);
    const credit = c === null ? new ExactDecimal(0) : parseDecimal(c, r.recordId, cr);
    return debit.minus(credit).toFixed();
  };
}

const entered = (row: Row) => line(row).currencyCode;
// Accounted amounts are in the ledger's currency: the journal's own (LedgerCurrencyCode from
// Fusion), unless the format names one explicitly (an override, e.g. for data without it).
const ledger = (row: Row, env: FieldEnv) => env.ledgerCurrency ?? line(row).ledgerCurrencyCode ?? null;

const own = levelFields<JournalLineRecord>(
  '',
  0,
  {
    recordId: 'code',
    version: 'code',
    batchId: 'code',
    batchName: 'text',
    batchStatus: 'text',
    headerId: 'code',
    journalName: 'text',
    journalCategory: 'text',
    ledgerName: 'text',
    periodName: 'text',
    accountingDate: 'date',
    lineNumber: 'integer',
    accountCombination: 'code',
    enteredDr: 'amount',
    enteredCr: 'amount',
    accountedDr: 'amount',
    accountedCr: 'amount',
    currencyCode: 'code',
    ledgerCurrencyCode: 'code',
    description: 'text',
  },
  entered,
);
for (const f of ['accountedDr', 'accountedCr']) own[f] = { ...own[f]!, currency: ledger };

export const journalLineFields: EntityFields = {
  entity: 'journalLines',
  levels: ['journalLine'],
  children: [],
  itemLabels: [],
  prefixes: [''],
  fields: {
    ...own,
    enteredAmount: { kind: 'amount', level: 0, get: signed('enteredDr', 'enteredCr'), currency: entered },
    accountedAmount: {
      kind: 'amount',
      level: 0,
      get: signed('accountedDr', 'accountedCr'),
      currency: ledger,
    },
    effectiveDate: { kind: 'date', level: 0, get: (row) => line(row).accountingDate },
  },
  dynamicField(path, env): FieldSpec | string | undefined {
    if (!path.startsWith('segment:')) return undefined;
    const name = path.slice('segment:'.length);
    const coa = env.chartOfAccounts;
    if (!coa) return `"${path}" needs a chart of accounts`;
    if (!coa.segments.includes(name)) {
      return `segment "${name}" is not in the chart of accounts (${coa.segments.join(', ')})`;
    }
    return { kind: 'code', level: 0, get: (row) => journalAccountSegment(line(row), name, coa) };
  },
};
