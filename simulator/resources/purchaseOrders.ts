import { Decimal } from 'decimal.js';
import { type Attribute, currencyScale, decimal, moneyIn, type Row } from '../attributes';
import { uniqId } from '../journals';
import { type ChangePolicy, type NewRow, type TreeSpec, TreeStore } from '../tree-store';
import { SUPPLIER_PROFILES } from './suppliers';

// Purchase orders (reference §3.3): purchaseOrders → lines → schedules → distributions.
// Order and schedule keys are opaque UniqIDs; line keys are the plain POLineId.

const orderAttributes: Attribute[] = [
  { name: 'POHeaderId', type: 'integer' },
  { name: 'OrderNumber', type: 'string' },
  { name: 'ProcurementBU', type: 'string' },
  { name: 'SoldToLegalEntity', type: 'string' },
  { name: 'BillToBU', type: 'string' },
  { name: 'Buyer', type: 'string' },
  { name: 'BuyerId', type: 'integer' },
  { name: 'Supplier', type: 'string' },
  { name: 'SupplierId', type: 'integer' },
  { name: 'SupplierSite', type: 'string' },
  { name: 'SupplierSiteId', type: 'integer' },
  { name: 'Currency', type: 'string' },
  { name: 'CurrencyCode', type: 'string' },
  { name: 'Status', type: 'string' },
  { name: 'StatusCode', type: 'string' },
  { name: 'Ordered', type: 'number' },
  // A calculated total: assumed not queryable [I].
  { name: 'Total', type: 'number', queryable: false },
  { name: 'Description', type: 'string' },
  { name: 'CreationDate', type: 'datetime' },
  { name: 'LastUpdateDate', type: 'datetime' },
];

const lineAttributes: Attribute[] = [
  { name: 'POLineId', type: 'integer' },
  { name: 'LineNumber', type: 'integer' },
  { name: 'LineType', type: 'string' },
  { name: 'Item', type: 'string' },
  { name: 'Description', type: 'string' },
  { name: 'Category', type: 'string' },
  { name: 'Quantity', type: 'number' },
  { name: 'UOM', type: 'string' },
  { name: 'UOMCode', type: 'string' },
  { name: 'Price', type: 'number' },
  { name: 'Ordered', type: 'number' },
  { name: 'Status', type: 'string' },
  { name: 'LastUpdateDate', type: 'datetime' },
];

const scheduleAttributes: Attribute[] = [
  { name: 'LineLocationId', type: 'integer' },
  { name: 'ScheduleNumber', type: 'integer' },
  { name: 'Quantity', type: 'number' },
  { name: 'NeedByDate', type: 'date' },
  { name: 'ShipToLocation', type: 'string' },
  { name: 'LastUpdateDate', type: 'datetime' },
];

const distributionAttributes: Attribute[] = [
  { name: 'DistributionId', type: 'integer' },
  { name: 'DistributionNumber', type: 'integer' },
  { name: 'Quantity', type: 'number' },
  { name: 'Amount', type: 'number' },
  { name: 'ChargeAccount', type: 'string' },
  { name: 'LastUpdateDate', type: 'datetime' },
];

export const purchaseOrdersSpec: TreeSpec = {
  name: 'purchaseOrders',
  attributes: orderAttributes,
  primaryKey: 'POHeaderId',
  itemKey: (row) => uniqId(row.POHeaderId as number),
  keys: 'sequence',
  firstId: 300000055500001,
  children: [
    {
      name: 'lines',
      attributes: lineAttributes,
      primaryKey: 'POLineId',
      itemKey: (row) => String(row.POLineId),
      keys: 'sequence',
      firstId: 300000055600001,
      numbered: 'LineNumber',
      children: [
        {
          name: 'schedules',
          attributes: scheduleAttributes,
          primaryKey: 'LineLocationId',
          itemKey: (row) => uniqId(row.LineLocationId as number),
          keys: 'sequence',
          firstId: 300000055700001,
          numbered: 'ScheduleNumber',
          children: [
            {
              name: 'distributions',
              attributes: distributionAttributes,
              primaryKey: 'DistributionId',
              // The reference gives no item path for PO distributions; a plain id is assumed [I].
              itemKey: (row) => String(row.DistributionId),
              keys: 'sequence',
              firstId: 300000055800001,
              numbered: 'DistributionNumber',
              children: [],
            },
          ],
        },
      ],
    },
  ],
};

interface PoLineSeed {
  type: 'Goods' | 'Services';
  item: string | null;
  description: string;
  category: string;
  /** null with price null: an amount-based services line, `amount` is what was ordered. */
  quantity: string | null;
  price: string | null;
  amount?: string;
}

interface OrderSeed {
  supplier: number;
  currency: string;
  description: string | null;
  status: [string, string];
  lines: PoLineSeed[];
  slot: number;
}

const CURRENCY_NAMES: Record<string, string> = {
  USD: 'US Dollar',
  EUR: 'Euro',
  JPY: 'Yen',
  KWD: 'Kuwaiti Dinar',
  GBP: 'Pound Sterling',
};
const OPEN: [string, string] = ['Open', 'OPEN'];
const goods = (item: string, description: string, quantity: string, price: string): PoLineSeed => ({
  type: 'Goods',
  item,
  description,
  category: 'Computer Hardware',
  quantity,
  price,
});
const services = (description: string, amount: string): PoLineSeed => ({
  type: 'Services',
  item: null,
  description,
  category: 'Professional Services',
  quantity: null,
  price: null,
  amount,
});

function orderSeeds(): OrderSeed[] {
  return [
    {
      supplier: 0,
      currency: 'USD',
      description: 'Rack hardware',
      status: OPEN,
      slot: 0,
      lines: [goods('RK-RAIL-42U', '42U rack rail kit', '40', '120.00')],
    },
    {
      supplier: 1,
      currency: 'USD',
      description: 'Office supplies, Q4',
      status: OPEN,
      slot: 1,
      lines: [
        goods('TN-BLK', 'Toner, black', '12', '89.99'),
        goods('PP-A4', 'Paper "premium" A4', '100', '5.25'),
      ],
    },
    {
      supplier: 2,
      currency: 'USD',
      description: 'Brackets\nsecond delivery',
      status: ['Closed', 'CLOSED'],
      slot: 2,
      lines: [goods('BR-L40', 'Bracket "L" 40mm', '1000', '0.37')],
    },
    {
      supplier: 3,
      currency: 'EUR',
      description: 'Wartung & Ersatzteile',
      status: OPEN,
      slot: 3,
      lines: [
        services('Wartung Größe M, jährlich', '1500.00'),
        goods('ERS-01', 'Ersatzteil Ölfilter', '6', '24.90'),
      ],
    },
    {
      supplier: 4,
      currency: 'JPY',
      description: '精密部品',
      status: OPEN,
      slot: 4,
      lines: [goods('BRG-6204', 'ベアリング 6204', '300', '450')],
    },
    {
      supplier: 5,
      currency: 'KWD',
      description: 'Pipe fittings',
      status: OPEN,
      slot: 5,
      lines: [goods('FT-2IN', 'Fitting 2in', '15', '12.125')],
    },
    {
      supplier: 6,
      currency: 'GBP',
      description: 'Fleet charter',
      status: OPEN,
      slot: 6,
      lines: [services('Charter, multi-year', '98765432109876.54')],
    },
    {
      supplier: 8,
      currency: 'USD',
      description: 'Consulting blanket (27 lines)',
      status: OPEN,
      slot: 7,
      lines: Array.from({ length: 27 }, (_, d) => services(`Consulting week ${d + 1}`, '4375.00')),
    },
    {
      supplier: 7,
      currency: 'USD',
      description: null,
      status: ['Canceled', 'CANCELED'],
      slot: 8,
      lines: [services("Freight O'Hare", '310.00')],
    },
    {
      supplier: 9,
      currency: 'USD',
      description: 'Charter flights, crew of 4',
      status: ['Pending Approval', 'PENDING APPROVAL'],
      slot: 9,
      lines: [goods('SEAT-J', 'Seat, business', '4', '2150.00')],
    },
    {
      supplier: 11,
      currency: 'USD',
      description: 'Imported goods',
      status: OPEN,
      slot: 10,
      lines: [goods('CRATE-1', 'Crate, pine', '8', '64.00'), goods('CRATE-2', 'Crate, oak', '2', '199.99')],
    },
    {
      supplier: 10,
      currency: 'USD',
      description: 'Toys for display',
      status: OPEN,
      slot: 10,
      lines: [goods('TOY-PLANE', 'Model plane', '24', '17.50')],
    },
  ];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function orderRow(s: OrderSeed, i: number, baseTime: number, suppliers: TreeStore): NewRow {
  const profile = SUPPLIER_PROFILES[s.supplier]!;
  const supplier = suppliers.top.find((r) => r.SupplierNumber === profile.number) as Row;
  const site = suppliers.children(supplier, 'sites')[0]!;
  const scale = currencyScale(s.currency);
  const created = baseTime + s.slot * HOUR + 20 * 60_000;
  const updated = created + 45 * 60_000;
  const lines = s.lines.map((l, n): NewRow => {
    const ordered =
      l.quantity !== null && l.price !== null
        ? new Decimal(l.quantity).times(l.price).toDecimalPlaces(scale)
        : new Decimal(l.amount!);
    // One schedule per line, two on every third line (split quantity); one distribution each.
    const quantities =
      l.quantity === null
        ? [null]
        : n % 3 === 2
          ? [
              new Decimal(l.quantity).div(2).floor(),
              new Decimal(l.quantity).minus(new Decimal(l.quantity).div(2).floor()),
            ]
          : [new Decimal(l.quantity)];
    return {
      LineNumber: n + 1,
      LineType: l.type,
      Item: l.item,
      Description: l.description,
      Category: l.category,
      Quantity: l.quantity === null ? null : decimal(l.quantity),
      UOM: l.quantity === null ? null : 'Each',
      UOMCode: l.quantity === null ? null : 'Ea',
      Price: l.price === null ? null : moneyIn(s.currency, l.price),
      Ordered: moneyIn(s.currency, ordered),
      Status: s.status[0],
      LastUpdateDate: created,
      schedules: quantities.map((q, k) => ({
        ScheduleNumber: k + 1,
        Quantity: q === null ? null : decimal(q.toFixed()),
        NeedByDate: isoDay(created + (14 + k * 14) * DAY),
        ShipToLocation: `${profile.city} Receiving`,
        LastUpdateDate: created,
        distributions: [
          {
            DistributionNumber: 1,
            Quantity: q === null ? null : decimal(q.toFixed()),
            Amount:
              q === null || l.price === null
                ? moneyIn(s.currency, ordered)
                : moneyIn(s.currency, q.times(l.price).toDecimalPlaces(scale)),
            ChargeAccount: `101-${10 + (n % 4) * 10}-${l.type === 'Goods' ? '14100' : '60500'}-000`,
            LastUpdateDate: created,
          },
        ],
      })),
    };
  });
  const total = lines.reduce((sum, l) => sum.plus(String(l.Ordered)), new Decimal(0));
  return {
    OrderNumber: `${profile.bu.slice(0, 3)}-${104870 + i}`,
    ProcurementBU: profile.bu,
    SoldToLegalEntity: profile.bu.replace('Business Unit', 'Legal Entity'),
    BillToBU: profile.bu,
    Buyer: ['Lee, Dana', 'Schmidt, Jürgen', "O'Neil, Siobhán"][i % 3],
    BuyerId: 300000001112223 + (i % 3),
    Supplier: profile.name,
    SupplierId: supplier.SupplierId,
    SupplierSite: site.SupplierSite,
    SupplierSiteId: site.SupplierSiteId,
    Currency: CURRENCY_NAMES[s.currency] ?? s.currency,
    CurrencyCode: s.currency,
    Status: s.status[0],
    StatusCode: s.status[1],
    Ordered: moneyIn(s.currency, total),
    Total: moneyIn(s.currency, total),
    Description: s.description,
    CreationDate: created,
    LastUpdateDate: updated,
    lines,
  };
}

export function createPurchaseOrderStore(
  policy: ChangePolicy,
  clock: () => number,
  baseTime: number,
  suppliers: TreeStore,
): TreeStore {
  const store = new TreeStore(purchaseOrdersSpec, policy, clock);
  orderSeeds().forEach((s, i) => {
    store.create(orderRow(s, i, baseTime, suppliers));
  });
  return store;
}
