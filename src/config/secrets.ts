import { readFile } from 'node:fs/promises';
import { ConfigError } from './index';
import type { ConfigFile, IntegrationConfig, SftpConfig } from './schema';

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
  /** The secrets of each further destination (`destinations`), by its ID. */
  destinations?: Record<string, SftpSecrets>;
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

/** The secrets of one SFTP destination: its login, PGP keys, proxy login and jump host. */
export type SftpSecrets = Pick<IntegrationSecrets, 'sftp' | 'pgp' | 'sftpProxy' | 'sftpJumpHost'>;

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
  const fusionProxy = await proxyLogin(integration.fusion.proxy, `${at} fusion.proxy`, sources, problems);
  const destinations: Record<string, SftpSecrets> = {};
  for (const [i, d] of (integration.destinations ?? []).entries()) {
    destinations[d.id] = await resolveSftp(d, `${at} destinations[${i}] (${d.id})`, sources, problems);
  }
  return {
    fusionClientSecret,
    ...(await resolveSftp(integration.sftp, `${at} sftp`, sources, problems)),
    ...(fusionProxy ? { fusionProxy } : {}),
    ...(integration.destinations?.length ? { destinations } : {}),
  };
}

type ProxyConfig = { username?: string; passwordEnv?: string; passwordCredential?: string };

async function proxyLogin(
  proxy: ProxyConfig | undefined,
  where: string,
  sources: SecretSources,
  problems: string[],
): Promise<ProxyLogin | undefined> {
  return proxy?.username === undefined
    ? undefined
    : {
        username: proxy.username,
        password: await read(
          { env: proxy.passwordEnv, credential: proxy.passwordCredential },
          `${where} password`,
          sources,
          problems,
        ),
      };
}

type SshAuth = SftpConfig['auth'];

/** A login by password or private key (and its passphrase), as `sftp.auth` or a jump host's. */
async function resolveSshAuth(
  auth: SshAuth,
  where: string,
  sources: SecretSources,
  problems: string[],
): Promise<IntegrationSecrets['sftp']> {
  if (auth.type === 'password') {
    return {
      password: await read(
        { env: auth.passwordEnv, credential: auth.passwordCredential },
        `${where} password`,
        sources,
        problems,
      ),
    };
  }
  const privateKey = await read(
    { env: auth.privateKeyEnv, credential: auth.privateKeyCredential, file: auth.privateKeyFile },
    `${where} private key`,
    sources,
    problems,
  );
  const passphrase =
    auth.passphraseEnv || auth.passphraseCredential
      ? await read(
          { env: auth.passphraseEnv, credential: auth.passphraseCredential },
          `${where} passphrase`,
          sources,
          problems,
        )
      : undefined;
  return passphrase ? { privateKey, passphrase } : { privateKey };
}

/** One destination's secrets; `at` names it in problems (`integration "x" sftp`). */
async function resolveSftp(
  sftp: SftpConfig,
  at: string,
  sources: SecretSources,
  problems: string[],
): Promise<SftpSecrets> {
  const credentials = await resolveSshAuth(sftp.auth, `${at}.auth`, sources, problems);
  const pgp = sftp.pgp ? await resolvePgp(sftp.pgp, at, sources, problems) : undefined;
  const sftpProxy = await proxyLogin(sftp.proxy, `${at}.proxy`, sources, problems);
  const sftpJumpHost = sftp.jumpHost
    ? await resolveSshAuth(sftp.jumpHost.auth, `${at}.jumpHost.auth`, sources, problems)
    : undefined;
  return {
    sftp: credentials,
    ...(pgp ? { pgp } : {}),
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
    `${at}.pgp recipient key`,
    sources,
    problems,
  );
  const signing = pgp.signingKeyEnv || pgp.signingKeyCredential || pgp.signingKeyFile;
  const signingKey = signing
    ? await read(
        { env: pgp.signingKeyEnv, credential: pgp.signingKeyCredential, file: pgp.signingKeyFile },
        `${at}.pgp signing key`,
        sources,
        problems,
      )
    : undefined;
  const hasPassphrase = pgp.signingPassphraseEnv || pgp.signingPassphraseCredential;
  const signingPassphrase = hasPassphrase
    ? await read(
        { env: pgp.signingPassphraseEnv, credential: pgp.signingPassphraseCredential },
        `${at}.pgp signing passphrase`,
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
  const sshUses = (a: SshAuth | undefined) =>
    a
      ? a.type === 'password'
        ? a.passwordCredential
        : a.privateKeyCredential || a.passphraseCredential
      : undefined;
  const sftpUses = (s: SftpConfig) =>
    sshUses(s.auth) ||
    s.pgp?.recipientKeyCredential ||
    s.pgp?.signingKeyCredential ||
    s.pgp?.signingPassphraseCredential ||
    s.proxy?.passwordCredential ||
    sshUses(s.jumpHost?.auth);
  return config.integrations.some((i) => {
    const f = i.fusion.auth;
    return Boolean(
      (f.type === 'oauth' ? f.clientSecretCredential : f.passwordCredential) ||
        i.fusion.proxy?.passwordCredential ||
        [i.sftp, ...(i.destinations ?? [])].some(sftpUses),
    );
  });
}
