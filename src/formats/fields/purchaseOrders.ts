import type {
  PurchaseOrderDistribution,
  PurchaseOrderLine,
  PurchaseOrderRecord,
  PurchaseOrderSchedule,
} from '../../shared/records';
import { type EntityFields, levelFields, type Row } from './types';

// Purchase order fields: header by name, then `line.<field>`, `line.schedule.<field>` and
// `line.schedule.distribution.<field>`. Amounts are in the order currency.

const currency = (row: Row) => (row[0] as PurchaseOrderRecord).currencyCode;

export const purchaseOrderFields: EntityFields = {
  entity: 'purchaseOrders',
  levels: ['purchaseOrder', 'line', 'schedule', 'distribution'],
  children: [
    (po: PurchaseOrderRecord) => po.lines,
    (line: PurchaseOrderLine) => line.schedules,
    (s: PurchaseOrderSchedule) => s.distributions,
  ],
  itemLabels: [
    (line: PurchaseOrderLine) => `line[${line.lineNumber}]`,
    (s: PurchaseOrderSchedule) => `schedule[${s.scheduleNumber}]`,
    (d: PurchaseOrderDistribution) => `distribution[${d.distributionNumber}]`,
  ],
  prefixes: ['', 'line.', 'line.schedule.', 'line.schedule.distribution.'],
  fields: {
    ...levelFields<PurchaseOrderRecord>(
      '',
      0,
      {
        recordId: 'code',
        version: 'code',
        poHeaderId: 'code',
        orderNumber: 'text',
        procurementBU: 'text',
        soldToLegalEntity: 'text',
        billToBU: 'text',
        buyer: 'text',
        supplier: 'text',
        supplierId: 'code',
        supplierSite: 'text',
        currencyCode: 'code',
        status: 'text',
        ordered: 'amount',
        description: 'text',
        orderDate: 'date',
      },
      currency,
    ),
    lineCount: { kind: 'integer', level: 0, get: (row) => (row[0] as PurchaseOrderRecord).lines.length },
    ...levelFields<PurchaseOrderLine>(
      'line.',
      1,
      {
        poLineId: 'code',
        lineNumber: 'integer',
        lineType: 'text',
        item: 'text',
        description: 'text',
        category: 'text',
        quantity: 'decimal',
        uom: 'text',
        price: 'decimal',
        ordered: 'amount',
      },
      currency,
    ),
    ...levelFields<PurchaseOrderSchedule>(
      'line.schedule.',
      2,
      {
        scheduleId: 'code',
        scheduleNumber: 'integer',
        quantity: 'decimal',
        needByDate: 'date',
        shipToLocation: 'text',
      },
      currency,
    ),
    ...levelFields<PurchaseOrderDistribution>(
      'line.schedule.distribution.',
      3,
      {
        distributionId: 'code',
        distributionNumber: 'integer',
        quantity: 'decimal',
        amount: 'amount',
        chargeAccount: 'code',
      },
      currency,
    ),
  },
};
