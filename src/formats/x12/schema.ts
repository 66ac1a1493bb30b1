import { z } from 'zod';

// The schema of an X12 trading-partner profile: the one definition of its shape. The types the
// writer uses (X12PartnerProfile, X12Separators) are inferred from it; the configuration file's
// `format` section for X12 extends it with `type` and `partnerId` (src/config/formats.ts).
// Cross-field rules (separators distinct, version-specific ones present) are checked when the
// profile is compiled (./profile.ts), so a profile built in code is held to them too.

const oneChar = z.string().length(1);

export const x12SeparatorsSchema = z.strictObject({
  /** Between elements, e.g. `*`. */
  element: oneChar,
  /** Ends a segment, e.g. `~`. */
  segment: oneChar,
  /** Between components of a composite element (ISA16), e.g. `:` or `>`. */
  subElement: oneChar,
  /** 005010 only: between repeated values (ISA11), e.g. `^`. 004010 writes `U` in ISA11 instead. */
  repetition: oneChar.optional(),
});

const x12PartyId = z.strictObject({
  /** ID qualifier: `ZZ` (mutually defined), `01` (DUNS), `12` (phone)… */
  qualifier: z.string().min(2).max(2),
  /** The ID, up to 15 characters (padded with spaces in the ISA). */
  id: z.string().min(1).max(15),
});

/** ISA01/ISA02 or ISA03/ISA04: a 2-character qualifier and up to 10 characters of information. */
const x12IsaInformation = z.strictObject({
  /** `00` (no information, the usual), `01`/`03` (a password the partner issued)… */
  qualifier: z.string().regex(/^[A-Z0-9]{2}$/, 'must be 2 upper-case letters or digits, e.g. 00'),
  /** Up to 10 characters; padded with spaces. Blank when the qualifier is 00. */
  information: z.string().max(10).default(''),
});

export const x12PartnerProfileSchema = z.strictObject({
  /** 004010 or 005010 (ISA12 00401 / 00501, GS08 004010 / 005010). */
  version: z.enum(['004010', '005010']).default('004010'),
  /** ISA05 / ISA06: our interchange ID qualifier and ID. */
  interchangeSender: x12PartyId,
  /** ISA07 / ISA08: the partner's. */
  interchangeReceiver: x12PartyId,
  /** GS02: application sender's code (2–15). */
  applicationSender: z.string().min(2).max(15),
  /** GS03: application receiver's code (2–15). */
  applicationReceiver: z.string().min(2).max(15),
  /** ISA15: T (test) or P (production). */
  usage: z.enum(['T', 'P']).default('P'),
  /** ISA14: '1' asks the partner for a TA1 interchange acknowledgment. */
  acknowledgmentRequested: z.enum(['0', '1']).default('0'),
  separators: x12SeparatorsSchema.default({ element: '*', segment: '~', subElement: ':', repetition: '^' }),
  /** Cosmetic line break after each segment terminator ('none' for one long line). */
  lineEnding: z.enum(['none', 'lf', 'crlf']).default('lf'),
  /** Data holding a separator: 'reject' → a record error; 'clean' → each such character becomes a space. */
  delimiterPolicy: z.enum(['reject', 'clean']).default('reject'),
  /** Non-ASCII text (X12 character sets are ASCII): 'reject' (default) or 'transliterate' (é → e). */
  nonAscii: z.enum(['reject', 'transliterate']).optional(),
  /** Fusion unit-of-measure names → X12 355 codes, added to the defaults (Each → EA, Hours → HR…). */
  uomCodes: z.record(z.string(), z.string()).optional(),
  /** Unit for lines that have only an amount (written as 1 × amount). Default EA. */
  amountOnlyLineUom: z.string().optional(),
  /** Product ID qualifier for the item number in IT106/PO106. Default BP (buyer's part number). */
  itemQualifier: z.string().optional(),
  /** ISA01/ISA02: authorization information. Default qualifier 00 and blanks. */
  authorization: x12IsaInformation.optional(),
  /** ISA03/ISA04: security information. Default qualifier 00 and blanks. */
  security: x12IsaInformation.optional(),
});

export type X12Separators = z.infer<typeof x12SeparatorsSchema>;
export type X12PartnerProfile = z.infer<typeof x12PartnerProfileSchema>;
