import type { PurchaseOrderRecord } from '../../shared/records';
import type { Raw } from '../documents';
import { FieldReader, latestUpdate } from '../fields';
import { label, mapOne, versionOf } from './map';
import type { EntityReader } from './types';

// Purchase orders: one record per order with lines → schedules → distributions, versioned by
// the latest LastUpdateDate anywhere in the order.

export function toPurchaseOrderRecord(doc: Raw): PurchaseOrderRecord {
  const r = new FieldReader(label(doc.POHeaderId));
  return {
    recordId: r.id(doc, 'POHeaderId'),
    version: latestUpdate(r, doc, [['lines', 'schedules', 'distributions']]),
    poHeaderId: r.id(doc, 'POHeaderId'),
    orderNumber: r.required(doc, 'OrderNumber'),
    procurementBU: r.text(doc, 'ProcurementBU'),
    soldToLegalEntity: r.text(doc, 'SoldToLegalEntity'),
    billToBU: r.text(doc, 'BillToBU'),
    buyer: r.text(doc, 'Buyer'),
    supplier: r.required(doc, 'Supplier'),
    supplierId: r.text(doc, 'SupplierId'),
    supplierSite: r.text(doc, 'SupplierSite'),
    currencyCode: r.currency(doc, 'CurrencyCode'),
    status: r.text(doc, 'StatusCode') ?? r.text(doc, 'Status'),
    ordered: r.amount(doc, 'Ordered'),
    description: r.text(doc, 'Description'),
    orderDate: r.instant(doc, 'CreationDate').slice(0, 10),
    lines: r.rows(doc, 'lines').map((line, i) => {
      const l = r.at(`lines[${i}].`);
      return {
        poLineId: l.id(line, 'POLineId'),
        lineNumber: l.integer(line, 'LineNumber'),
        lineType: l.text(line, 'LineType'),
        item: l.text(line, 'Item'),
        description: l.text(line, 'Description'),
        category: l.text(line, 'Category'),
        quantity: l.amount(line, 'Quantity'),
        uom: l.text(line, 'UOMCode') ?? l.text(line, 'UOM'),
        price: l.amount(line, 'Price'),
        ordered: l.amount(line, 'Ordered'),
        schedules: l.rows(line, 'schedules').map((schedule, j) => {
          const s = l.at(`schedules[${j}].`);
          return {
            scheduleId: s.id(schedule, 'LineLocationId'),
            scheduleNumber: s.integer(schedule, 'ScheduleNumber'),
            quantity: s.amount(schedule, 'Quantity'),
            needByDate: s.date(schedule, 'NeedByDate'),
            shipToLocation: s.text(schedule, 'ShipToLocation'),
            distributions: s.rows(schedule, 'distributions').map((dist, k) => {
              const d = s.at(`distributions[${k}].`);
              return {
                distributionId: d.id(dist, 'DistributionId'),
                distributionNumber: d.integer(dist, 'DistributionNumber'),
                quantity: d.amount(dist, 'Quantity'),
                amount: d.amount(dist, 'Amount'),
                chargeAccount: d.text(dist, 'ChargeAccount'),
              };
            }),
          };
        }),
      };
    }),
  };
}

export const purchaseOrdersReader: EntityReader<'purchaseOrders'> = {
  entity: 'purchaseOrders',
  spec: {
    resource: 'purchaseOrders',
    key: 'POHeaderId',
    children: [{ name: 'lines', children: [{ name: 'schedules', children: [{ name: 'distributions' }] }] }],
  },
  toRecords: (doc) => [mapOne(label(doc.POHeaderId), versionOf(doc), doc, () => toPurchaseOrderRecord(doc))],
};
