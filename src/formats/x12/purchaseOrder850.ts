import { type PurchaseOrderRecord, RecordFieldError } from '../../shared/records';
import type { X12Encoder } from './encode';
import { currency } from './invoice810';
import { descriptionSegment, lineItemElements } from './lines';

// X12 850 (purchase order) body for one PurchaseOrderRecord, between ST and SE. Minimal but valid,
// same for 004010 and 005010:
//   BEG  00 original, SA stand-alone order, PO number, (release unused), order date
//   CUR  BY = buying party's currency: the order currency
//   PER  BD buyer name                                               (when there is one)
//   N1   BY buying party: sold-to legal entity, else procurement BU, else bill-to BU (when there is one)
//   N1   SE selling party: supplier name, 92 = assigned by buyer: supplier ID (when there is one)
//   PO1  per line: line number, quantity, unit, unit price, product ID qualifier + item (see lines.ts)
//   PID  F free-form line description                                (when there is one)
//   CTT  number of PO1 line items
// Not written: schedules (SCH/DTM need-by dates, ship-to N1 per line) and distributions: a partner
// that needs them gets a richer map, not a guess here.

export function purchaseOrder850Body(
  enc: X12Encoder,
  po: PurchaseOrderRecord,
): { segments: string[]; lineItems: number } {
  const id = po.recordId;
  const at = (field: string) => ({ recordId: id, field });
  if (po.lines.length === 0) throw new RecordFieldError(id, 'lines', 'an 850 needs at least one line');
  const segments: string[] = [];
  segments.push(
    enc.segment('BEG', [
      '00',
      'SA',
      enc.text(po.orderNumber, at('orderNumber'), 22, { required: true }),
      '',
      enc.date(po.orderDate, at('orderDate')),
    ]),
  );
  segments.push(enc.segment('CUR', ['BY', currency(enc, po.currencyCode, id, 'currencyCode')]));
  const buyer = enc.text(po.buyer, at('buyer'), 60);
  if (buyer) segments.push(enc.segment('PER', ['BD', buyer]));
  const buyingParty = po.soldToLegalEntity
    ? (['soldToLegalEntity', po.soldToLegalEntity] as const)
    : po.procurementBU
      ? (['procurementBU', po.procurementBU] as const)
      : po.billToBU
        ? (['billToBU', po.billToBU] as const)
        : null;
  if (buyingParty) segments.push(enc.segment('N1', ['BY', enc.text(buyingParty[1], at(buyingParty[0]), 60)]));
  const supplierId = enc.text(po.supplierId, at('supplierId'), 80, { min: 2 });
  segments.push(
    enc.segment('N1', [
      'SE',
      enc.text(po.supplier, at('supplier'), 60, { required: true }),
      supplierId ? '92' : '',
      supplierId,
    ]),
  );
  for (const line of po.lines) {
    segments.push(
      enc.segment(
        'PO1',
        lineItemElements(
          enc,
          id,
          {
            lineNumber: line.lineNumber,
            quantity: line.quantity,
            uom: line.uom,
            unitPrice: line.price,
            amount: line.ordered,
            item: line.item,
            names: { quantity: 'quantity', unitPrice: 'price', amount: 'ordered' },
            requireExtensionMatch: false,
          },
          15,
        ),
      ),
    );
    const pid = descriptionSegment(enc, id, line.lineNumber, line.description);
    if (pid) segments.push(pid);
  }
  segments.push(enc.segment('CTT', [enc.count(po.lines.length, at('lines'), 6)]));
  return { segments, lineItems: po.lines.length };
}
