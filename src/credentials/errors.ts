// Every way the credential store can fail, as one closed set. Messages name the variable, key ID
// or credential involved, and never carry key bytes or a credential's value.

export type CredentialErrorKind =
  | 'no-master-key' // none of the master-key variables is set
  | 'bad-master-key' // a master key is not base64 of 32 bytes, or the keyring text is malformed
  | 'unknown-key-id' // a value was sealed under a key the keyring does not hold
  | 'decrypt-failed' // wrong key bytes for that ID, or the stored row was altered or moved
  | 'not-found'
  | 'invalid-input'; // a bad name, kind or empty value

export class CredentialError extends Error {
  constructor(
    readonly kind: CredentialErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CredentialError';
  }
}

export class CredentialNotFoundError extends CredentialError {
  constructor(readonly credentialName: string) {
    super('not-found', `No credential named "${credentialName}" in the credential store`);
    this.name = 'CredentialNotFoundError';
  }
}
