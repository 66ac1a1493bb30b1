import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../ledger/transaction';
import { openValue, sealValue } from './crypto';
import { CredentialError, CredentialNotFoundError } from './errors';
import type { Keyring } from './keyring';
import { Secret } from './secret';

// Credentials sealed at rest in Postgres (table `credential`, migration 2). The database holds
// only ciphertext, nonce and key ID; the master keys stay in the worker's environment.
// The one store outside src/ledger that queries Postgres itself (Biome allows `pg` here only): it
// runs on the ledger's pool, which Ledger.credentialsPool() lends it by name.

/** The pool the credential table is reached through: the ledger's (Ledger.credentialsPool()). */
export type CredentialsPool = Pool;

export const CREDENTIAL_KINDS = [
  'fusion-client-secret',
  'fusion-password',
  'sftp-password',
  'sftp-private-key',
  'sftp-passphrase',
  'pgp-public-key',
  'pgp-private-key',
  'pgp-passphrase',
  'generic',
] as const;

export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export function isCredentialKind(value: string): value is CredentialKind {
  return (CREDENTIAL_KINDS as readonly string[]).includes(value);
}

export interface CredentialInfo {
  name: string;
  kind: CredentialKind;
  keyId: string;
  /** When the value was last set (RFC 3339, UTC); rotation does not change it. */
  updatedAt: string;
}

// Names appear in config files, logs and errors, so they are plain: `partner-acme/sftp-password`.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new CredentialError(
      'invalid-input',
      'A credential name is 1–128 characters of A–Z a–z 0–9 . _ : / -, starting with a letter or digit',
    );
  }
}

/**
 * Names and metadata of every stored credential, never values, without a keyring: key hygiene
 * reads when each value was last set (`updatedAt`; `rotate` re-seals under a new master key and
 * leaves it as it is: the value's age is the secret's age).
 */
export async function credentialInfos(pool: CredentialsPool): Promise<CredentialInfo[]> {
  const { rows } = await pool.query<CredentialInfo>(
    `SELECT name, kind, key_id AS "keyId",
       to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt"
     FROM credential ORDER BY name`,
  );
  return rows;
}

interface CredentialRow {
  name: string;
  key_id: string;
  nonce: Buffer;
  ciphertext: Buffer;
}

export class CredentialStore {
  constructor(
    private readonly pool: CredentialsPool,
    private readonly keyring: Keyring,
  ) {}

  /** Creates or replaces a credential, sealed under the active key. */
  async set(name: string, kind: CredentialKind, plaintext: string | Secret): Promise<void> {
    checkName(name);
    if (!isCredentialKind(kind)) {
      throw new CredentialError(
        'invalid-input',
        `Credential kind must be one of: ${CREDENTIAL_KINDS.join(', ')}`,
      );
    }
    const value = plaintext instanceof Secret ? plaintext.reveal() : plaintext;
    if (value === '') throw new CredentialError('invalid-input', `Credential "${name}": the value is empty`);
    const sealed = sealValue(this.keyring, name, value);
    await this.pool.query(
      `INSERT INTO credential (name, kind, key_id, nonce, ciphertext) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, key_id = excluded.key_id, nonce = excluded.nonce,
         ciphertext = excluded.ciphertext, updated_at = now()`,
      [name, kind, sealed.keyId, sealed.nonce, sealed.ciphertext],
    );
  }

  /** The plaintext; prefer getSecret when the value travels through objects that may be logged. */
  async get(name: string): Promise<string> {
    const { rows } = await this.pool.query<CredentialRow>(
      'SELECT name, key_id, nonce, ciphertext FROM credential WHERE name = $1',
      [name],
    );
    const row = rows[0];
    if (!row) throw new CredentialNotFoundError(name);
    return openValue(this.keyring, row.name, {
      keyId: row.key_id,
      nonce: row.nonce,
      ciphertext: row.ciphertext,
    });
  }

  async getSecret(name: string): Promise<Secret> {
    return new Secret(await this.get(name));
  }

  /** Names and metadata only, never values. */
  list(): Promise<CredentialInfo[]> {
    return credentialInfos(this.pool);
  }

  /**
   * Re-seals every credential not under the active key, in one transaction: either all move to
   * the active key or none does (a row under a key missing from the keyring stops the rotation).
   */
  async rotate(): Promise<{ reencrypted: number }> {
    const active = this.keyring.activeKeyId;
    return this.tx(async (c) => {
      const { rows } = await c.query<CredentialRow>(
        'SELECT name, key_id, nonce, ciphertext FROM credential WHERE key_id <> $1 ORDER BY name FOR UPDATE',
        [active],
      );
      for (const row of rows) {
        const plaintext = openValue(this.keyring, row.name, {
          keyId: row.key_id,
          nonce: row.nonce,
          ciphertext: row.ciphertext,
        });
        const sealed = sealValue(this.keyring, row.name, plaintext);
        await c.query('UPDATE credential SET key_id = $2, nonce = $3, ciphertext = $4 WHERE name = $1', [
          row.name,
          sealed.keyId,
          sealed.nonce,
          sealed.ciphertext,
        ]);
      }
      return { reencrypted: rows.length };
    });
  }

  /** Removes a credential; false when there was none by that name. */
  async delete(name: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM credential WHERE name = $1', [name]);
    return (rowCount ?? 0) > 0;
  }

  private tx<T>(work: (c: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }
}
