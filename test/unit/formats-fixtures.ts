// Sample records, a partner profile and a golden-file helper shared by the formats-*.test.ts files.
// Golden files live in test/fixtures/golden; run with UPDATE_GOLDEN=1 to rewrite them after a deliberate change.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { X12EnvelopeInput, X12PartnerProfile } from '../../src/formats/x12/profile';
import type {
  InvoiceRecord,
  JournalLineRecord,
  PurchaseOrderRecord,
  SupplierRecord,
} from '../../src/shared/records';

const GOLDEN = join(__dirname, '..', 'fixtures', 'golden');

/** Compares byte for byte with test/fixtures/golden/<name>. */
export function assertGolden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual, 'utf8');
  assert.ok(existsSync(path), `golden file ${name} is missing (run with UPDATE_GOLDEN=1 to create it)`);
  assert.equal(actual, readFileSync(path, 'utf8'), `golden file ${name}`);
}

export function journalLine(overrides: Partial<JournalLineRecord> = {}): JournalLineRecord {
  return {
    recordId: '300000104500001:1',
    version: '2026-10-01T08:00:00.000Z',
    batchId: '300000104400001',
    batchName: 'Accrual',
    batchStatus: 'P',
    headerId: '300000104500001',
    journalName: 'Payroll accrual',
    journalCategory: 'Accrual',
    ledgerName: 'US Primary Ledger',
    periodName: 'Oct-26',
    accountingDate: '2026-10-01',
    lineNumber: 1,
    accountCombination: '101-10-60010-000',
    enteredDr: '18250',
    enteredCr: null,
    accountedDr: '18250',
    accountedCr: null,
    currencyCode: 'USD',
    ledgerCurrencyCode: 'USD',
    description: 'Salaries accrual',
    ...overrides,
  };
}

/** A balanced two-line journal: 0.1 + 0.2 on the debit side against 0.3 on the credit side. */
export function balancedJournal(headerId = '300000104500001'): JournalLineRecord[] {
  return [
    journalLine({ recordId: `${headerId}:1`, headerId, lineNumber: 1, enteredDr: '0.1', accountedDr: '0.1' }),
    journalLine({
      recordId: `${headerId}:2`,
      headerId,
      lineNumber: 2,
      accountCombination: '101-20-60020-000',
      enteredDr: '0.2',
      accountedDr: '0.2',
      description: 'Bonus accrual, "Q3"',
    }),
    journalLine({
      recordId: `${headerId}:3`,
      headerId,
      lineNumber: 3,
      accountCombination: '101-00-21000-000',
      enteredDr: null,
      accountedDr: null,
      enteredCr: '0.3',
      accountedCr: '0.3',
      description: 'Accrued liabilities',
    }),
  ];
}

export function invoice(overrides: Partial<InvoiceRecord> = {}): InvoiceRecord {
  return {
    recordId: '300000200000001',
    version: '2026-10-02T09:30:00.000Z',
    invoiceId: '300000200000001',
    invoiceNumber: 'INV-1001',
    invoiceType: 'Standard',
    businessUnit: 'US1 Business Unit',
    supplier: 'Acme Supplies Inc',
    supplierNumber: 'SUP-0042',
    supplierSite: 'ACME-HQ',
    invoiceAmount: '1250.00',
    invoiceCurrency: 'USD',
    paymentCurrency: 'USD',
    invoiceDate: '2026-10-01',
    accountingDate: '2026-10-01',
    paymentTerms: 'Net 30',
    validationStatus: 'Validated',
    approvalStatus: 'Approved',
    paidStatus: 'Unpaid',
    purchaseOrderNumber: 'PO-4500',
    description: 'October supplies',
    legalEntityName: 'US Legal Entity',
    lines: [
      {
        lineNumber: 1,
        lineType: 'Item',
        lineAmount: '1200.00',
        description: 'Printer paper, A4',
        quantity: '100',
        unitPrice: '12',
        uom: 'Each',
        accountingDate: '2026-10-01',
        purchaseOrderNumber: 'PO-4500',
        purchaseOrderLineNumber: '1',
        item: 'PAPER-A4',
        distributions: [
          {
            distributionId: '300000200000101',
            distributionLineNumber: 1,
            distributionLineType: 'Item',
            distributionAmount: '700.00',
            distributionCombination: '101-10-60100-000',
            accountingDate: '2026-10-01',
          },
          {
            distributionId: '300000200000102',
            distributionLineNumber: 2,
            distributionLineType: 'Item',
            distributionAmount: '500.00',
            distributionCombination: '101-20-60100-000',
            accountingDate: '2026-10-01',
          },
        ],
      },
      {
        lineNumber: 2,
        lineType: 'Freight',
        lineAmount: '50.00',
        description: 'Freight',
        quantity: null,
        unitPrice: null,
        uom: null,
        accountingDate: '2026-10-01',
        purchaseOrderNumber: null,
        purchaseOrderLineNumber: null,
        item: null,
        distributions: [],
      },
    ],
    installments: [
      {
        installmentNumber: 1,
        dueDate: '2026-10-31',
        grossAmount: '1250.00',
        unpaidAmount: '1250.00',
        paymentMethod: 'Check',
      },
    ],
    ...overrides,
  };
}

export function creditMemo(): InvoiceRecord {
  const base = invoice();
  return invoice({
    recordId: '300000200000002',
    invoiceId: '300000200000002',
    invoiceNumber: 'CM-2001',
    invoiceType: 'Credit Memo',
    invoiceAmount: '-150.50',
    purchaseOrderNumber: null,
    lines: [
      {
        ...base.lines[0]!,
        lineAmount: '-150.50',
        description: 'Returned toner',
        quantity: null,
        unitPrice: null,
        uom: null,
        item: null,
        distributions: [],
      },
    ],
  });
}

export function purchaseOrder(overrides: Partial<PurchaseOrderRecord> = {}): PurchaseOrderRecord {
  return {
    recordId: '300000300000001',
    version: '2026-10-02T10:00:00.000Z',
    poHeaderId: '300000300000001',
    orderNumber: 'PO-4500',
    procurementBU: 'US1 Business Unit',
    soldToLegalEntity: 'US Legal Entity',
    billToBU: 'US1 Business Unit',
    buyer: 'Jane Buyer',
    supplier: 'Acme Supplies Inc',
    supplierId: '300000400000042',
    supplierSite: 'ACME-HQ',
    currencyCode: 'USD',
    status: 'OPEN',
    ordered: '1325.50',
    description: 'Office supplies Q4',
    orderDate: '2026-09-28',
    lines: [
      {
        poLineId: '300000300000011',
        lineNumber: 1,
        lineType: 'Goods',
        item: 'PAPER-A4',
        description: 'Printer paper, A4',
        category: 'Office Supplies',
        quantity: '100',
        uom: 'Each',
        price: '12.255',
        ordered: '1225.50',
        schedules: [
          {
            scheduleId: '300000300000111',
            scheduleNumber: 1,
            quantity: '100',
            needByDate: '2026-10-15',
            shipToLocation: 'Austin HQ',
            distributions: [
              {
                distributionId: '300000300001111',
                distributionNumber: 1,
                quantity: '100',
                amount: '1225.50',
                chargeAccount: '101-10-60100-000',
              },
            ],
          },
        ],
      },
      {
        poLineId: '300000300000012',
        lineNumber: 2,
        lineType: 'Fixed Price Services',
        item: null,
        description: 'Installation',
        category: 'Services',
        quantity: null,
        uom: null,
        price: null,
        ordered: '100.00',
        schedules: [],
      },
    ],
    ...overrides,
  };
}

export function supplier(overrides: Partial<SupplierRecord> = {}): SupplierRecord {
  return {
    recordId: '300000400000042',
    version: '2026-09-01T12:00:00.000Z',
    supplierId: '300000400000042',
    supplier: 'Acme Supplies Inc',
    supplierNumber: 'SUP-0042',
    status: 'ACTIVE',
    businessRelationship: 'SPEND_AUTHORIZED',
    taxOrganizationType: 'CORPORATION',
    taxpayerId: '12-3456789',
    dunsNumber: '123456789',
    sites: [
      {
        supplierSiteId: '300000400000101',
        supplierSite: 'ACME-HQ',
        procurementBU: 'US1 Business Unit',
        supplierAddressName: 'HQ',
        purchasing: true,
        pay: true,
        inactiveDate: null,
      },
      {
        supplierSiteId: '300000400000102',
        supplierSite: 'ACME-REMIT',
        procurementBU: 'US1 Business Unit',
        supplierAddressName: 'Remit',
        purchasing: false,
        pay: true,
        inactiveDate: '2027-12-31',
      },
    ],
    addresses: [
      {
        supplierAddressId: '300000400000201',
        addressName: 'HQ',
        addressLine1: '1 Main Street',
        addressLine2: 'Suite 100',
        city: 'Austin',
        state: 'TX',
        postalCode: '78701',
        country: 'US',
      },
      {
        supplierAddressId: '300000400000202',
        addressName: 'Remit',
        addressLine1: 'PO Box 42',
        addressLine2: null,
        city: 'Dallas',
        state: 'TX',
        postalCode: '75201',
        country: 'US',
      },
    ],
    contacts: [],
    ...overrides,
  };
}

export function partner(overrides: Partial<X12PartnerProfile> = {}): X12PartnerProfile {
  return {
    version: '004010',
    interchangeSender: { qualifier: 'ZZ', id: 'MLCONNECTOR' },
    interchangeReceiver: { qualifier: '01', id: '123456789' },
    applicationSender: 'MLCONNECTOR',
    applicationReceiver: 'ACMEAP',
    usage: 'T',
    acknowledgmentRequested: '0',
    separators: { element: '*', segment: '~', subElement: ':', repetition: '^' },
    lineEnding: 'lf',
    delimiterPolicy: 'reject',
    ...overrides,
  };
}

export const envelope: X12EnvelopeInput = {
  interchangeControlNumber: 42,
  groupControlNumber: 7,
  firstTransactionSetControlNumber: 1,
  createdAt: '2026-10-02T14:05:09Z',
};
