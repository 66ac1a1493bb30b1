import type { InvoiceRecord } from '../../shared/records';
import type { Raw } from '../documents';
import { FieldReader, latestUpdate } from '../fields';
import { label, mapOne, versionOf } from './map';
import type { EntityReader } from './types';

// Payables invoices: one record per invoice with its lines (and their distributions) and its
// installments. Versioned by the latest LastUpdateDate anywhere in the invoice.

export function toInvoiceRecord(doc: Raw): InvoiceRecord {
  const r = new FieldReader(label(doc.InvoiceId));
  return {
    recordId: r.id(doc, 'InvoiceId'),
    version: latestUpdate(r, doc, [['invoiceLines', 'invoiceDistributions'], ['invoiceInstallments']]),
    invoiceId: r.id(doc, 'InvoiceId'),
    invoiceNumber: r.required(doc, 'InvoiceNumber'),
    invoiceType: r.text(doc, 'InvoiceType'),
    businessUnit: r.required(doc, 'BusinessUnit'),
    supplier: r.required(doc, 'Supplier'),
    supplierNumber: r.required(doc, 'SupplierNumber'),
    supplierSite: r.text(doc, 'SupplierSite'),
    invoiceAmount: r.requiredAmount(doc, 'InvoiceAmount'),
    invoiceCurrency: r.currency(doc, 'InvoiceCurrency'),
    paymentCurrency: r.text(doc, 'PaymentCurrency'),
    invoiceDate: r.requiredDate(doc, 'InvoiceDate'),
    accountingDate: r.date(doc, 'AccountingDate'),
    paymentTerms: r.text(doc, 'PaymentTerms'),
    validationStatus: r.text(doc, 'ValidationStatus'),
    approvalStatus: r.text(doc, 'ApprovalStatus'),
    paidStatus: r.text(doc, 'PaidStatus'),
    purchaseOrderNumber: r.text(doc, 'PurchaseOrderNumber'),
    description: r.text(doc, 'Description'),
    legalEntityName: r.text(doc, 'LegalEntityName'),
    lines: r.rows(doc, 'invoiceLines').map((line, i) => {
      const l = r.at(`invoiceLines[${i}].`);
      return {
        lineNumber: l.integer(line, 'LineNumber'),
        lineType: l.required(line, 'LineType'),
        lineAmount: l.requiredAmount(line, 'LineAmount'),
        description: l.text(line, 'Description'),
        quantity: l.amount(line, 'Quantity'),
        unitPrice: l.amount(line, 'UnitPrice'),
        uom: l.text(line, 'UOM'),
        accountingDate: l.date(line, 'AccountingDate'),
        purchaseOrderNumber: l.text(line, 'PurchaseOrderNumber'),
        purchaseOrderLineNumber: l.text(line, 'PurchaseOrderLineNumber'),
        item: l.text(line, 'Item'),
        distributions: l.rows(line, 'invoiceDistributions').map((dist, j) => {
          const d = l.at(`invoiceDistributions[${j}].`);
          return {
            distributionId: d.id(dist, 'InvoiceDistributionId'),
            distributionLineNumber: d.integer(dist, 'DistributionLineNumber'),
            distributionLineType: d.text(dist, 'DistributionLineType'),
            distributionAmount: d.requiredAmount(dist, 'DistributionAmount'),
            distributionCombination: d.text(dist, 'DistributionCombination'),
            accountingDate: d.date(dist, 'AccountingDate'),
          };
        }),
      };
    }),
    installments: r.rows(doc, 'invoiceInstallments').map((inst, i) => {
      const n = r.at(`invoiceInstallments[${i}].`);
      return {
        installmentNumber: n.integer(inst, 'InstallmentNumber'),
        dueDate: n.date(inst, 'DueDate'),
        grossAmount: n.requiredAmount(inst, 'GrossAmount'),
        unpaidAmount: n.amount(inst, 'UnpaidAmount'),
        paymentMethod: n.text(inst, 'PaymentMethod'),
      };
    }),
  };
}

export const invoicesReader: EntityReader<'invoices'> = {
  entity: 'invoices',
  spec: {
    resource: 'invoices',
    key: 'InvoiceId',
    children: [
      { name: 'invoiceLines', children: [{ name: 'invoiceDistributions' }] },
      { name: 'invoiceInstallments' },
    ],
  },
  toRecords: (doc) => [mapOne(label(doc.InvoiceId), versionOf(doc), doc, () => toInvoiceRecord(doc))],
};
