import type { EntityName, EntityRecordMap, RecordFieldError } from '../../shared/records';
import type { Raw, ResourceSpec } from '../documents';

/** A mapped record, or a row that failed validation (kept whole for the quarantine). */
export type Extracted<R> =
  | { ok: true; record: R }
  | { ok: false; recordId: string; version: string; error: RecordFieldError; raw: unknown };

export interface EntityReader<E extends EntityName> {
  entity: E;
  spec: ResourceSpec;
  /** One document (a parent with its children) → the records it yields (journal batches yield many). */
  toRecords(doc: Raw): Extracted<EntityRecordMap[E]>[];
}
