import { ConfigError, configIssueMessage, formatIssues } from './errors';
import { type ConfigFile, configFileSchema, type IntegrationConfig } from './schema';

/** Validates an already-parsed config object; every problem is reported at once. */
export function parseConfig(raw: unknown, source = 'configuration'): ConfigFile {
  const parsed = configFileSchema.safeParse(raw, { error: configIssueMessage });
  if (!parsed.success) throw new ConfigError(`${source} is not valid:`, formatIssues(parsed.error));
  return parsed.data;
}

export function findIntegration(config: ConfigFile, id: string): IntegrationConfig {
  const found = config.integrations.find((i) => i.id === id);
  if (!found) {
    throw new ConfigError(
      `No integration "${id}" in the configuration. Known: ${config.integrations.map((i) => i.id).join(', ')}`,
    );
  }
  return found;
}
