import { ConfigError, type ConfigFile, loadConfigFile, type RuntimeEnv, readRuntimeEnv } from '../config';
import { resolveSecrets } from '../config/secrets';
import { credentialStoreFromEnv } from '../credentials';
import type { IntegrationRuntime } from '../integrations';
import { buildIntegrations } from '../integrations';
import { Ledger } from '../ledger';

// For CLI commands that talk to Fusion or the SFTP server themselves (preview, reconcile): the
// same configuration, secrets and clients the worker builds, closed when the command ends.

export interface CliRuntime {
  env: RuntimeEnv;
  config: ConfigFile;
  ledger: Ledger;
  integration(id: string): IntegrationRuntime;
}

export async function withRuntime<T>(work: (rt: CliRuntime) => Promise<T>): Promise<T> {
  const env = readRuntimeEnv();
  if (!env.DATABASE_URL) throw new ConfigError('DATABASE_URL is not set.');
  const config = loadConfigFile(env.ML_CONNECTOR_CONFIG);
  const ledger = Ledger.connect(env.DATABASE_URL);
  try {
    const secrets = await resolveSecrets(config, {
      env: process.env,
      credentials: credentialStoreFromEnv(ledger.credentialsPool()),
    });
    const integrations = buildIntegrations(config, secrets);
    try {
      return await work({
        env,
        config,
        ledger,
        integration: (id) => {
          const found = integrations.get(id);
          if (!found) throw new ConfigError(`No integration "${id}" in ${env.ML_CONNECTOR_CONFIG}`);
          return found;
        },
      });
    } finally {
      await Promise.all([...integrations.values()].map((i) => i.fusion.close()));
    }
  } finally {
    await ledger.close();
  }
}
