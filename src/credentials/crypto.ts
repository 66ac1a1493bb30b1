import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CredentialError } from './errors';
import type { Keyring } from './keyring';

// AES-256-GCM, one random 96-bit nonce per value. The credential's name is the associated data,
// so a ciphertext copied onto another row does not decrypt; the key ID is stored beside it so a
// keyring with several keys knows which one to use. Stored ciphertext = encrypted bytes ‖ 16-byte tag.

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
// Versioned, so a later format can bind more (or other) context without ambiguity.
const AAD_PREFIX = 'ml-connector credential v1\0';

export interface SealedValue {
  keyId: string;
  nonce: Buffer;
  ciphertext: Buffer;
}

function associatedData(name: string): Buffer {
  return Buffer.from(AAD_PREFIX + name, 'utf8');
}

/** Seals a value under the keyring's active key. */
export function sealValue(keyring: Keyring, name: string, plaintext: string): SealedValue {
  const keyId = keyring.activeKeyId;
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyring.keyBytes(keyId), nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(name));
  const clear = Buffer.from(plaintext, 'utf8');
  try {
    const ciphertext = Buffer.concat([cipher.update(clear), cipher.final(), cipher.getAuthTag()]);
    return { keyId, nonce, ciphertext };
  } finally {
    clear.fill(0); // best effort: the string itself cannot be wiped
  }
}

/** Opens a sealed value; fails if the key, the name or any stored byte is not what sealed it. */
export function openValue(keyring: Keyring, name: string, sealed: SealedValue): string {
  const key = keyring.keyBytes(sealed.keyId); // unknown-key-id, naming the key
  const cannot = `Cannot decrypt credential "${name}" with master key "${sealed.keyId}"`;
  if (sealed.nonce.length !== NONCE_BYTES || sealed.ciphertext.length < TAG_BYTES) {
    throw new CredentialError('decrypt-failed', `${cannot}: the stored value is malformed`);
  }
  const body = sealed.ciphertext.subarray(0, sealed.ciphertext.length - TAG_BYTES);
  const tag = sealed.ciphertext.subarray(sealed.ciphertext.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData(name));
  decipher.setAuthTag(tag);
  let clear: Buffer;
  try {
    clear = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    // The cause (OpenSSL's "unable to authenticate data") adds nothing; leave it out.
    throw new CredentialError(
      'decrypt-failed',
      `${cannot}: the key bytes are not the ones it was sealed with, or the stored value was altered ` +
        'or copied from another credential',
    );
  }
  try {
    return clear.toString('utf8');
  } finally {
    clear.fill(0);
  }
}
