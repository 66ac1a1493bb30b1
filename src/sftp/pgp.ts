// openpgp is an ES module; this project is CommonJS, so it is loaded on first use.
const loadOpenPgp = () => import('openpgp');

// OpenPGP for partners who want files encrypted to their key (and signed with ours). The file is
// encrypted once, when it is rendered, and those exact bytes are archived and delivered: a
// retried upload then sends the same bytes (encryption is randomised, so re-encrypting would not).

export interface PgpKeys {
  /** The partner's public key (armored). */
  recipientKey: string;
  /** Our private key (armored) to sign with, and its passphrase if it has one. */
  signingKey?: string;
  signingPassphrase?: string;
}

export async function encryptForPartner(data: Uint8Array, keys: PgpKeys, armor: boolean): Promise<Buffer> {
  const openpgp = await loadOpenPgp();
  const encryptionKeys = await openpgp.readKey({ armoredKey: keys.recipientKey });
  let signingKeys: Awaited<ReturnType<typeof openpgp.readPrivateKey>> | undefined;
  if (keys.signingKey) {
    const privateKey = await openpgp.readPrivateKey({ armoredKey: keys.signingKey });
    signingKeys = keys.signingPassphrase
      ? await openpgp.decryptKey({ privateKey, passphrase: keys.signingPassphrase })
      : privateKey;
  }
  const message = await openpgp.createMessage({ binary: data });
  if (armor) {
    const text = await openpgp.encrypt({ message, encryptionKeys, signingKeys, format: 'armored' });
    return Buffer.from(text);
  }
  const bytes = await openpgp.encrypt({ message, encryptionKeys, signingKeys, format: 'binary' });
  return Buffer.from(bytes);
}

/** What a PGP key says about itself, for key hygiene: public facts only (no key material). */
export interface PgpKeyInfo {
  /** The primary key's fingerprint (hex, upper case) and its 16-digit key ID. */
  fingerprint: string;
  keyId: string;
  /** The first user ID, as `Name <mail>`; '' when there is none. */
  userId: string;
  /**
   * When the key stops being usable for `use` (RFC 3339, UTC): the earlier of the primary key's
   * expiry and the latest expiry of the subkeys that can do it. Null: it never expires.
   */
  expiresAt: string | null;
  /** Why the key cannot be used now other than its date (revoked, no capable subkey, unreadable). */
  problem?: string;
}

type OpenPgp = Awaited<ReturnType<typeof loadOpenPgp>>;
type AnyKey = Awaited<ReturnType<OpenPgp['readKey']>>;

function asDate(value: Date | number | null): number | null {
  if (value === null) return null;
  const ms = value instanceof Date ? value.getTime() : value;
  return Number.isFinite(ms) ? ms : Number.POSITIVE_INFINITY;
}

/** The latest-created binding signature's key flags of a subkey (0 when it states none). */
function subkeyFlags(subkey: AnyKey['subkeys'][number]): number {
  const signatures = [...subkey.bindingSignatures].sort(
    (a, b) => (b.created?.getTime() ?? 0) - (a.created?.getTime() ?? 0),
  );
  return signatures[0]?.keyFlags?.[0] ?? 0;
}

/**
 * Reads an armored key (public or private) and works out until when it can encrypt (the
 * partner's key) or sign (ours): openpgp's own expiry of the primary key and of each capable
 * subkey, read without the current date so an expired key still reports its dates.
 */
export async function inspectPgpKey(armored: string, use: 'encrypt' | 'sign'): Promise<PgpKeyInfo> {
  const openpgp = await loadOpenPgp();
  const key = await openpgp.readKey({ armoredKey: armored });
  const { keyFlags } = openpgp.enums;
  const capability =
    use === 'encrypt' ? keyFlags.encryptCommunication | keyFlags.encryptStorage : keyFlags.signData;
  const primary = asDate(await key.getExpirationTime()) ?? Number.POSITIVE_INFINITY;
  let subkeysUntil: number | null = null;
  for (const subkey of key.subkeys) {
    if ((subkeyFlags(subkey) & capability) === 0) continue;
    // A null date: the binding signature is read whatever today is (an expired one still counts).
    const until = asDate(await subkey.getExpirationTime(null as unknown as Date));
    if (until !== null) subkeysUntil = Math.max(subkeysUntil ?? 0, until);
  }
  const until = subkeysUntil === null ? primary : Math.min(primary, subkeysUntil);
  let problem: string | undefined;
  if (until > Date.now()) {
    try {
      if (use === 'encrypt') await key.getEncryptionKey();
      else await key.getSigningKey();
    } catch (err) {
      problem = `openpgp cannot ${use} with it: ${(err as Error).message}`;
    }
  }
  const user = key.users.find((u) => u.userID)?.userID;
  return {
    fingerprint: key.getFingerprint().toUpperCase(),
    keyId: key.getKeyID().toHex().toUpperCase(),
    userId: user ? user.userID : '',
    expiresAt: Number.isFinite(until) ? new Date(until).toISOString() : null,
    ...(problem ? { problem } : {}),
  };
}
