import { ConfigError } from '../config';
import { inspectPgpKey, type PgpKeys } from '../sftp';
import { day } from './evaluate';

// Before a file is encrypted: a partner's key (or ours) that has expired stops the run with an
// error that names the integration and the key, before anything is rendered or uploaded, instead
// of openpgp's bare "Primary key is expired" from deep inside the render.

export async function assertPgpKeysUsable(integrationId: string, keys: PgpKeys, now: Date): Promise<void> {
  const checks = [
    {
      armored: keys.recipientKey,
      use: 'encrypt' as const,
      what: "the partner's PGP key (sftp.pgp recipient key)",
    },
    ...(keys.signingKey
      ? [
          {
            armored: keys.signingKey,
            use: 'sign' as const,
            what: 'our PGP signing key (sftp.pgp signing key)',
          },
        ]
      : []),
  ];
  const problems: string[] = [];
  for (const { armored, use, what } of checks) {
    const key = await inspectPgpKey(armored, use).catch((err: Error) => err);
    if (key instanceof Error) {
      problems.push(`${what} cannot be read as an OpenPGP key`);
      continue;
    }
    const name = `0x${key.keyId}${key.userId ? ` (${key.userId})` : ''}`;
    if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now.getTime()) {
      problems.push(`${what} ${name} expired on ${day(key.expiresAt)}; ask for a renewed key and update it`);
    } else if (key.problem) {
      problems.push(`${what} ${name}: ${key.problem}`);
    }
  }
  if (problems.length) {
    throw new ConfigError(
      `Integration "${integrationId}": no file is encrypted or uploaded: ${problems.join('; ')} (then restart the worker)`,
    );
  }
}
