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
