import type { JournalLineRecord } from '../shared/records';
import { DecimalTotal } from './amount';

// Journal balance check before a GL file leaves: per journal (headerId), entered DR = CR and
// accounted DR = CR, in exact decimals. A journal with lines in more than one entered currency is
// reported unbalanced (Fusion journals have one currency; mixed totals would mean nothing).

export interface JournalBalance {
  headerId: string;
  journalName: string;
  lineCount: number;
  currencies: string[];
  enteredDr: string;
  enteredCr: string;
  /** enteredDr − enteredCr */
  enteredDifference: string;
  accountedDr: string;
  accountedCr: string;
  /** accountedDr − accountedCr */
  accountedDifference: string;
  balanced: boolean;
}

export interface JournalGroup {
  headerId: string;
  lines: JournalLineRecord[];
  balance: JournalBalance;
}

const sum = (lines: JournalLineRecord[], field: 'enteredDr' | 'enteredCr' | 'accountedDr' | 'accountedCr') =>
  lines.reduce((s, l) => {
    const v = l[field];
    return v === null ? s : s.plus(v, l.recordId, field);
  }, DecimalTotal.ZERO);

/** The totals of one journal's lines; every line must have the same headerId. */
export function journalBalance(lines: JournalLineRecord[]): JournalBalance {
  const first = lines[0];
  if (!first) throw new Error('journalBalance needs at least one line');
  const other = lines.find((l) => l.headerId !== first.headerId);
  if (other) throw new Error(`journalBalance got lines of journals ${first.headerId} and ${other.headerId}`);
  const enteredDr = sum(lines, 'enteredDr');
  const enteredCr = sum(lines, 'enteredCr');
  const accountedDr = sum(lines, 'accountedDr');
  const accountedCr = sum(lines, 'accountedCr');
  const currencies = [...new Set(lines.map((l) => l.currencyCode))];
  const enteredDifference = enteredDr.minus(enteredCr);
  const accountedDifference = accountedDr.minus(accountedCr);
  return {
    headerId: first.headerId,
    journalName: first.journalName,
    lineCount: lines.length,
    currencies,
    enteredDr: enteredDr.toFixed(),
    enteredCr: enteredCr.toFixed(),
    enteredDifference: enteredDifference.toFixed(),
    accountedDr: accountedDr.toFixed(),
    accountedCr: accountedCr.toFixed(),
    accountedDifference: accountedDifference.toFixed(),
    balanced: currencies.length === 1 && enteredDifference.isZero() && accountedDifference.isZero(),
  };
}

/** Splits lines into balanced and unbalanced journals, in order of first appearance. */
export function splitBalancedJournals(lines: Iterable<JournalLineRecord>): {
  balanced: JournalGroup[];
  unbalanced: JournalGroup[];
} {
  const byJournal = new Map<string, JournalLineRecord[]>();
  for (const line of lines) {
    const group = byJournal.get(line.headerId);
    if (group) group.push(line);
    else byJournal.set(line.headerId, [line]);
  }
  const balanced: JournalGroup[] = [];
  const unbalanced: JournalGroup[] = [];
  for (const [headerId, group] of byJournal) {
    const balance = journalBalance(group);
    (balance.balanced ? balanced : unbalanced).push({ headerId, lines: group, balance });
  }
  return { balanced, unbalanced };
}

/** One line per unbalanced journal, for logs and the run report. */
export function unbalancedReport(groups: JournalGroup[]): string[] {
  return groups.map(({ balance: b }) => {
    const parts = [`journal ${b.headerId} (${b.journalName})`];
    if (b.currencies.length > 1) parts.push(`mixed currencies ${b.currencies.join(', ')}`);
    if (b.enteredDifference !== '0') {
      parts.push(`entered DR ${b.enteredDr} CR ${b.enteredCr} difference ${b.enteredDifference}`);
    }
    if (b.accountedDifference !== '0') {
      parts.push(`accounted DR ${b.accountedDr} CR ${b.accountedCr} difference ${b.accountedDifference}`);
    }
    return parts.join(': ');
  });
}

/**
 * Splits journal lines into those of balanced journals and those of unbalanced ones, each held
 * line with its journal's report (a journal goes out whole and balanced, or not at all).
 */
export function holdUnbalancedJournals(lines: JournalLineRecord[]): {
  balanced: JournalLineRecord[];
  held: { line: JournalLineRecord; reason: string }[];
} {
  const { unbalanced } = splitBalancedJournals(lines);
  if (unbalanced.length === 0) return { balanced: lines, held: [] };
  const reasons = unbalancedReport(unbalanced);
  const held = unbalanced.flatMap((group, i) => group.lines.map((line) => ({ line, reason: reasons[i]! })));
  const heldIds = new Set(held.map((h) => h.line.recordId));
  return { balanced: lines.filter((l) => !heldIds.has(l.recordId)), held };
}
