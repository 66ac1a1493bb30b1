import type { EntityName } from '../../shared/records';
import { invoiceFields } from './invoices';
import { journalLineFields } from './journalLines';
import { purchaseOrderFields } from './purchaseOrders';
import { supplierFields } from './suppliers';
import type { EntityFields } from './types';

/** Field catalogs by entity, for writers that work on any entity (fixed-width). */
export const ENTITY_FIELDS: Readonly<Record<EntityName, EntityFields>> = {
  journalLines: journalLineFields,
  invoices: invoiceFields,
  purchaseOrders: purchaseOrderFields,
  suppliers: supplierFields,
};

/** Every fixed field path of an entity (for docs and config schemas; journal lines add `segment:<name>`). */
export function entityFieldPaths(entity: EntityName): string[] {
  return Object.keys(ENTITY_FIELDS[entity].fields);
}
