import { type EntityName, type EntityRecordMap, RecordFieldError } from '../../shared/records';
import type { FusionClient } from '../client';
import {
  type ChangeWindow,
  incompleteReason,
  type Raw,
  type ReadOptions,
  readDocuments,
  readWhere,
} from '../documents';
import { FusionError } from '../errors';
import { guardDocument } from './guard';
import { invoicesReader } from './invoices';
import { journalLineIds, journalLinesReader } from './journalLines';
import { asFieldError, label, quarantined, versionOf } from './map';
import { purchaseOrdersReader } from './purchaseOrders';
import { suppliersReader } from './suppliers';
import type { EntityReader, Extracted } from './types';

export { toInvoiceRecord } from './invoices';
export { toJournalLineRecord } from './journalLines';
export { toPurchaseOrderRecord } from './purchaseOrders';
export { toSupplierRecord } from './suppliers';
export type { EntityReader, Extracted } from './types';

/**
 * One document → its records, never a throw: a document that could not be read whole, that fails
 * the shape check (too deep, too large, a child collection that is not a list of rows) or whose
 * mapper throws anything is quarantined whole, and the rest of the page goes on.
 */
function documentRecords<E extends EntityName>(
  reader: EntityReader<E>,
  doc: Raw,
): Extracted<EntityRecordMap[E]>[] {
  // A document Fusion could not give whole (documents.ts): mapping part of it would send a
  // partial invoice or an unbalanced-looking journal.
  const partial = incompleteReason(doc);
  if (partial)
    return wholeDocument(reader, doc, (id) => new RecordFieldError(id, partial.field, partial.reason));
  const problem = guardDocument(doc, reader.spec.children);
  if (problem)
    return wholeDocument(reader, doc, (id) => new RecordFieldError(id, problem.path, problem.reason));
  try {
    return reader.toRecords(doc);
  } catch (err) {
    return wholeDocument(reader, doc, (id) => asFieldError(id, err));
  }
}

/**
 * Quarantine entries for a whole document, by the IDs an audit looks for: the document's key, or
 * for a journal batch each line it holds (`<JeHeaderId>:<JeLineNumber>`, as delivered lines are
 * named), or `batch:<JeBatchId>` when no line can be named.
 */
function wholeDocument<E extends EntityName>(
  reader: EntityReader<E>,
  doc: Raw,
  error: (recordId: string) => RecordFieldError,
): Extracted<EntityRecordMap[E]>[] {
  const isRow = doc !== null && typeof doc === 'object' && !Array.isArray(doc);
  if (reader.entity === 'journalLines' && isRow) {
    const lines = journalLineIds(doc);
    if (lines.length > 0) {
      return lines.map(({ recordId, line }) =>
        quarantined(recordId, versionOf(line), error(recordId), { JeBatchId: doc.JeBatchId, line }),
      );
    }
    const id = `batch:${label(doc.JeBatchId)}`;
    return [quarantined(id, versionOf(doc), error(id), doc)];
  }
  const id = isRow ? label(doc[reader.spec.key]) : '?';
  return [quarantined(id, isRow ? versionOf(doc) : 'unknown', error(id), doc)];
}

const guarded = <E extends EntityName>(reader: EntityReader<E>): EntityReader<E> => ({
  ...reader,
  toRecords: (doc) => documentRecords(reader, doc),
});

export const entityReaders: { [E in EntityName]: EntityReader<E> } = {
  journalLines: guarded(journalLinesReader),
  invoices: guarded(invoicesReader),
  purchaseOrders: guarded(purchaseOrdersReader),
  suppliers: guarded(suppliersReader),
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
