import type { Row } from '../attributes';
import type { JournalGenerator } from '../generator';
import { batchAttributes, headerAttributes, type JournalStore, lineAttributes, uniqId } from '../journals';
import type { ResourceNode } from '../resource';

// journalBatches → journalHeaders → journalLines as REST resources, over the JournalStore and,
// in generated mode, the generator (whose rows carry _generatedIndex; stored rows do not).

const isGenerated = (row: Row) => row._generatedIndex !== undefined;

export function journalBatchesNode(store: JournalStore, generator?: JournalGenerator): ResourceNode {
  const bumpsParents = () => store.childChangeBumpsParents;
  const headerOf = (line: Row) => store.headers.find((h) => h.JeHeaderId === line._JeHeaderId);
  const batchOf = (header: Row) => store.batches.find((b) => b.JeBatchId === header._JeBatchId);

  const lines: ResourceNode = {
    name: 'journalLines',
    attributes: lineAttributes,
    primaryKey: 'JeLineNumber',
    itemKey: (row) => uniqId(row._JeHeaderId as number, row.JeLineNumber as number),
    children: [],
    rows: (header) =>
      header && isGenerated(header) && generator
        ? generator.lineRows(header._generatedIndex as number)
        : store.linesOf(header?.JeHeaderId as number),
    touch: (row, at) => {
      row.LastUpdateDate = at;
      const header = headerOf(row);
      if (header && bumpsParents()) headers.touch(header, at);
    },
  };

  const headers: ResourceNode = {
    name: 'journalHeaders',
    attributes: headerAttributes,
    primaryKey: 'JeHeaderId',
    itemKey: (row) => uniqId(row.JeHeaderId as number),
    children: [lines],
    rows: (batch) =>
      batch && isGenerated(batch) && generator
        ? generator.headerRows(batch._generatedIndex as number)
        : store.headersOf(batch?.JeBatchId as number),
    touch: (row, at) => {
      row.LastUpdateDate = at;
      const batch = batchOf(row);
      if (batch && bumpsParents()) batch.LastUpdateDate = at;
    },
  };

  const batches: ResourceNode = {
    name: 'journalBatches',
    attributes: batchAttributes,
    primaryKey: 'JeBatchId',
    itemKey: (row) => String(row.JeBatchId),
    children: [headers],
    rows: () => store.batches,
    touch: (row, at) => {
      // A generated batch is copied into the store first; the copy takes the change.
      const b = row._generatedIndex as number | undefined;
      if (b !== undefined && generator) generator.materialize(b);
      const stored = store.findBatch(row.JeBatchId as number);
      if (stored) stored.LastUpdateDate = at;
    },
  };
  if (generator) {
    batches.page = (_parent, query) => generator.page(query);
    batches.find = (_parent, key) => {
      const id = Number(key);
      const stored = store.findBatch(id);
      if (stored) return stored;
      const b = generator.batchIndexOf(id);
      return b !== undefined && generator.isServed(b) ? generator.batchRow(b) : undefined;
    };
  }
  return batches;
}
