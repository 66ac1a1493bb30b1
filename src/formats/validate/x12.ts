import { X12FatInterchange, type X12Interchange, X12Parser } from 'node-x12';
import { type ValidationResult, validationResult } from './result';

// Parses a rendered X12 file with node-x12 (strict: it checks SE01 against the segment count,
// SE02/ST02, GE01/GE02 and IEA01/IEA02) and then checks what it does not: the ISA's fixed length and
// element widths, ISA11/ISA12/GS08 for the version, the control numbers we were given, one
// interchange and one group, the number of sets, unique ST02s, and CTT01 against the line items.

export interface X12Expectation {
  version: '004010' | '005010';
  transactionSetId: '810' | '850';
  /** 9 digits, as in the writer's summary. */
  interchangeControlNumber: string;
  groupControlNumber: string;
  transactionSets: number;
  /** Total CTT01, when known. */
  lineItems?: number;
}

const ISA_WIDTHS = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];
const FUNCTIONAL_ID: Record<string, string> = { '810': 'IN', '850': 'PO' };
const LINE_SEGMENT: Record<string, string> = { '810': 'IT1', '850': 'PO1' };

export function validateX12(text: string, expected: X12Expectation): ValidationResult {
  const problems: string[] = [];
  problems.push(...isaProblems(text, expected));
  if (problems.length > 0) return validationResult(problems);

  let parsed: X12Interchange | X12FatInterchange;
  try {
    parsed = new X12Parser(true).parse(text);
  } catch (err) {
    return validationResult([`node-x12: ${(err as Error).message}`]);
  }
  if (parsed instanceof X12FatInterchange) {
    return validationResult([`${parsed.interchanges.length} interchanges in one file, expected 1`]);
  }
  const isa = parsed.header;
  if (Number(isa.valueOf(13)) !== Number(expected.interchangeControlNumber)) {
    problems.push(`ISA13 is ${isa.valueOf(13)}, expected ${expected.interchangeControlNumber}`);
  }
  if (Number(parsed.trailer.valueOf(2)) !== Number(isa.valueOf(13)))
    problems.push('IEA02 does not match ISA13');
  if (parsed.functionalGroups.length !== 1) {
    problems.push(`${parsed.functionalGroups.length} functional groups, expected 1`);
  }
  let lineItems = 0;
  for (const group of parsed.functionalGroups) {
    const gs = group.header;
    if (gs.valueOf(1) !== FUNCTIONAL_ID[expected.transactionSetId]) {
      problems.push(`GS01 is ${gs.valueOf(1)}, expected ${FUNCTIONAL_ID[expected.transactionSetId]}`);
    }
    if (gs.valueOf(6) !== expected.groupControlNumber) {
      problems.push(`GS06 is ${gs.valueOf(6)}, expected ${expected.groupControlNumber}`);
    }
    if (gs.valueOf(8) !== expected.version)
      problems.push(`GS08 is ${gs.valueOf(8)}, expected ${expected.version}`);
    if (group.trailer.valueOf(2) !== gs.valueOf(6)) problems.push('GE02 does not match GS06');
    if (Number(group.trailer.valueOf(1)) !== group.transactions.length) {
      problems.push(`GE01 is ${group.trailer.valueOf(1)}, the group has ${group.transactions.length} sets`);
    }
    if (group.transactions.length !== expected.transactionSets) {
      problems.push(`${group.transactions.length} transaction sets, expected ${expected.transactionSets}`);
    }
    const seen = new Set<string>();
    for (const tx of group.transactions) {
      const st02 = tx.header.valueOf(2);
      const where = `set ${st02}`;
      if (seen.has(st02)) problems.push(`${where}: ST02 used twice in the group`);
      seen.add(st02);
      if (tx.header.valueOf(1) !== expected.transactionSetId) {
        problems.push(`${where}: ST01 is ${tx.header.valueOf(1)}, expected ${expected.transactionSetId}`);
      }
      if (tx.trailer.valueOf(2) !== st02) problems.push(`${where}: SE02 does not match ST02`);
      if (Number(tx.trailer.valueOf(1)) !== tx.segments.length + 2) {
        problems.push(
          `${where}: SE01 is ${tx.trailer.valueOf(1)}, the set has ${tx.segments.length + 2} segments`,
        );
      }
      const items = tx.segments.filter((s) => s.tag === LINE_SEGMENT[expected.transactionSetId]).length;
      const ctt = tx.segments.filter((s) => s.tag === 'CTT');
      if (ctt.length !== 1) problems.push(`${where}: ${ctt.length} CTT segments, expected 1`);
      else if (Number(ctt[0]!.valueOf(1)) !== items) {
        problems.push(
          `${where}: CTT01 is ${ctt[0]!.valueOf(1)}, the set has ${items} ${LINE_SEGMENT[expected.transactionSetId]} segments`,
        );
      }
      lineItems += items;
    }
  }
  if (expected.lineItems !== undefined && lineItems !== expected.lineItems) {
    problems.push(`${lineItems} line items, expected ${expected.lineItems}`);
  }
  return validationResult(problems);
}

/** The ISA read by position: 106 characters, each element at its exact width, version-specific ISA11/ISA12. */
function isaProblems(text: string, expected: X12Expectation): string[] {
  if (!text.startsWith('ISA') || text.length < 106)
    return ['the file does not start with a 106-character ISA segment'];
  const el = text[3]!;
  const parts = text.slice(0, 105).split(el);
  const problems: string[] = [];
  if (parts.length !== 17) return [`the ISA has ${parts.length - 1} elements, expected 16 in 105 characters`];
  ISA_WIDTHS.forEach((w, i) => {
    const v = parts[i + 1]!;
    if (v.length !== w)
      problems.push(`ISA${String(i + 1).padStart(2, '0')} is ${v.length} characters, expected ${w}`);
  });
  const segmentTerminator = text[105]!;
  if (/[A-Za-z0-9]/.test(segmentTerminator))
    problems.push('no segment terminator after the ISA (character 106)');
  const isa11 = parts[11]!;
  const isa12 = parts[12]!;
  if (expected.version === '004010') {
    if (isa11 !== 'U') problems.push(`ISA11 is "${isa11}", 004010 expects U`);
    if (isa12 !== '00401') problems.push(`ISA12 is ${isa12}, expected 00401`);
  } else {
    if (/[A-Za-z0-9 ]/.test(isa11) || [el, segmentTerminator, parts[16]].includes(isa11)) {
      problems.push(`ISA11 is "${isa11}", 005010 expects a distinct repetition separator`);
    }
    if (isa12 !== '00501') problems.push(`ISA12 is ${isa12}, expected 00501`);
  }
  if (!/^\d{9}$/.test(parts[13]!)) problems.push('ISA13 is not 9 digits');
  return problems;
}
