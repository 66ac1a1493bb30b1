import type { EntityName, EntityRecordMap } from '../../shared/records';
import type { FusionClient } from '../client';
import { type ChangeWindow, type ReadOptions, readDocuments } from '../documents';
import { invoicesReader } from './invoices';
import { journalLinesReader } from './journalLines';
import { purchaseOrdersReader } from './purchaseOrders';
import { suppliersReader } from './suppliers';
import type { EntityReader, Extracted } from './types';

export { toInvoiceRecord } from './invoices';
export { toJournalLineRecord } from './journalLines';
export { toPurchaseOrderRecord } from './purchaseOrders';
export { toSupplierRecord } from './suppliers';
export type { EntityReader, Extracted } from './types';

export const entityReaders: { [E in EntityName]: EntityReader<E> } = {
  journalLines: journalLinesReader,
  invoices: invoicesReader,
  purchaseOrders: purchaseOrdersReader,
  suppliers: suppliersReader,
};

/** Records of one entity changed in the window, a page of documents at a time. */
export async function* readChanges<E extends EntityName>(
  client: FusionClient,
  entity: E,
  window: ChangeWindow,
  options: ReadOptions,
): AsyncGenerator<Extracted<EntityRecordMap[E]>[]> {
  const reader = entityReaders[entity] as EntityReader<E>;
  for await (const docs of readDocuments(client, reader.spec, window, options)) {
    yield docs.flatMap((doc) => reader.toRecords(doc));
  }
}
