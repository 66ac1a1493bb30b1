import { keyringFromEnv, MASTER_KEY_ENV, MASTER_KEY_FILE_ENV, MASTER_KEYS_ENV } from './keyring';
import { CredentialStore, type CredentialsPool } from './store';

/** Whether the environment names a master key at all. */
export function hasMasterKey(env: NodeJS.ProcessEnv = process.env): boolean {
  return [MASTER_KEYS_ENV, MASTER_KEY_ENV, MASTER_KEY_FILE_ENV].some((n) => env[n]?.trim());
}

/** The credential store when a master key is configured; undefined otherwise. */
export function credentialStoreFromEnv(
  pool: CredentialsPool,
  env: NodeJS.ProcessEnv = process.env,
): CredentialStore | undefined {
  return hasMasterKey(env) ? new CredentialStore(pool, keyringFromEnv(env)) : undefined;
}
