import { type InvoiceRecord, RecordFieldError } from '../../shared/records';
import { parseDecimal } from '../amount';
import type { X12Encoder } from './encode';
import { descriptionSegment, lineItemElements } from './lines';

// X12 810 (invoice) body for one InvoiceRecord, between ST and SE. Minimal but valid, same for
// 004010 and 005010 (only REF02's maximum grows, 30 → 50):
//   BIG  invoice date, invoice number, (PO date unused), PO number; BIG07 CR for a credit memo,
//        DR for a debit memo (a standard invoice leaves it out)
//   CUR  SE = selling party's currency: the invoice currency
//   REF  IA = internal vendor number: our supplier number          (when there is one)
//   N1   SE selling party: supplier name, 92 = assigned by buyer: supplier number
//   N1   BT bill-to party: legal entity, else business unit         (when there is one)
//   IT1  per line: line number, quantity, unit, unit price, product ID qualifier + item (see lines.ts)
//   PID  F free-form line description                               (when there is one)
//   TDS  total invoice amount, N2 implied decimals: 1250.00 → 125000; a credit memo is negative
//   CTT  number of IT1 line items
// Not written: ITD terms, DTM dates, N2–N4 addresses, TXI/SAC (tax and charges travel as lines).

export function isCreditMemo(invoice: InvoiceRecord): boolean {
  return (
    /credit/i.test(invoice.invoiceType ?? '') ||
    parseDecimal(invoice.invoiceAmount, invoice.recordId, 'invoiceAmount').isNegative()
  );
}

export function invoice810Body(
  enc: X12Encoder,
  inv: InvoiceRecord,
): { segments: string[]; lineItems: number } {
  const id = inv.recordId;
  const at = (field: string) => ({ recordId: id, field });
  if (inv.lines.length === 0) throw new RecordFieldError(id, 'lines', 'an 810 needs at least one line');
  const refMax = enc.profile.version === '004010' ? 30 : 50;
  const segments: string[] = [];
  const kind = isCreditMemo(inv) ? 'CR' : /debit/i.test(inv.invoiceType ?? '') ? 'DR' : '';
  segments.push(
    enc.segment('BIG', [
      enc.date(inv.invoiceDate, at('invoiceDate')),
      enc.text(inv.invoiceNumber, at('invoiceNumber'), 22, { required: true }),
      '',
      enc.text(inv.purchaseOrderNumber, at('purchaseOrderNumber'), 22),
      '',
      '',
      kind,
    ]),
  );
  segments.push(enc.segment('CUR', ['SE', currency(enc, inv.invoiceCurrency, id, 'invoiceCurrency')]));
  const supplierNumber = enc.text(inv.supplierNumber, at('supplierNumber'), refMax);
  if (supplierNumber) segments.push(enc.segment('REF', ['IA', supplierNumber]));
  segments.push(
    enc.segment('N1', [
      'SE',
      enc.text(inv.supplier, at('supplier'), 60, { required: true }),
      supplierNumber ? '92' : '',
      enc.text(inv.supplierNumber, at('supplierNumber'), 80, { min: 2 }),
    ]),
  );
  const billTo = inv.legalEntityName ?? inv.businessUnit;
  const billToName = enc.text(billTo, at(inv.legalEntityName ? 'legalEntityName' : 'businessUnit'), 60);
  if (billToName) segments.push(enc.segment('N1', ['BT', billToName]));
  for (const line of inv.lines) {
    segments.push(
      enc.segment(
        'IT1',
        lineItemElements(
          enc,
          id,
          {
            lineNumber: line.lineNumber,
            quantity: line.quantity,
            uom: line.uom,
            unitPrice: line.unitPrice,
            amount: line.lineAmount,
            item: line.item,
            names: { quantity: 'quantity', unitPrice: 'unitPrice', amount: 'lineAmount' },
            requireExtensionMatch: true,
          },
          10,
        ),
      ),
    );
    const pid = descriptionSegment(enc, id, line.lineNumber, line.description);
    if (pid) segments.push(pid);
  }
  segments.push(enc.segment('TDS', [enc.implied(inv.invoiceAmount, at('invoiceAmount'), 2, 15)]));
  segments.push(enc.segment('CTT', [enc.count(inv.lines.length, at('lines'), 6)]));
  return { segments, lineItems: inv.lines.length };
}

export function currency(enc: X12Encoder, code: string, recordId: string, field: string): string {
  if (!/^[A-Z]{3}$/.test(code))
    throw new RecordFieldError(recordId, field, `"${code}" is not an ISO 4217 currency code`);
  return enc.text(code, { recordId, field }, 3, { min: 3 });
}
