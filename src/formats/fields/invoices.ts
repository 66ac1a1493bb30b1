import type { InvoiceDistribution, InvoiceLine, InvoiceRecord } from '../../shared/records';
import { type EntityFields, levelFields, type Row } from './types';

// Invoice fields: header fields by name, line fields as `line.<field>`, distribution fields as
// `line.distribution.<field>`. Amounts are in the invoice currency.

const currency = (row: Row) => (row[0] as InvoiceRecord).invoiceCurrency;

export const invoiceFields: EntityFields = {
  entity: 'invoices',
  levels: ['invoice', 'line', 'distribution'],
  children: [(inv: InvoiceRecord) => inv.lines, (line: InvoiceLine) => line.distributions],
  itemLabels: [
    (line: InvoiceLine) => `line[${line.lineNumber}]`,
    (d: InvoiceDistribution) => `distribution[${d.distributionLineNumber}]`,
  ],
  prefixes: ['', 'line.', 'line.distribution.'],
  fields: {
    ...levelFields<InvoiceRecord>(
      '',
      0,
      {
        recordId: 'code',
        version: 'code',
        invoiceId: 'code',
        invoiceNumber: 'text',
        invoiceType: 'text',
        businessUnit: 'text',
        supplier: 'text',
        supplierNumber: 'text',
        supplierSite: 'text',
        invoiceAmount: 'amount',
        invoiceCurrency: 'code',
        paymentCurrency: 'code',
        invoiceDate: 'date',
        accountingDate: 'date',
        paymentTerms: 'text',
        validationStatus: 'text',
        approvalStatus: 'text',
        paidStatus: 'text',
        purchaseOrderNumber: 'text',
        description: 'text',
        legalEntityName: 'text',
      },
      currency,
    ),
    lineCount: { kind: 'integer', level: 0, get: (row) => (row[0] as InvoiceRecord).lines.length },
    ...levelFields<InvoiceLine>(
      'line.',
      1,
      {
        lineNumber: 'integer',
        lineType: 'text',
        lineAmount: 'amount',
        description: 'text',
        quantity: 'decimal',
        unitPrice: 'decimal',
        uom: 'text',
        accountingDate: 'date',
        purchaseOrderNumber: 'text',
        purchaseOrderLineNumber: 'text',
        item: 'text',
      },
      currency,
    ),
    ...levelFields<InvoiceDistribution>(
      'line.distribution.',
      2,
      {
        distributionId: 'code',
        distributionLineNumber: 'integer',
        distributionLineType: 'text',
        distributionAmount: 'amount',
        distributionCombination: 'code',
        accountingDate: 'date',
      },
      currency,
    ),
  },
};
