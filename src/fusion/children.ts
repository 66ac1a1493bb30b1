import type { EntityName } from '../shared/records';
import type { ChildSpec } from './documents';

// Ask only for what the layout needs. Some child collections are not exposed on every pod or to
// every role (a 400 on `expand` or on the child filter), and a layout that shows none of their
// fields must not depend on them. Required children (journal headers and lines, invoice and PO
// lines, supplier sites) are always read; the optional ones only when the format uses a field
// or a row level they hold, or when `fusion.children` names them.

/** What of a record an optional child collection feeds: field path prefixes and row levels. */
export interface ChildNeed {
  fields: readonly string[];
  levels: readonly string[];
}

export const OPTIONAL_CHILDREN: Readonly<Record<EntityName, Readonly<Record<string, ChildNeed>>>> = {
  journalLines: {},
  invoices: {
    'invoiceLines.invoiceDistributions': { fields: ['line.distribution.'], levels: ['distribution'] },
    invoiceInstallments: { fields: [], levels: [] },
  },
  purchaseOrders: {
    'lines.schedules': { fields: ['line.schedule.'], levels: ['schedule', 'distribution'] },
    'lines.schedules.distributions': { fields: ['line.schedule.distribution.'], levels: ['distribution'] },
  },
  suppliers: {
    addresses: { fields: ['site.address.'], levels: [] },
    contacts: { fields: [], levels: [] },
  },
};

/** The record fields and row levels a file format reads. */
export interface FieldUse {
  fields: readonly string[];
  levels: readonly string[];
}

/**
 * The child tree to read: every required child, and each optional one the format uses — or,
 * when `override` is given (`fusion.children`), exactly the optional ones it names.
 */
export function childrenToRead(
  entity: EntityName,
  children: readonly ChildSpec[],
  use: FieldUse,
  override?: readonly string[],
): ChildSpec[] {
  const optional = OPTIONAL_CHILDREN[entity];
  const wanted = (path: string): boolean => {
    const need = optional[path];
    if (!need) return true;
    if (override) return override.includes(path);
    return (
      need.fields.some((prefix) => use.fields.some((field) => field.startsWith(prefix))) ||
      need.levels.some((level) => use.levels.includes(level))
    );
  };
  const prune = (list: readonly ChildSpec[], prefix: string): ChildSpec[] =>
    list
      .filter((child) => wanted(`${prefix}${child.name}`))
      .map((child) =>
        child.children
          ? { name: child.name, children: prune(child.children, `${prefix}${child.name}.`) }
          : { name: child.name },
      );
  return prune(children, '');
}
