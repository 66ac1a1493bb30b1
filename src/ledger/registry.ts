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

/** Records the configured integrations; updated_at moves only when a configuration changed. */
export async function registerIntegrations(
  db: Queryable,
  integrations: IntegrationRegistration[],
): Promise<void> {
  for (const i of integrations) {
    await db.query(
      `INSERT INTO integration (integration_id, entity, format, destination, config_sha256) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (integration_id) DO UPDATE SET entity = excluded.entity, format = excluded.format,
         destination = excluded.destination, config_sha256 = excluded.config_sha256,
         updated_at = CASE WHEN integration.config_sha256 = excluded.config_sha256 THEN integration.updated_at ELSE now() END`,
      [i.id, i.entity, i.format, i.destination, i.configSha256],
    );
  }
}
