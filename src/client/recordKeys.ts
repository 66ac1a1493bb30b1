import type { Ledger } from '../ledger';

// `audit` and `resync` take what people call a record (PO number, invoice number, supplier number,
// journal batch name or `<batch>/<header>`) as well as the ledger's internal IDs. Each key is
// looked up in the ledger; one that names nothing is an error naming it, never dropped silently.

/** Keys that name no record the ledger delivered or quarantined. */
export class UnknownRecordError extends Error {
  constructor(
    readonly keys: string[],
    readonly integrationId: string | null,
  ) {
    super(
      `${keys.length === 1 ? 'No record' : 'No records'} ${keys.map((k) => `"${k}"`).join(', ')} ` +
        `${integrationId ? `in integration "${integrationId}"` : 'in the ledger'} ` +
        '(neither an internal record ID nor a business number of a delivered or quarantined record)',
    );
    this.name = 'UnknownRecordError';
  }
}

/** `--records 4711,PO-100` → its words, trimmed, empty ones dropped. */
export function splitKeys(list: string): string[] {
  return list
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
}

/** The internal record IDs the keys name (of one integration, when given), in key order, each once. */
export async function resolveRecordIds(
  ledger: Ledger,
  integrationId: string | null,
  keys: readonly string[],
): Promise<string[]> {
  const resolved = await ledger.resolveRecordKeys(integrationId, keys);
  const unknown = resolved.filter((r) => r.records.length === 0).map((r) => r.key);
  if (unknown.length) throw new UnknownRecordError(unknown, integrationId);
  return [...new Set(resolved.flatMap((r) => r.records.map((m) => m.recordId)))];
}
