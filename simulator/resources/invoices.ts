import { Decimal } from 'decimal.js';
import { type Attribute, currencyScale, moneyIn } from '../attributes';
import { uniqId } from '../journals';
import { mulberry32, picker } from '../random';
import { type ChangePolicy, type NewRow, type TreeSpec, TreeStore } from '../tree-store';
import { SUPPLIER_PROFILES } from './suppliers';

// Payables invoices (reference §3.2): invoices → invoiceLines → invoiceDistributions, and
// invoices → invoiceInstallments. Invoice and line keys are opaque UniqIDs in links.

const invoiceAttributes: Attribute[] = [
  { name: 'InvoiceId', type: 'integer' },
  { name: 'InvoiceNumber', type: 'string' },
  { name: 'InvoiceType', type: 'string' },
  { name: 'BusinessUnit', type: 'string' },
  { name: 'Supplier', type: 'string' },
  { name: 'SupplierNumber', type: 'string' },
  { name: 'SupplierSite', type: 'string' },
  { name: 'InvoiceAmount', type: 'number' },
  { name: 'InvoiceCurrency', type: 'string' },
  { name: 'PaymentCurrency', type: 'string' },
  { name: 'InvoiceDate', type: 'date' },
  { name: 'AccountingDate', type: 'date' },
  { name: 'PaymentTerms', type: 'string' },
  // A derived status: assumed not queryable, so /describe has a non-queryable example [I].
  { name: 'ValidationStatus', type: 'string', queryable: false },
  { name: 'ApprovalStatus', type: 'string' },
  { name: 'PaidStatus', type: 'string' },
  { name: 'PurchaseOrderNumber', type: 'string' },
  { name: 'Description', type: 'string' },
  { name: 'LegalEntityName', type: 'string' },
  { name: 'CreationDate', type: 'datetime' },
  { name: 'LastUpdateDate', type: 'datetime' },
];

const lineAttributes: Attribute[] = [
  { name: 'LineNumber', type: 'integer' },
  { name: 'LineType', type: 'string' },
  { name: 'LineAmount', type: 'number' },
  { name: 'Description', type: 'string' },
  { name: 'Quantity', type: 'number' },
  { name: 'UnitPrice', type: 'number' },
  { name: 'UOM', type: 'string' },
  { name: 'AccountingDate', type: 'date' },
  { name: 'PurchaseOrderNumber', type: 'string' },
  { name: 'PurchaseOrderLineNumber', type: 'integer' },
  { name: 'Item', type: 'string' },
  { name: 'CreationDate', type: 'datetime' },
  { name: 'LastUpdateDate', type: 'datetime' },
];

const distributionAttributes: Attribute[] = [
  { name: 'InvoiceDistributionId', type: 'integer' },
  { name: 'DistributionLineNumber', type: 'integer' },
  { name: 'DistributionLineType', type: 'string' },
  { name: 'DistributionAmount', type: 'number' },
  { name: 'DistributionCombination', type: 'string' },
  { name: 'AccountingDate', type: 'date' },
  { name: 'LastUpdateDate', type: 'datetime' },
];

const installmentAttributes: Attribute[] = [
  { name: 'InstallmentNumber', type: 'integer' },
  { name: 'DueDate', type: 'date' },
  { name: 'GrossAmount', type: 'number' },
  { name: 'UnpaidAmount', type: 'number' },
  { name: 'PaymentMethod', type: 'string' },
  { name: 'LastUpdateDate', type: 'datetime' },
];

export const invoicesSpec: TreeSpec = {
  name: 'invoices',
  attributes: invoiceAttributes,
  primaryKey: 'InvoiceId',
  itemKey: (row) => uniqId(row.InvoiceId as number),
  keys: 'sequence',
  firstId: 300000071000001,
  children: [
    {
      name: 'invoiceLines',
      attributes: lineAttributes,
      primaryKey: 'LineNumber',
      itemKey: (row, invoice) => uniqId(invoice?.InvoiceId as number, row.LineNumber as number),
      keys: 'lineNumber',
      children: [
        {
          name: 'invoiceDistributions',
          attributes: distributionAttributes,
          primaryKey: 'InvoiceDistributionId',
          itemKey: (row) => String(row.InvoiceDistributionId),
          keys: 'sequence',
          firstId: 300000071500001,
          numbered: 'DistributionLineNumber',
          children: [],
        },
      ],
    },
    {
      name: 'invoiceInstallments',
      attributes: installmentAttributes,
      primaryKey: 'InstallmentNumber',
      itemKey: (row, invoice) => uniqId(invoice?.InvoiceId as number, row.InstallmentNumber as number),
      keys: 'lineNumber',
      children: [],
    },
  ],
};

interface LineSeed {
  type: 'Item' | 'Freight' | 'Miscellaneous';
  description: string | null;
  /** Both null for a freight or miscellaneous line: then `amount` is the line amount. */
  quantity: string | null;
  unitPrice: string | null;
  amount?: string;
  item?: string | null;
  poLine?: number;
}

interface InvoiceSeed {
  supplier: number;
  currency: string;
  type?: 'Standard' | 'Credit Memo';
  description: string | null;
  lines: LineSeed[];
  po?: string;
  paymentCurrency?: string | null;
  /** Time slot (hours after the base time); equal slots give equal LastUpdateDate values. */
  slot: number;
  installments?: 1 | 2;
  paid?: 'Paid' | 'Unpaid' | 'Partially paid';
}

const item = (description: string | null, quantity: string, unitPrice: string, sku?: string): LineSeed => ({
  type: 'Item',
  description,
  quantity,
  unitPrice,
  item: sku ?? null,
});
const charge = (type: 'Freight' | 'Miscellaneous', description: string, amount: string): LineSeed => ({
  type,
  description,
  quantity: null,
  unitPrice: null,
  amount,
});

/** Hand-made edge cases first, then PRNG-made ordinary invoices. */
function invoiceSeeds(seed: number): InvoiceSeed[] {
  const seeds: InvoiceSeed[] = [
    {
      supplier: 0,
      currency: 'USD',
      description: 'Rack hardware March',
      po: 'US1-104870',
      slot: 0,
      lines: [
        { ...item('Rack rails', '10', '100.00', 'RK-RAIL-42U'), poLine: 1 },
        charge('Freight', 'Freight', '250.00'),
      ],
    },
    {
      supplier: 1,
      currency: 'USD',
      description: 'Toner, paper, and staples',
      slot: 1,
      lines: [item('Toner, black', '4', '89.99'), item('Paper, A4, 80g', '20', '5.25')],
      installments: 2,
    },
    {
      supplier: 2,
      currency: 'USD',
      description: 'Parts "rush" order',
      slot: 2,
      lines: [item('Bracket "L" 40mm', '250', '0.37'), item('Gasket, 3" ring', '12', '4.10')],
      paid: 'Paid',
    },
    {
      supplier: 3,
      currency: 'EUR',
      description: 'Wartung Q3\nZweite Zeile: Prüfung & Übergabe',
      slot: 3,
      lines: [item('Wartungsvertrag Größe M', '1', '1500.00'), charge('Miscellaneous', 'Anfahrt', '85.50')],
    },
    {
      supplier: 4,
      currency: 'JPY',
      description: '精密部品 10月分',
      slot: 4,
      lines: [item('ベアリング 6204', '300', '450'), charge('Freight', '送料', '3800')],
    },
    {
      supplier: 5,
      currency: 'KWD',
      description: 'Pipe fittings',
      slot: 5,
      lines: [item('Fitting 2in', '15', '12.125'), charge('Freight', 'Freight KWI', '7.500')],
    },
    {
      supplier: 0,
      currency: 'USD',
      type: 'Credit Memo',
      description: 'Credit: returned rails',
      slot: 6,
      lines: [
        item('Rack rails returned', '-2', '100.00', 'RK-RAIL-42U'),
        charge('Freight', 'Freight refund', '-50.00'),
      ],
    },
    {
      supplier: 6,
      currency: 'GBP',
      description: 'Fleet charter, multi-year',
      slot: 7,
      lines: [charge('Miscellaneous', 'Charter fee', '98765432109876.54')],
      paymentCurrency: 'USD',
    },
    {
      supplier: 8,
      currency: 'USD',
      description: 'Consulting hours, October (30 lines)',
      slot: 8,
      lines: Array.from({ length: 30 }, (_, d) =>
        item(`Consulting day ${d + 1}`, String(6 + (d % 3)), '175.00', 'SVC-CONSULT'),
      ),
    },
    {
      supplier: 7,
      currency: 'USD',
      description: null,
      slot: 9,
      lines: [charge('Freight', "O'Hare pickup", '310.00')],
      paymentCurrency: null,
    },
  ];
  // Ordinary invoices from the PRNG; the last two share a slot (same LastUpdateDate).
  const rnd = mulberry32(seed ^ 0x1f0e);
  const pick = picker(rnd);
  const goods = ['Cable ties', 'Shelf brackets', 'Safety gloves', 'LED panel', 'Label printer rolls'];
  for (let k = 0; k < 5; k++) {
    const count = 1 + Math.floor(rnd() * 4);
    seeds.push({
      supplier: [0, 1, 9, 10, 11][k]!,
      currency: 'USD',
      description: `${pick(goods)} restock ${k + 1}`,
      slot: k === 4 ? 13 : 10 + k,
      lines: Array.from({ length: count }, () =>
        item(
          pick(goods),
          String(1 + Math.floor(rnd() * 40)),
          new Decimal(Math.floor(rnd() * 20000) + 1).div(100).toFixed(2),
        ),
      ),
      paid: pick(['Paid', 'Unpaid', 'Partially paid'] as const),
    });
  }
  return seeds;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const ENTITY: Record<string, string> = {
  'US1 Business Unit': 'US1 Legal Entity',
  'DE1 Business Unit': 'DE1 Legal Entity',
  'JP1 Business Unit': 'JP1 Legal Entity',
  'KW1 Business Unit': 'KW1 Legal Entity',
  'UK1 Business Unit': 'UK1 Legal Entity',
};

function invoiceRow(s: InvoiceSeed, i: number, baseTime: number): NewRow {
  const supplier = SUPPLIER_PROFILES[s.supplier]!;
  const scale = currencyScale(s.currency);
  const created = baseTime + s.slot * HOUR;
  const updated = created + 30 * 60_000;
  const accountingDate = isoDay(created);
  const lines = s.lines.map((l, n): NewRow => {
    const amount =
      l.quantity !== null && l.unitPrice !== null
        ? new Decimal(l.quantity).times(l.unitPrice).toDecimalPlaces(scale)
        : new Decimal(l.amount!);
    // Two distributions on even lines: a split, the remainder on the second.
    const half = amount.div(2).toDecimalPlaces(scale, Decimal.ROUND_DOWN);
    const parts = n % 2 === 1 ? [half, amount.minus(half)] : [amount];
    return {
      LineType: l.type,
      LineAmount: moneyIn(s.currency, amount),
      Description: l.description,
      Quantity: l.quantity,
      UnitPrice: l.unitPrice === null ? null : moneyIn(s.currency, l.unitPrice),
      UOM: l.quantity === null ? null : 'Each',
      AccountingDate: accountingDate,
      PurchaseOrderNumber: l.poLine ? (s.po ?? null) : null,
      PurchaseOrderLineNumber: l.poLine ?? null,
      Item: l.item ?? null,
      CreationDate: created,
      LastUpdateDate: created,
      invoiceDistributions: parts.map((part, d) => ({
        DistributionLineNumber: d + 1,
        DistributionLineType: l.type === 'Freight' ? 'Freight' : 'Item',
        DistributionAmount: moneyIn(s.currency, part),
        DistributionCombination: `101-${10 + (d % 3) * 10}-${l.type === 'Freight' ? '61500' : '60010'}-000`,
        AccountingDate: accountingDate,
        LastUpdateDate: created,
      })),
    };
  });
  const total = lines.reduce((sum, l) => sum.plus(String(l.LineAmount)), new Decimal(0));
  const paid = s.paid ?? 'Unpaid';
  const firstDue = total.div(2).toDecimalPlaces(scale, Decimal.ROUND_DOWN);
  const dues = s.installments === 2 ? [firstDue, total.minus(firstDue)] : [total];
  return {
    InvoiceNumber: `${supplier.site.split('-')[0]}-${10440 + i}`,
    InvoiceType: s.type ?? 'Standard',
    BusinessUnit: supplier.bu,
    Supplier: supplier.name,
    SupplierNumber: supplier.number,
    SupplierSite: supplier.site,
    InvoiceAmount: moneyIn(s.currency, total),
    InvoiceCurrency: s.currency,
    PaymentCurrency: s.paymentCurrency === undefined ? s.currency : s.paymentCurrency,
    InvoiceDate: isoDay(created - DAY),
    AccountingDate: accountingDate,
    PaymentTerms: ['Net 30', 'Immediate', '2/10 Net 30'][i % 3],
    ValidationStatus: i % 5 === 4 ? 'Needs revalidation' : 'Validated',
    ApprovalStatus: i % 4 === 3 ? 'Initiated' : 'Approved',
    PaidStatus: paid,
    PurchaseOrderNumber: s.po ?? null,
    Description: s.description,
    LegalEntityName: ENTITY[supplier.bu] ?? null,
    CreationDate: created,
    LastUpdateDate: updated,
    invoiceLines: lines,
    invoiceInstallments: dues.map((due, n) => ({
      DueDate: isoDay(created + (30 + n * 30) * DAY),
      GrossAmount: moneyIn(s.currency, due),
      UnpaidAmount: moneyIn(
        s.currency,
        paid === 'Paid' || (paid === 'Partially paid' && n === 0) ? new Decimal(0) : due,
      ),
      PaymentMethod: ['Check', 'EFT', 'Wire'][(i + n) % 3],
      LastUpdateDate: created,
    })),
  };
}

export function createInvoiceStore(
  policy: ChangePolicy,
  clock: () => number,
  baseTime: number,
  seed: number,
): TreeStore {
  const store = new TreeStore(invoicesSpec, policy, clock);
  invoiceSeeds(seed).forEach((s, i) => {
    store.create(invoiceRow(s, i, baseTime));
  });
  return store;
}
