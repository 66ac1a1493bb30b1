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
