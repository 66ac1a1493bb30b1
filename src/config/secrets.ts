import { readFile } from 'node:fs/promises';
import { ConfigError } from './index';
import type { ConfigFile, IntegrationConfig } from './schema';

/**
 * Secret values for one integration, read once at worker start from the environment or the
 * encrypted credential store (restart the worker after changing a value). Held only in worker
 * memory: never logged, never in workflow history, never in an error message.
 */
export interface IntegrationSecrets {
  /** The OAuth client secret, or the Basic-auth user's password. */
  fusionClientSecret: string;
  sftp: { password: string } | { privateKey: string; passphrase?: string };
  /** OpenPGP keys when files are encrypted for the partner. */
  pgp?: { recipientKey: string; signingKey?: string; signingPassphrase?: string };
  /** The logins of fusion.proxy and sftp.proxy, and the jump host's credentials, when configured. */
  fusionProxy?: ProxyLogin;
  sftpProxy?: ProxyLogin;
  sftpJumpHost?: { password: string } | { privateKey: string; passphrase?: string };
}

export interface ProxyLogin {
  username: string;
  password: string;
}

export type SecretResolver = (integrationId: string) => IntegrationSecrets;

/** Where stored credentials come from (src/credentials' CredentialStore fits). */
export interface CredentialSource {
  get(name: string): Promise<string>;
}

export interface SecretSources {
  env: NodeJS.ProcessEnv;
  credentials?: CredentialSource;
}

type Ref = { env?: string; credential?: string; file?: string };

/** Reads one referenced secret; a problem is recorded by name, never with a value. */
async function read(ref: Ref, where: string, sources: SecretSources, problems: string[]): Promise<string> {
  if (ref.env) {
    const value = sources.env[ref.env];
    if (!value) problems.push(`${where}: environment variable ${ref.env} is not set`);
    return value ?? '';
  }
  if (ref.credential) {
    if (!sources.credentials) {
      problems.push(
        `${where}: credential "${ref.credential}" needs the credential store (set ML_CONNECTOR_MASTER_KEY)`,
      );
      return '';
    }
    try {
      return await sources.credentials.get(ref.credential);
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
      return '';
    }
  }
  if (ref.file) {
    try {
      return await readFile(ref.file, 'utf8');
    } catch (err) {
      problems.push(`${where}: cannot read ${ref.file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return '';
    }
  }
  problems.push(`${where}: no secret reference`);
  return '';
}

async function resolveOne(
  integration: IntegrationConfig,
  sources: SecretSources,
  problems: string[],
): Promise<IntegrationSecrets> {
  const at = `integration "${integration.id}"`;
  const fusion = integration.fusion.auth;
  const fusionClientSecret =
    fusion.type === 'oauth'
      ? await read(
          { env: fusion.clientSecretEnv, credential: fusion.clientSecretCredential },
          `${at} fusion.auth client secret`,
          sources,
          problems,
        )
      : await read(
          { env: fusion.passwordEnv, credential: fusion.passwordCredential },
          `${at} fusion.auth password`,
          sources,
          problems,
        );
  const auth = integration.sftp.auth;
  if (auth.type === 'password') {
    const password = await read(
      { env: auth.passwordEnv, credential: auth.passwordCredential },
      `${at} sftp.auth password`,
      sources,
      problems,
    );
    const pgp = integration.sftp.pgp
      ? await resolvePgp(integration.sftp.pgp, at, sources, problems)
      : undefined;
    return {
      fusionClientSecret,
      sftp: { password },
      ...(pgp ? { pgp } : {}),
      ...(await resolveTunnels(integration, at, sources, problems)),
    };
  }
  const privateKey = await read(
    { env: auth.privateKeyEnv, credential: auth.privateKeyCredential, file: auth.privateKeyFile },
    `${at} sftp.auth private key`,
    sources,
    problems,
  );
  const pgp = integration.sftp.pgp
    ? await resolvePgp(integration.sftp.pgp, at, sources, problems)
    : undefined;
  const hasPassphrase = auth.passphraseEnv || auth.passphraseCredential;
  const passphrase = hasPassphrase
    ? await read(
        { env: auth.passphraseEnv, credential: auth.passphraseCredential },
        `${at} sftp.auth passphrase`,
        sources,
        problems,
      )
    : undefined;
  return {
    fusionClientSecret,
    sftp: passphrase ? { privateKey, passphrase } : { privateKey },
    ...(pgp ? { pgp } : {}),
    ...(await resolveTunnels(integration, at, sources, problems)),
  };
}

type ProxyConfig = { username?: string; passwordEnv?: string; passwordCredential?: string };

/** The proxies' logins and the jump host's credentials (absent parts are left out). */
async function resolveTunnels(
  integration: IntegrationConfig,
  at: string,
  sources: SecretSources,
  problems: string[],
): Promise<Pick<IntegrationSecrets, 'fusionProxy' | 'sftpProxy' | 'sftpJumpHost'>> {
  const login = async (proxy: ProxyConfig | undefined, where: string) =>
    proxy?.username === undefined
      ? undefined
      : {
          username: proxy.username,
          password: await read(
            { env: proxy.passwordEnv, credential: proxy.passwordCredential },
            `${at} ${where} password`,
            sources,
            problems,
          ),
        };
  const fusionProxy = await login(integration.fusion.proxy, 'fusion.proxy');
  const sftpProxy = await login(integration.sftp.proxy, 'sftp.proxy');
  const jump = integration.sftp.jumpHost?.auth;
  let sftpJumpHost: IntegrationSecrets['sftpJumpHost'];
  if (jump?.type === 'password') {
    sftpJumpHost = {
      password: await read(
        { env: jump.passwordEnv, credential: jump.passwordCredential },
        `${at} sftp.jumpHost.auth password`,
        sources,
        problems,
      ),
    };
  } else if (jump) {
    const privateKey = await read(
      { env: jump.privateKeyEnv, credential: jump.privateKeyCredential, file: jump.privateKeyFile },
      `${at} sftp.jumpHost.auth private key`,
      sources,
      problems,
    );
    const passphrase =
      jump.passphraseEnv || jump.passphraseCredential
        ? await read(
            { env: jump.passphraseEnv, credential: jump.passphraseCredential },
            `${at} sftp.jumpHost.auth passphrase`,
            sources,
            problems,
          )
        : undefined;
    sftpJumpHost = passphrase ? { privateKey, passphrase } : { privateKey };
  }
  return {
    ...(fusionProxy ? { fusionProxy } : {}),
    ...(sftpProxy ? { sftpProxy } : {}),
    ...(sftpJumpHost ? { sftpJumpHost } : {}),
  };
}

async function resolvePgp(
  pgp: NonNullable<IntegrationConfig['sftp']['pgp']>,
  at: string,
  sources: SecretSources,
  problems: string[],
): Promise<NonNullable<IntegrationSecrets['pgp']>> {
  const recipientKey = await read(
    { env: pgp.recipientKeyEnv, credential: pgp.recipientKeyCredential, file: pgp.recipientKeyFile },
    `${at} sftp.pgp recipient key`,
    sources,
    problems,
  );
  const signing = pgp.signingKeyEnv || pgp.signingKeyCredential || pgp.signingKeyFile;
  const signingKey = signing
    ? await read(
        { env: pgp.signingKeyEnv, credential: pgp.signingKeyCredential, file: pgp.signingKeyFile },
        `${at} sftp.pgp signing key`,
        sources,
        problems,
      )
    : undefined;
  const hasPassphrase = pgp.signingPassphraseEnv || pgp.signingPassphraseCredential;
  const signingPassphrase = hasPassphrase
    ? await read(
        { env: pgp.signingPassphraseEnv, credential: pgp.signingPassphraseCredential },
        `${at} sftp.pgp signing passphrase`,
        sources,
        problems,
      )
    : undefined;
  return {
    recipientKey,
    ...(signingKey ? { signingKey } : {}),
    ...(signingPassphrase ? { signingPassphrase } : {}),
  };
}

/** Reads every integration's secrets now, so a missing one stops the worker at start, not mid-sync. */
export async function resolveSecrets(config: ConfigFile, sources: SecretSources): Promise<SecretResolver> {
  const problems: string[] = [];
  const byId = new Map<string, IntegrationSecrets>();
  for (const integration of config.integrations) {
    byId.set(integration.id, await resolveOne(integration, sources, problems));
  }
  if (problems.length) throw new ConfigError('Secrets are missing:', problems);
  return (integrationId) => {
    const secrets = byId.get(integrationId);
    if (!secrets) throw new ConfigError(`No secrets for integration "${integrationId}"`);
    return secrets;
  };
}

/** Whether any secret in the configuration lives in the credential store. */
export function usesCredentialStore(config: ConfigFile): boolean {
  return config.integrations.some((i) => {
    const f = i.fusion.auth;
    const s = i.sftp.auth;
    return Boolean(
      (f.type === 'oauth' ? f.clientSecretCredential : f.passwordCredential) ||
        (s.type === 'password' ? s.passwordCredential : s.privateKeyCredential || s.passphraseCredential) ||
        i.sftp.pgp?.recipientKeyCredential ||
        i.sftp.pgp?.signingKeyCredential ||
        i.sftp.pgp?.signingPassphraseCredential ||
        i.fusion.proxy?.passwordCredential ||
        i.sftp.proxy?.passwordCredential ||
        (i.sftp.jumpHost?.auth.type === 'password'
          ? i.sftp.jumpHost.auth.passwordCredential
          : i.sftp.jumpHost?.auth.privateKeyCredential || i.sftp.jumpHost?.auth.passphraseCredential),
    );
  });
}
