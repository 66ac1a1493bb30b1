import { RecordFieldError } from '../../shared/records';
import { parseDecimal } from '../amount';
import type { Where, X12Encoder } from './encode';

// The quantity / unit / price / product elements shared by IT1 (810) and PO1 (850).
//
// A line is written as quantity × unit price when it has a quantity and a price (a unit of measure
// is then required: we never guess one). A line with only an amount (freight, services, misc.) is
// written as 1 × amount with the profile's amountOnlyLineUom, so the extended amounts still add up
// to the document's amounts.

export interface LineInput {
  lineNumber: number;
  quantity: string | null;
  uom: string | null;
  unitPrice: string | null;
  amount: string | null;
  item: string | null;
  /** The record field names, for errors (`line[2].unitPrice`). */
  names: { quantity: string; unitPrice: string; amount: string };
  /** 810 only: use quantity × price only when it equals the line amount exactly. */
  requireExtensionMatch: boolean;
}

/** Elements 01–07 of IT1 / PO1. `maxQuantityDigits`: IT102 allows 10, PO102 15. */
export function lineItemElements(
  enc: X12Encoder,
  recordId: string,
  line: LineInput,
  maxQuantityDigits: number,
): string[] {
  const at = (f: string): Where => ({ recordId, field: `line[${line.lineNumber}].${f}` });
  let quantityLine = line.quantity !== null && line.unitPrice !== null;
  if (quantityLine && line.requireExtensionMatch && line.amount !== null) {
    const extension = parseDecimal(line.quantity!, recordId, at(line.names.quantity).field).times(
      parseDecimal(line.unitPrice!, recordId, at(line.names.unitPrice).field),
    );
    // A rounded price (3 × 3.333 ≠ 10.00) would make IT1 disagree with TDS: write the amount instead.
    quantityLine = extension.equals(parseDecimal(line.amount, recordId, at(line.names.amount).field));
  }
  let quantity: string;
  let uom: string;
  let price: string;
  if (quantityLine) {
    if (line.uom === null)
      throw new RecordFieldError(recordId, at('uom').field, 'a quantity needs a unit of measure');
    quantity = enc.decimal(line.quantity!, at(line.names.quantity), maxQuantityDigits);
    uom = enc.uom(line.uom, at('uom'));
    price = enc.decimal(line.unitPrice!, at(line.names.unitPrice), 17);
  } else {
    if (line.amount === null) {
      throw new RecordFieldError(
        recordId,
        at(line.names.amount).field,
        'the line has neither quantity and price nor an amount',
      );
    }
    quantity = '1';
    uom = enc.profile.amountOnlyLineUom;
    price = enc.decimal(line.amount, at(line.names.amount), 17);
  }
  const item = enc.text(line.item, at('item'), 48);
  return [
    enc.text(String(line.lineNumber), at('lineNumber'), 20),
    quantity,
    uom,
    price,
    '',
    item ? enc.profile.itemQualifier : '',
    item,
  ];
}

/** PID free-form description (PID01 F, PID05 text), or null without a description. */
export function descriptionSegment(
  enc: X12Encoder,
  recordId: string,
  lineNumber: number,
  description: string | null,
): string | null {
  const text = enc.text(description, { recordId, field: `line[${lineNumber}].description` }, 80);
  return text ? enc.segment('PID', ['F', '', '', '', text]) : null;
}
