import type { Queryable } from './sql';

// The integration registry (table integration): what the workers serve, as configured (no
// secrets: the configuration only names them), so audits and the CLI know every integration.

export interface IntegrationRegistration {
  id: string;
  entity: string;
  format: string;
  destination: string;
  configSha256: string;
}

/**
 * Records the configured integrations in one statement; updated_at moves only when a configuration
 * changed. Returns the IDs that are new or whose configuration changed since they were last
 * recorded (the worker re-plans only their schedules).
 */
export async function registerIntegrations(
  db: Queryable,
  integrations: IntegrationRegistration[],
): Promise<string[]> {
  if (!integrations.length) return [];
  const column = (pick: (i: IntegrationRegistration) => string) => integrations.map(pick);
  // Every part of the statement sees the table as it was before it: `previous` is the old hash.
  const { rows } = await db.query<{ id: string }>(
    `WITH incoming AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
         AS t(integration_id, entity, format, destination, config_sha256)
     ), previous AS (
       SELECT integration_id, config_sha256 FROM integration WHERE integration_id IN (SELECT integration_id FROM incoming)
     ), upserted AS (
       INSERT INTO integration (integration_id, entity, format, destination, config_sha256)
       SELECT integration_id, entity, format, destination, config_sha256 FROM incoming
       ON CONFLICT (integration_id) DO UPDATE SET entity = excluded.entity, format = excluded.format,
         destination = excluded.destination, config_sha256 = excluded.config_sha256,
         updated_at = CASE WHEN integration.config_sha256 = excluded.config_sha256 THEN integration.updated_at ELSE now() END
       RETURNING integration_id, config_sha256
     )
     SELECT u.integration_id AS id FROM upserted u LEFT JOIN previous p USING (integration_id)
     WHERE p.config_sha256 IS DISTINCT FROM u.config_sha256 ORDER BY 1`,
    [
      column((i) => i.id),
      column((i) => i.entity),
      column((i) => i.format),
      column((i) => i.destination),
      column((i) => i.configSha256),
    ],
  );
  return rows.map((r) => r.id);
}
