import type { InvoiceRecord, PurchaseOrderRecord } from '../../shared/records';
import { X12Encoder } from './encode';
import {
  checkEnvelopeInput,
  FUNCTIONAL_ID,
  gsSegment,
  isaSegment,
  setControlNumber,
  type X12TransactionSetId,
} from './envelope';
import { invoice810Body } from './invoice810';
import { compileProfile, type X12EnvelopeInput, type X12PartnerProfile, type X12Version } from './profile';
import { purchaseOrder850Body } from './purchaseOrder850';

// One interchange with one functional group per file: ISA, GS, one ST…SE per record, GE, IEA.
// The writer streams: begin() → write(record) per record → end(), keeping only counters. A record that
// cannot be written throws before it takes a transaction set control number, so ST02s stay gapless.

export interface X12Summary {
  version: X12Version;
  transactionSetId: X12TransactionSetId;
  functionalIdentifier: string;
  /** ISA13 / IEA02, 9 digits. */
  interchangeControlNumber: string;
  /** GS06 / GE02. */
  groupControlNumber: string;
  transactionSets: number;
  firstTransactionSetControlNumber: string | null;
  lastTransactionSetControlNumber: string | null;
  /** Sum of CTT01 over the sets (IT1 / PO1 segments). */
  lineItems: number;
  /** Segments in the file, envelopes included. */
  segments: number;
}

export interface X12Writer<R> {
  /** ISA and GS. */
  begin(): string;
  /** ST…SE for one record; throws RecordFieldError and uses no control number when it cannot be written. */
  write(record: R): string;
  /** GE and IEA. Throws when no transaction set was written: an empty interchange is not sent. */
  end(): string;
  summary(): X12Summary;
}

type Body<R> = (enc: X12Encoder, record: R) => { segments: string[]; lineItems: number };

function x12Writer<R>(
  setId: X12TransactionSetId,
  body: Body<R>,
  partner: X12PartnerProfile,
  input: X12EnvelopeInput,
): X12Writer<R> {
  const profile = compileProfile(partner);
  const stamp = checkEnvelopeInput(input);
  const enc = new X12Encoder(profile);
  let sets = 0;
  let lineItems = 0;
  let segments = 0;
  const controlOf = (i: number) => setControlNumber(input.firstTransactionSetControlNumber + i);
  return {
    begin() {
      segments += 2;
      return isaSegment(enc, profile, input, stamp) + gsSegment(enc, profile, setId, input, stamp);
    },
    write(record) {
      const control = controlOf(sets);
      const b = body(enc, record);
      const out =
        enc.segment('ST', [setId, control]) +
        b.segments.join('') +
        enc.segment('SE', [String(b.segments.length + 2), control]);
      sets++;
      lineItems += b.lineItems;
      segments += b.segments.length + 2;
      return out;
    },
    end() {
      if (sets === 0) throw new Error(`an X12 ${setId} interchange needs at least one transaction set`);
      segments += 2;
      return (
        enc.segment('GE', [String(sets), String(input.groupControlNumber)]) +
        enc.segment('IEA', ['1', String(input.interchangeControlNumber).padStart(9, '0')])
      );
    },
    summary() {
      return {
        version: profile.version,
        transactionSetId: setId,
        functionalIdentifier: FUNCTIONAL_ID[setId],
        interchangeControlNumber: String(input.interchangeControlNumber).padStart(9, '0'),
        groupControlNumber: String(input.groupControlNumber),
        transactionSets: sets,
        firstTransactionSetControlNumber: sets > 0 ? controlOf(0) : null,
        lastTransactionSetControlNumber: sets > 0 ? controlOf(sets - 1) : null,
        lineItems,
        segments,
      };
    },
  };
}

/** Streaming 810 writer: one transaction set per invoice. */
export function x12810Writer(
  profile: X12PartnerProfile,
  envelope: X12EnvelopeInput,
): X12Writer<InvoiceRecord> {
  return x12Writer('810', invoice810Body, profile, envelope);
}

/** Streaming 850 writer: one transaction set per purchase order. */
export function x12850Writer(
  profile: X12PartnerProfile,
  envelope: X12EnvelopeInput,
): X12Writer<PurchaseOrderRecord> {
  return x12Writer('850', purchaseOrder850Body, profile, envelope);
}

function whole<R>(writer: X12Writer<R>, records: Iterable<R>): { text: string; summary: X12Summary } {
  let text = writer.begin();
  for (const r of records) text += writer.write(r);
  text += writer.end();
  return { text, summary: writer.summary() };
}

/** Whole-file 810 for small sets and tests. */
export function invoicesToX12810(
  records: Iterable<InvoiceRecord>,
  profile: X12PartnerProfile,
  envelope: X12EnvelopeInput,
): { text: string; summary: X12Summary } {
  return whole(x12810Writer(profile, envelope), records);
}

/** Whole-file 850 for small sets and tests. */
export function purchaseOrdersToX12850(
  records: Iterable<PurchaseOrderRecord>,
  profile: X12PartnerProfile,
  envelope: X12EnvelopeInput,
): { text: string; summary: X12Summary } {
  return whole(x12850Writer(profile, envelope), records);
}
