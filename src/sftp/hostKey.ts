import { createHash } from 'node:crypto';

// Host-key pinning: the server must present the key we were told to expect. Either a SHA256
// fingerprint as `ssh-keygen -lf` prints it, or a known_hosts line (whose key blob we hash).

export type HostKeyPin = { sha256: string } | { knownHostsLine: string } | { acceptAny: true };

export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The fingerprint a pin expects, or null when any key is accepted (an explicit, logged opt-out). */
export function expectedFingerprint(pin: HostKeyPin): string | null {
  if ('acceptAny' in pin) return null;
  if ('sha256' in pin) return pin.sha256.replace(/=+$/, '');
  // known_hosts: `[host]:port,alias keytype base64 [comment]` — or without the host part.
  const fields = pin.knownHostsLine.trim().split(/\s+/);
  const blob = fields.find((f) => /^AAAA[A-Za-z0-9+/=]+$/.test(f));
  if (!blob) throw new Error('sftp.hostKey.knownHostsLine has no base64 key blob');
  return hostKeyFingerprint(Buffer.from(blob, 'base64'));
}

/** `ssh-ed25519 AAAA…`: a key blob as a known_hosts line writes it (its type is the blob's first string). */
export function knownHostsKey(key: Buffer): string {
  const length = key.length >= 4 ? key.readUInt32BE(0) : 0;
  const type = length > 0 && 4 + length <= key.length ? key.subarray(4, 4 + length).toString('latin1') : '?';
  return `${/^[\x21-\x7e]+$/.test(type) ? type : '?'} ${key.toString('base64')}`;
}

/**
 * What a refused host key looks like beside the pin, in the pin's own form, so an admin can
 * compare it with the fingerprint the server's owner gives and update the pin if the key changed
 * on purpose. Host keys are public: nothing here is a secret.
 */
export function hostKeyMismatch(
  presented: Buffer,
  pin: HostKeyPin,
  where: { who?: string; setting?: string } = {},
): string {
  const { who = 'the server', setting = 'sftp.hostKey' } = where;
  const fingerprint = hostKeyFingerprint(presented);
  const advice =
    "compare it with the fingerprint the server's admin gives, and update the pin only if the key changed on purpose";
  if ('knownHostsLine' in pin) {
    return (
      `${who} presented ${knownHostsKey(presented)} (${fingerprint}), ` +
      `the pin (${setting}.knownHostsLine) is ${expectedFingerprint(pin)}; ${advice}`
    );
  }
  return `${who} presented ${fingerprint}, the pin (${setting}.sha256) is ${expectedFingerprint(pin)}; ${advice}`;
}
