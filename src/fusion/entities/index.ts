import type { EntityName, EntityRecordMap } from '../../shared/records';
import type { FusionClient } from '../client';
import { type ChangeWindow, type ReadOptions, readDocuments, readWhere } from '../documents';
import { FusionError } from '../errors';
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

/**
 * The current documents holding given records (a forced resync by record ID), as records. Journal
 * line IDs are `<JeHeaderId>:<line>`: their batches are found through the header, and every line of
 * those journals comes back (a journal's balance is checked whole); the caller keeps the asked ones.
 */
export async function* readRecordsById<E extends EntityName>(
  client: FusionClient,
  entity: E,
  recordIds: string[],
  options?: Pick<ReadOptions, 'children'>,
): AsyncGenerator<Extracted<EntityRecordMap[E]>[]> {
  if (client.frameworkVersion < 2) {
    throw new FusionError('bad-request', 'Resync by record ID needs REST framework version 2 or later');
  }
  const reader = entityReaders[entity] as EntityReader<E>;
  const spec = options?.children ? { ...reader.spec, children: options.children } : reader.spec;
  const keys = [...new Set(recordIds.map((id) => (entity === 'journalLines' ? id.split(':')[0]! : id)))];
  if (keys.some((k) => !/^\d+$/.test(k)))
    throw new FusionError('bad-request', 'Record IDs must be numeric keys');
  const attribute = entity === 'journalLines' ? 'journalHeaders.JeHeaderId' : reader.spec.key;
  for (let i = 0; i < keys.length; i += 100) {
    const filter = `${attribute} in (${keys.slice(i, i + 100).join(', ')})`;
    for await (const docs of readWhere(client, spec, filter, true)) {
      yield docs.flatMap((doc) => reader.toRecords(doc));
    }
  }
}
