import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { CredentialError } from './errors';

// The master keys that seal credentials, and where they come from. Exactly one of:
//
//   ML_CONNECTOR_MASTER_KEY=<base64>            one key; its ID is derived from it (see deriveKeyId)
//   ML_CONNECTOR_MASTER_KEYS=k2:<b64>,k1:<b64>  a keyring: the FIRST entry is the active key (new
//                                               values and `rotate` use it); the others only decrypt
//   ML_CONNECTOR_MASTER_KEY_FILE=/path          a file in the keyring form, entries separated by
//                                               commas or new lines, `#` lines ignored
//
// Each key is base64 (or base64url) of 32 random bytes: `openssl rand -base64 32`. An entry is
// `id:<base64>` or a bare `<base64>`, whose ID is then derived, so a single ML_CONNECTOR_MASTER_KEY
// can later be listed, as is, behind a new active key. Rotation: put the new key first, keep the
// old one after it, run `ml-connector credentials rotate`, then drop the old key.

export const MASTER_KEY_ENV = 'ML_CONNECTOR_MASTER_KEY';
export const MASTER_KEYS_ENV = 'ML_CONNECTOR_MASTER_KEYS';
export const MASTER_KEY_FILE_ENV = 'ML_CONNECTOR_MASTER_KEY_FILE';

const KEY_BYTES = 32;
// Never matches a 32-byte key in base64 (that always ends in '='), so an ID is safe to print.
const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

/** A stable, non-secret ID for a key: a short hash of it, so a bare key always gets the same ID. */
export function deriveKeyId(key: Buffer): string {
  return `k-${createHash('sha256').update('ml-connector master key id\0').update(key).digest('hex').slice(0, 12)}`;
}

export class Keyring {
  /** The key that seals new values. */
  readonly activeKeyId: string;
  readonly #keys: Map<string, Buffer>;

  /** The first key is the active one. */
  constructor(keys: { id: string; key: Buffer }[]) {
    const first = keys[0];
    if (!first) throw new CredentialError('no-master-key', 'A keyring needs at least one master key');
    this.#keys = new Map();
    for (const [index, { id, key }] of keys.entries()) {
      if (!KEY_ID.test(id)) {
        throw new CredentialError(
          'bad-master-key',
          `Master key ${index + 1}: the key ID must be 1–32 characters of A–Z a–z 0–9 . _ -`,
        );
      }
      if (key.length !== KEY_BYTES) {
        throw new CredentialError(
          'bad-master-key',
          `Master key "${id}" is ${key.length} bytes; AES-256 needs exactly ${KEY_BYTES}`,
        );
      }
      if (this.#keys.has(id))
        throw new CredentialError('bad-master-key', `Master key ID "${id}" is listed twice`);
      this.#keys.set(id, Buffer.from(key));
    }
    this.activeKeyId = first.id;
  }

  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  has(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  /** The bytes of one key; only the sealing code (crypto.ts) calls this. */
  keyBytes(keyId: string): Buffer {
    const key = this.#keys.get(keyId);
    if (!key) {
      throw new CredentialError(
        'unknown-key-id',
        `Master key "${keyId}" is not in the keyring (it holds: ${this.keyIds.join(', ')}). ` +
          `Add it to ${MASTER_KEYS_ENV} after the active key.`,
      );
    }
    return key;
  }

  // What a log line or a debugger shows: IDs only.
  toJSON(): { activeKeyId: string; keyIds: string[] } {
    return { activeKeyId: this.activeKeyId, keyIds: this.keyIds };
  }

  [inspect.custom](): string {
    return `Keyring { active: ${this.activeKeyId}, keys: ${this.keyIds.join(', ')} }`;
  }
}

function decodeKey(text: string, where: string): Buffer {
  const decoded = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (!BASE64_KEY.test(text) || decoded.length !== KEY_BYTES) {
    throw new CredentialError(
      'bad-master-key',
      `${where}: not base64 of ${KEY_BYTES} bytes (it decodes to ${decoded.length}); ` +
        'generate one with `openssl rand -base64 32`',
    );
  }
  return decoded;
}

/** Parses `[id:]base64` entries separated by commas or new lines. */
export function parseKeyringText(text: string, source: string): Keyring {
  const entries = text
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter((e) => e !== '' && !e.startsWith('#'));
  if (entries.length === 0) throw new CredentialError('no-master-key', `${source} holds no master key`);
  const keys = entries.map((entry, i) => {
    const where = `${source} entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      const key = decodeKey(entry, where);
      return { id: deriveKeyId(key), key };
    }
    const id = entry.slice(0, colon).trim();
    if (!KEY_ID.test(id)) {
      throw new CredentialError(
        'bad-master-key',
        `${where}: the key ID before ':' must be 1–32 characters of A–Z a–z 0–9 . _ -`,
      );
    }
    return { id, key: decodeKey(entry.slice(colon + 1).trim(), `${where} (key "${id}")`) };
  });
  return new Keyring(keys);
}

/** The keyring from the environment; throws a CredentialError saying what to set when it is missing. */
export function keyringFromEnv(env: NodeJS.ProcessEnv = process.env): Keyring {
  const set = [MASTER_KEYS_ENV, MASTER_KEY_ENV, MASTER_KEY_FILE_ENV].filter((n) => env[n]?.trim());
  if (set.length === 0) {
    throw new CredentialError(
      'no-master-key',
      `No master key: set ${MASTER_KEY_ENV} (base64 of 32 random bytes: \`openssl rand -base64 32\`), ` +
        `${MASTER_KEYS_ENV} (id:key pairs, active first, for rotation) or ${MASTER_KEY_FILE_ENV} (a file holding either)`,
    );
  }
  if (set.length > 1) {
    throw new CredentialError('bad-master-key', `Set only one of ${set.join(' and ')}, not both`);
  }
  const name = set[0]!;
  const value = env[name]!;
  if (name === MASTER_KEY_FILE_ENV) {
    let text: string;
    try {
      text = readFileSync(value, 'utf8');
    } catch (err) {
      throw new CredentialError(
        'no-master-key',
        `${MASTER_KEY_FILE_ENV}: cannot read ${value} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    return parseKeyringText(text, `${MASTER_KEY_FILE_ENV} (${value})`);
  }
  const keyring = parseKeyringText(value, name);
  if (name === MASTER_KEY_ENV && keyring.keyIds.length > 1) {
    throw new CredentialError(
      'bad-master-key',
      `${MASTER_KEY_ENV} holds one key; list several in ${MASTER_KEYS_ENV}`,
    );
  }
  return keyring;
}
