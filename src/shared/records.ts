// Typed records as they leave src/fusion and enter src/formats. Amounts are decimal strings
// exactly as Fusion sent them (never JS numbers); timestamps are RFC 3339 UTC (`Z`).

/**
 * Most digits an amount may have (integer and fraction digits, leading zeros aside). Fusion amounts
 * and quantities are Oracle NUMBER columns, whose precision is 38 decimal digits: a longer value
 * cannot have come from Fusion's data. Every later step is sized by it (see formats/amount.ts).
 */
export const MAX_AMOUNT_DIGITS = 38;

/**
 * A decimal string already in the plain form decimal.js's toFixed() writes: no leading zero, no
 * trailing zero after the point, no `-0`. Most of Fusion's amounts are; for them the exact value's
 * text is the text itself, and the per-value Decimal (a few µs each, a tenth of a big sync's
 * mapping and render) is skipped.
 */
export const CANONICAL_DECIMAL = /^(?:0|-?(?:[1-9]\d*(?:\.\d*[1-9])?|0\.\d*[1-9]))$/;

export interface JournalLineRecord {
  /** Stable identity of a journal line: `<JeHeaderId>:<JeLineNumber>` (lines have no ID of their own). */
  recordId: string;
  /** The line's LastUpdateDate: a new value means a new version to deliver. */
  version: string;
  batchId: string;
  batchName: string;
  batchStatus: string | null;
  headerId: string;
  journalName: string;
  journalCategory: string | null;
  ledgerName: string;
  periodName: string;
  /** Accounting date (DefaultEffectiveDate), `yyyy-MM-dd`. */
  accountingDate: string;
  lineNumber: number;
  accountCombination: string;
  enteredDr: string | null;
  enteredCr: string | null;
  accountedDr: string | null;
  accountedCr: string | null;
  currencyCode: string;
  /**
   * The ledger's currency (the header's LedgerCurrencyCode): the currency of the accounted
   * amounts. Null when Fusion did not send it (then a format's `ledgerCurrency` must say it).
   */
  ledgerCurrencyCode: string | null;
  description: string | null;
}

export type JournalLineField = keyof JournalLineRecord;

export const JOURNAL_LINE_FIELDS: readonly JournalLineField[] = [
  'recordId',
  'version',
  'batchId',
  'batchName',
  'batchStatus',
  'headerId',
  'journalName',
  'journalCategory',
  'ledgerName',
  'periodName',
  'accountingDate',
  'lineNumber',
  'accountCombination',
  'enteredDr',
  'enteredCr',
  'accountedDr',
  'accountedCr',
  'currencyCode',
  'ledgerCurrencyCode',
  'description',
];

/** A record that failed validation: named by record and field, kept for the report, never dropped. */
export interface QuarantinedRecord {
  recordId: string;
  version: string;
  field: string;
  reason: string;
}

/** A record that cannot be delivered as is, naming the record and the field. */
export class RecordFieldError extends Error {
  constructor(
    readonly recordId: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`record ${recordId}, field ${field}: ${reason}`);
    this.name = 'RecordFieldError';
  }
}

// --- Payables invoices: one record per invoice, its lines (with distributions) and installments.

export interface InvoiceDistribution {
  distributionId: string;
  distributionLineNumber: number;
  distributionLineType: string | null;
  distributionAmount: string;
  distributionCombination: string | null;
  accountingDate: string | null;
}

export interface InvoiceLine {
  lineNumber: number;
  lineType: string;
  lineAmount: string;
  description: string | null;
  quantity: string | null;
  unitPrice: string | null;
  uom: string | null;
  accountingDate: string | null;
  purchaseOrderNumber: string | null;
  purchaseOrderLineNumber: string | null;
  item: string | null;
  distributions: InvoiceDistribution[];
}

export interface InvoiceInstallment {
  installmentNumber: number;
  dueDate: string | null;
  grossAmount: string;
  unpaidAmount: string | null;
  paymentMethod: string | null;
}

export interface InvoiceRecord {
  /** InvoiceId */
  recordId: string;
  version: string;
  invoiceId: string;
  invoiceNumber: string;
  invoiceType: string | null;
  businessUnit: string;
  supplier: string;
  supplierNumber: string;
  supplierSite: string | null;
  invoiceAmount: string;
  invoiceCurrency: string;
  paymentCurrency: string | null;
  /** yyyy-MM-dd */
  invoiceDate: string;
  accountingDate: string | null;
  paymentTerms: string | null;
  validationStatus: string | null;
  approvalStatus: string | null;
  paidStatus: string | null;
  purchaseOrderNumber: string | null;
  description: string | null;
  legalEntityName: string | null;
  lines: InvoiceLine[];
  installments: InvoiceInstallment[];
}

// --- Purchase orders: one record per order, lines → schedules → distributions.

export interface PurchaseOrderDistribution {
  distributionId: string;
  distributionNumber: number;
  quantity: string | null;
  amount: string | null;
  chargeAccount: string | null;
}

export interface PurchaseOrderSchedule {
  scheduleId: string;
  scheduleNumber: number;
  quantity: string | null;
  /** yyyy-MM-dd */
  needByDate: string | null;
  shipToLocation: string | null;
  distributions: PurchaseOrderDistribution[];
}

export interface PurchaseOrderLine {
  poLineId: string;
  lineNumber: number;
  lineType: string | null;
  item: string | null;
  description: string | null;
  category: string | null;
  quantity: string | null;
  uom: string | null;
  price: string | null;
  ordered: string | null;
  schedules: PurchaseOrderSchedule[];
}

export interface PurchaseOrderRecord {
  /** POHeaderId */
  recordId: string;
  version: string;
  poHeaderId: string;
  orderNumber: string;
  procurementBU: string | null;
  soldToLegalEntity: string | null;
  billToBU: string | null;
  buyer: string | null;
  supplier: string;
  supplierId: string | null;
  supplierSite: string | null;
  currencyCode: string;
  status: string | null;
  ordered: string | null;
  description: string | null;
  /** yyyy-MM-dd, from CreationDate */
  orderDate: string;
  lines: PurchaseOrderLine[];
}

// --- Suppliers: one record per supplier with its sites, addresses and contacts.

export interface SupplierSite {
  supplierSiteId: string;
  supplierSite: string;
  procurementBU: string | null;
  supplierAddressName: string | null;
  purchasing: boolean | null;
  pay: boolean | null;
  inactiveDate: string | null;
}

export interface SupplierAddress {
  supplierAddressId: string;
  addressName: string;
  addressLine1: string | null;
  addressLine2: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string | null;
}

export interface SupplierContact {
  supplierContactId: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
}

export interface SupplierRecord {
  /** SupplierId */
  recordId: string;
  version: string;
  supplierId: string;
  supplier: string;
  supplierNumber: string;
  status: string | null;
  businessRelationship: string | null;
  taxOrganizationType: string | null;
  taxpayerId: string | null;
  dunsNumber: string | null;
  sites: SupplierSite[];
  addresses: SupplierAddress[];
  contacts: SupplierContact[];
}

export type EntityName = 'journalLines' | 'invoices' | 'purchaseOrders' | 'suppliers';

export interface EntityRecordMap {
  journalLines: JournalLineRecord;
  invoices: InvoiceRecord;
  purchaseOrders: PurchaseOrderRecord;
  suppliers: SupplierRecord;
}

/**
 * The latest version of each record, in the order records were first seen: a record read twice in
 * one window (it changed while the window was read) goes out once, as it is now.
 */
export function latestVersions<T extends { recordId: string; version: string }>(records: Iterable<T>): T[] {
  const latest = new Map<string, T>();
  for (const r of records) {
    const prev = latest.get(r.recordId);
    if (!prev || prev.version <= r.version) latest.set(r.recordId, r);
  }
  return [...latest.values()];
}
