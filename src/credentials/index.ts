// Encrypted credential storage: AES-256-GCM values in Postgres, master keys from the environment.

export {
  type CliIo,
  CREDENTIALS_USAGE,
  type CredentialsCommand,
  credentialsCommands,
  credentialsDelete,
  credentialsList,
  credentialsRotate,
  credentialsSet,
} from './cli';
export { openValue, type SealedValue, sealValue } from './crypto';
export { CredentialError, type CredentialErrorKind, CredentialNotFoundError } from './errors';
export { credentialStoreFromEnv, hasMasterKey } from './fromEnv';
export {
  deriveKeyId,
  Keyring,
  keyringFromEnv,
  MASTER_KEY_ENV,
  MASTER_KEY_FILE_ENV,
  MASTER_KEYS_ENV,
  parseKeyringText,
} from './keyring';
export { Secret } from './secret';
export {
  CREDENTIAL_KINDS,
  type CredentialInfo,
  type CredentialKind,
  CredentialStore,
  type CredentialsPool,
  credentialInfos,
  isCredentialKind,
} from './store';
