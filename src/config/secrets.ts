import { readFileSync } from 'node:fs';
import { ConfigError } from './index';
import type { ConfigFile, IntegrationConfig } from './schema';

/**
 * Secret values for one integration. Resolved once at start from the environment (encrypted
 * storage comes later); held only in worker memory, never logged, never in workflow history.
 */
export interface IntegrationSecrets {
  /** The OAuth client secret, or the Basic-auth user's password. */
  fusionClientSecret: string;
  sftp: { password: string } | { privateKey: string; passphrase?: string };
}

export type SecretResolver = (integrationId: string) => IntegrationSecrets;

function required(env: NodeJS.ProcessEnv, name: string, where: string, problems: string[]): string {
  const value = env[name];
  if (!value) problems.push(`${where}: environment variable ${name} is not set`);
  return value ?? '';
}

function resolveOne(
  integration: IntegrationConfig,
  env: NodeJS.ProcessEnv,
  problems: string[],
): IntegrationSecrets {
  const at = `integration "${integration.id}"`;
  const fusionAuth = integration.fusion.auth;
  const fusionClientSecret =
    fusionAuth.type === 'oauth'
      ? required(env, fusionAuth.clientSecretEnv, `${at} fusion.auth.clientSecretEnv`, problems)
      : required(env, fusionAuth.passwordEnv, `${at} fusion.auth.passwordEnv`, problems);
  const auth = integration.sftp.auth;
  if (auth.type === 'password') {
    return {
      fusionClientSecret,
      sftp: { password: required(env, auth.passwordEnv, `${at} sftp.auth.passwordEnv`, problems) },
    };
  }
  let privateKey = '';
  if (auth.privateKeyEnv) {
    privateKey = required(env, auth.privateKeyEnv, `${at} sftp.auth.privateKeyEnv`, problems);
  } else if (auth.privateKeyFile) {
    try {
      privateKey = readFileSync(auth.privateKeyFile, 'utf8');
    } catch (err) {
      problems.push(
        `${at} sftp.auth.privateKeyFile: cannot read ${auth.privateKeyFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  const passphrase = auth.passphraseEnv
    ? required(env, auth.passphraseEnv, `${at} sftp.auth.passphraseEnv`, problems)
    : undefined;
  return { fusionClientSecret, sftp: passphrase ? { privateKey, passphrase } : { privateKey } };
}

/** Reads every integration's secrets now, so a missing one stops the worker at start, not mid-sync. */
export function resolveSecretsFromEnv(
  config: ConfigFile,
  env: NodeJS.ProcessEnv = process.env,
): SecretResolver {
  const problems: string[] = [];
  const byId = new Map(config.integrations.map((i) => [i.id, resolveOne(i, env, problems)]));
  if (problems.length) throw new ConfigError('Secrets are missing:', problems);
  return (integrationId) => {
    const secrets = byId.get(integrationId);
    if (!secrets) throw new ConfigError(`No secrets for integration "${integrationId}"`);
    return secrets;
  };
}
