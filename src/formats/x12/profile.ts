import type { NonAsciiPolicy } from '../ascii';
import { assertLayout } from '../errors';
import type { X12PartnerProfile } from './schema';

// A trading partner's X12 settings. The caller (ledger) supplies control numbers and the timestamp
// per interchange (X12EnvelopeInput), so rendering stays pure and a re-send can reuse them.

export type { X12PartnerProfile, X12Separators } from './schema';

export type X12Version = X12PartnerProfile['version'];

/** Per interchange, from the caller: the ledger allocates control numbers; the clock is read outside. */
export interface X12EnvelopeInput {
  /** ISA13 / IEA02, 1–999999999 (written as 9 digits). */
  interchangeControlNumber: number;
  /** GS06 / GE02, 1–999999999. */
  groupControlNumber: number;
  /** ST02 / SE02 of the first transaction set; the next ones count up by one. */
  firstTransactionSetControlNumber: number;
  /** RFC 3339 UTC, e.g. `2026-10-02T14:05:00Z` → ISA09/ISA10 and GS04/GS05. */
  createdAt: string;
}

const DEFAULT_UOM: Readonly<Record<string, string>> = {
  Each: 'EA',
  Ea: 'EA',
  Hour: 'HR',
  Hours: 'HR',
  Box: 'BX',
  Case: 'CA',
  Dozen: 'DZ',
  Kilogram: 'KG',
  Pound: 'LB',
  Liter: 'LT',
  Meter: 'MR',
  Foot: 'FT',
  Gallon: 'GA',
  Lot: 'LO',
};

export interface CompiledProfile extends X12PartnerProfile {
  nonAscii: NonAsciiPolicy;
  uom: Readonly<Record<string, string>>;
  amountOnlyLineUom: string;
  itemQualifier: string;
  /** Characters that may not appear in data. */
  reserved: string[];
  /** Written after each segment terminator. */
  eol: string;
}

const CODE2 = /^[A-Z0-9]{2}$/;
const PRINTABLE = /^[\x20-\x7E]*$/;

export function compileProfile(profile: X12PartnerProfile): CompiledProfile {
  const problems: string[] = [];
  const { version, separators: sep } = profile;
  if (version !== '004010' && version !== '005010') problems.push('version must be 004010 or 005010');
  const seps: [string, string | undefined][] = [
    ['element', sep.element],
    ['segment', sep.segment],
    ['subElement', sep.subElement],
  ];
  if (version === '005010') seps.push(['repetition', sep.repetition]);
  for (const [name, ch] of seps) {
    if (ch === undefined) problems.push(`separators.${name} is required for ${version}`);
    else if (ch.length !== 1 || /[A-Za-z0-9 ]/.test(ch)) {
      problems.push(`separators.${name} must be one character, not a letter, digit or space`);
    }
  }
  const reserved = seps.flatMap(([, ch]) => (ch ? [ch] : []));
  if (new Set(reserved).size !== reserved.length) problems.push('separators must all differ');
  if (/[\r\n]/.test(sep.segment) && profile.lineEnding !== 'none') {
    problems.push('a line-break segment terminator needs lineEnding none');
  }
  const checkId = (where: string, value: string, min: number, max: number) => {
    if (value.length < min || value.length > max) problems.push(`${where} must be ${min}–${max} characters`);
    if (!PRINTABLE.test(value)) problems.push(`${where} must be printable ASCII`);
    if (reserved.some((ch) => value.includes(ch))) problems.push(`${where} contains a separator`);
  };
  for (const [where, party] of [
    ['interchangeSender', profile.interchangeSender],
    ['interchangeReceiver', profile.interchangeReceiver],
  ] as const) {
    if (!CODE2.test(party.qualifier)) problems.push(`${where}.qualifier must be 2 letters or digits`);
    checkId(`${where}.id`, party.id, 1, 15);
  }
  checkId('applicationSender', profile.applicationSender, 2, 15);
  checkId('applicationReceiver', profile.applicationReceiver, 2, 15);
  for (const [where, v] of [
    ['authorization', profile.authorization],
    ['security', profile.security],
  ] as const) {
    if (!v) continue;
    if (!CODE2.test(v.qualifier)) problems.push(`${where}.qualifier must be 2 letters or digits`);
    checkId(`${where}.information`, v.information, 0, 10);
  }
  if (profile.usage !== 'T' && profile.usage !== 'P') problems.push('usage must be T or P');
  if (profile.acknowledgmentRequested !== '0' && profile.acknowledgmentRequested !== '1') {
    problems.push('acknowledgmentRequested must be 0 or 1');
  }
  if (!['none', 'lf', 'crlf'].includes(profile.lineEnding))
    problems.push('lineEnding must be none, lf or crlf');
  if (profile.delimiterPolicy !== 'reject' && profile.delimiterPolicy !== 'clean') {
    problems.push('delimiterPolicy must be reject or clean');
  }
  const uom = { ...DEFAULT_UOM, ...profile.uomCodes };
  for (const [name, code] of Object.entries(profile.uomCodes ?? {})) {
    if (!CODE2.test(code)) problems.push(`uomCodes.${name} must be a 2-character X12 code`);
  }
  const amountOnlyLineUom = profile.amountOnlyLineUom ?? 'EA';
  const itemQualifier = profile.itemQualifier ?? 'BP';
  if (!CODE2.test(amountOnlyLineUom)) problems.push('amountOnlyLineUom must be a 2-character X12 code');
  if (!CODE2.test(itemQualifier)) problems.push('itemQualifier must be a 2-character X12 code');
  assertLayout(`X12 partner profile ${profile.interchangeReceiver.id}`, problems);
  return {
    ...profile,
    nonAscii: profile.nonAscii ?? 'reject',
    uom,
    amountOnlyLineUom,
    itemQualifier,
    reserved,
    eol: profile.lineEnding === 'crlf' ? '\r\n' : profile.lineEnding === 'lf' ? '\n' : '',
  };
}
