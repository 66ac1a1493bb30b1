import { assertLayout } from '../errors';
import type { X12Encoder } from './encode';
import type { CompiledProfile, X12EnvelopeInput } from './profile';

// Interchange (ISA/IEA) and functional group (GS/GE) envelopes. The ISA is fixed-length: with
// one-character separators it is exactly 106 characters including the terminator, so every ISA
// element is padded to its width (IDs with spaces, the control number with zeros).

/** GS01 functional identifier of each transaction set we write. */
export const FUNCTIONAL_ID = { '810': 'IN', '850': 'PO' } as const;
export type X12TransactionSetId = keyof typeof FUNCTIONAL_ID;

const MAX_CONTROL = 999_999_999;
const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?Z$/;

export interface EnvelopeStamp {
  isaDate: string;
  isaTime: string;
  gsDate: string;
  gsTime: string;
}

export function checkEnvelopeInput(input: X12EnvelopeInput): EnvelopeStamp {
  const problems: string[] = [];
  for (const key of [
    'interchangeControlNumber',
    'groupControlNumber',
    'firstTransactionSetControlNumber',
  ] as const) {
    const n = input[key];
    if (!Number.isInteger(n) || n < 1 || n > MAX_CONTROL)
      problems.push(`${key} must be an integer 1–${MAX_CONTROL}`);
  }
  const m = RFC3339_UTC.exec(input.createdAt);
  if (!m) problems.push(`createdAt "${input.createdAt}" is not an RFC 3339 UTC timestamp`);
  assertLayout('X12 envelope', problems);
  const [, y, mo, d, h, mi] = m!;
  return { isaDate: y!.slice(2) + mo + d, isaTime: h! + mi, gsDate: y! + mo + d, gsTime: h! + mi };
}

/** ISA11: 004010 has the standards identifier `U`; 005010 puts the repetition separator there. */
export function isa11(profile: CompiledProfile): string {
  return profile.version === '004010' ? 'U' : profile.separators.repetition!;
}

export function isaSegment(
  enc: X12Encoder,
  profile: CompiledProfile,
  input: X12EnvelopeInput,
  stamp: EnvelopeStamp,
): string {
  const auth = profile.authorization ?? { qualifier: '00', information: '' };
  const sec = profile.security ?? { qualifier: '00', information: '' };
  return enc.segment('ISA', [
    auth.qualifier,
    auth.information.padEnd(10, ' '),
    sec.qualifier,
    sec.information.padEnd(10, ' '),
    profile.interchangeSender.qualifier,
    profile.interchangeSender.id.padEnd(15, ' '),
    profile.interchangeReceiver.qualifier,
    profile.interchangeReceiver.id.padEnd(15, ' '),
    stamp.isaDate,
    stamp.isaTime,
    isa11(profile),
    profile.version.slice(0, 5), // ISA12: 00401 / 00501 (the version without its release digit)
    String(input.interchangeControlNumber).padStart(9, '0'),
    profile.acknowledgmentRequested,
    profile.usage,
    profile.separators.subElement,
  ]);
}

export function gsSegment(
  enc: X12Encoder,
  profile: CompiledProfile,
  setId: X12TransactionSetId,
  input: X12EnvelopeInput,
  stamp: EnvelopeStamp,
): string {
  return enc.segment('GS', [
    FUNCTIONAL_ID[setId],
    profile.applicationSender,
    profile.applicationReceiver,
    stamp.gsDate,
    stamp.gsTime,
    String(input.groupControlNumber),
    'X', // GS07: responsible agency, Accredited Standards Committee X12
    profile.version,
  ]);
}

/** ST02 / SE02: at least 4 digits. */
export function setControlNumber(n: number): string {
  if (n > MAX_CONTROL) throw new RangeError(`transaction set control number ${n} exceeds ${MAX_CONTROL}`);
  return String(n).padStart(4, '0');
}
