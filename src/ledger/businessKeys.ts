import type { Queryable } from './sql';

// Business numbers: what people call a record (PO number, invoice number, supplier number, journal
// batch name, `<batch>/<header>` name) besides the ledger's internal IDs. Delivered records keep
// theirs in ledger_entry.business_keys (jsonb by field name, written with the file from the staged
// payload: BUSINESS_KEYS_OF_PAYLOAD in reports.ts); quarantined
// records are looked up in their stored payload, which is the typed record (held at render) or
// Fusion's own document (held at staging), so both spellings are read.

/**
 * A quarantined record's business numbers, from its payload (jsonb): the typed record's fields or
 * Fusion's attributes. A journal batch held whole carries its headers; their names count too.
 */
export function quarantineBusinessKeysSql(entity: string, payload: string): string {
  const batch = `COALESCE(${payload}->>'batchName', ${payload}->>'BatchName')`;
  return `(CASE ${entity}
    WHEN 'purchaseOrders' THEN ARRAY[COALESCE(${payload}->>'orderNumber', ${payload}->>'OrderNumber')]
    WHEN 'invoices' THEN ARRAY[COALESCE(${payload}->>'invoiceNumber', ${payload}->>'InvoiceNumber')]
    WHEN 'suppliers' THEN ARRAY[COALESCE(${payload}->>'supplierNumber', ${payload}->>'SupplierNumber')]
    WHEN 'journalLines' THEN ARRAY[${batch}, ${batch} || '/' || (${payload}->>'journalName')]
      || ARRAY(SELECT ${batch} || '/' || (h->>'JournalName')
               FROM jsonb_array_elements(CASE jsonb_typeof(${payload}->'journalHeaders')
                 WHEN 'array' THEN ${payload}->'journalHeaders' ELSE '[]'::jsonb END) AS h)
  END)`;
}

/** The first business number of a quarantined record (for `quarantine show`), or null. */
export function quarantineBusinessNumberSql(entity: string, payload: string): string {
  return `(${quarantineBusinessKeysSql(entity, payload)})[1]`;
}

/**
 * SQL: a ledger entry's business_keys (jsonb) name `key`: as its PO, invoice or supplier number, its
 * journal batch name, or `<batch>/<journal>`. Containment (`@>`) so the GIN index serves the numbers.
 */
function deliveredKeyMatchSql(keys: string, key: string): string {
  const named = ['orderNumber', 'invoiceNumber', 'supplierNumber', 'batchName']
    .map((field) => `${keys} @> jsonb_build_object('${field}', ${key})`)
    .join(' OR ');
  return `(${named} OR (${keys}->>'batchName') || '/' || (${keys}->>'journalName') = ${key})`;
}

/** One key as given and the records it names: integration and internal record ID. */
export interface ResolvedKey {
  key: string;
  records: { integrationId: string; recordId: string }[];
}

/**
 * Each key → the records it names, as an internal ID or a business number, among the records the
 * ledger delivered or quarantined (of one integration, when given). A key naming nothing comes
 * back with no records: the caller reports it.
 */
export async function resolveRecordKeys(
  db: Queryable,
  integrationId: string | null,
  keys: readonly string[],
): Promise<ResolvedKey[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query<{ key: string; integrationId: string; recordId: string }>(
    `WITH k(key) AS (SELECT DISTINCT unnest($2::text[]))
     SELECT k.key, m."integrationId", m."recordId" FROM k CROSS JOIN LATERAL (
       SELECT l.integration_id AS "integrationId", l.record_id AS "recordId" FROM ledger_entry l
        WHERE (l.record_id = k.key OR ${deliveredKeyMatchSql('l.business_keys', 'k.key')})
          AND ($1::text IS NULL OR l.integration_id = $1)
       UNION
       SELECT q.integration_id, q.record_id FROM quarantined_record q JOIN sync_run r USING (run_key)
        WHERE ($1::text IS NULL OR q.integration_id = $1)
          AND (q.record_id = k.key OR k.key = ANY(${quarantineBusinessKeysSql('r.entity', 'q.payload')}))
     ) m
     ORDER BY 1, 2, 3`,
    [integrationId, keys],
  );
  return keys.map((key) => ({
    key,
    records: rows
      .filter((r) => r.key === key)
      .map(({ integrationId, recordId }) => ({ integrationId, recordId })),
  }));
}
