import type { Alert } from '../alerts';
import type { IntegrationConfig, SftpConfig } from '../config';
import type { CredentialInfo } from '../credentials';
import type { HostKeyConfirmation, KeyHygieneItem } from '../ledger';
import { expectedFingerprint, type HostKeyPin, inspectPgpKey } from '../sftp';
import { evaluateAge, evaluateExpiry, type KeyHygieneThresholds, needsAttention } from './evaluate';

// Key hygiene of one integration: its PGP keys' expiry (the partner's, ours), the age of each
// stored credential's value, and when each host key pin was last confirmed by a connection. The
// worker's daily check, `check` and `status` all build their items here. Only public facts come
// out: key IDs, fingerprints, credential names, dates.

/** A destination's pin: today the one `sftp`; written over a list so more destinations fit. */
export interface DestinationPin {
  /** `sftp` (the integration's destination); the ledger keys confirmations by it. */
  id: string;
  host: string;
  port: number;
  hostKey: HostKeyPin;
}

export function destinationPins(destinations: readonly { id: string; sftp: SftpConfig }[]): DestinationPin[] {
  return destinations.map(({ id, sftp }) => ({
    id,
    host: sftp.host,
    port: sftp.port,
    hostKey: sftp.hostKey,
  }));
}

/** The integration's destinations as {id, sftp config}: its `sftp` (id `sftp`), then each of `destinations`. */
export function integrationDestinations(integration: IntegrationConfig): { id: string; sftp: SftpConfig }[] {
  return [
    { id: 'sftp', sftp: integration.sftp },
    ...(integration.destinations ?? []).map(({ id, ...sftp }) => ({ id, sftp })),
  ];
}

/** `host:port`, as confirmations record a host. */
export function hostOf(pin: Pick<DestinationPin, 'host' | 'port'>): string {
  return `${pin.host}:${pin.port}`;
}

/** Every stored credential (`…Credential`) the integration names, with what it is. Env and file secrets have no known age. */
export function storedCredentialRefs(integration: IntegrationConfig): { name: string; label: string }[] {
  const refs: { name: string | undefined; label: string }[] = [];
  const f = integration.fusion.auth;
  if (f.type === 'oauth') refs.push({ name: f.clientSecretCredential, label: 'fusion client secret' });
  else refs.push({ name: f.passwordCredential, label: 'fusion password' });
  refs.push({ name: integration.fusion.proxy?.passwordCredential, label: 'fusion proxy password' });
  for (const { id, sftp } of integrationDestinations(integration)) {
    const logins = [
      { auth: sftp.auth, what: id },
      ...(sftp.jumpHost ? [{ auth: sftp.jumpHost.auth, what: `${id} jump host` }] : []),
    ];
    for (const { auth, what } of logins) {
      if (auth.type === 'password') refs.push({ name: auth.passwordCredential, label: `${what} password` });
      else {
        refs.push({ name: auth.privateKeyCredential, label: `${what} private key` });
        refs.push({ name: auth.passphraseCredential, label: `${what} key passphrase` });
      }
    }
    refs.push({ name: sftp.proxy?.passwordCredential, label: `${id} proxy password` });
    // The partner's public key is no secret to rotate: its expiry is what counts (a pgp item).
    refs.push({ name: sftp.pgp?.signingKeyCredential, label: 'our PGP signing key' });
    refs.push({ name: sftp.pgp?.signingPassphraseCredential, label: 'our PGP signing passphrase' });
  }
  const byName = new Map<string, string[]>();
  for (const r of refs) if (r.name) byName.set(r.name, [...(byName.get(r.name) ?? []), r.label]);
  return [...byName].map(([name, labels]) => ({ name, label: labels.join(', ') }));
}

export interface KeyHygieneInput {
  integration: IntegrationConfig;
  thresholds: KeyHygieneThresholds;
  /** The resolved PGP keys (armored), when files are encrypted; read here for their dates only. */
  pgp?: { recipientKey: string; signingKey?: string };
  destinations: readonly DestinationPin[];
  /** The credential store's metadata (names and dates, never values); null without a store. */
  credentials: readonly CredentialInfo[] | null;
  /** The ledger's host key confirmations; null without a ledger. */
  confirmations: readonly HostKeyConfirmation[] | null;
  now: Date;
}

async function pgpItem(
  which: 'recipient' | 'signing',
  armored: string,
  input: KeyHygieneInput,
): Promise<KeyHygieneItem> {
  const label =
    which === 'recipient'
      ? "partner's PGP key (sftp.pgp recipient key)"
      : 'our PGP signing key (sftp.pgp signing key)';
  const base = { item: `pgp:${which}`, kind: 'pgp-key' as const, label };
  try {
    const key = await inspectPgpKey(armored, which === 'recipient' ? 'encrypt' : 'sign');
    const subject = `0x${key.keyId}${key.userId ? ` ${key.userId}` : ''}`;
    const e = evaluateExpiry(key.expiresAt, input.now, input.thresholds.warnDaysBeforeExpiry);
    if (key.problem && e.status !== 'expired') {
      return {
        ...base,
        subject,
        status: 'expired',
        datedAt: key.expiresAt,
        dueAt: e.dueAt,
        daysLeft: e.daysLeft,
        detail: key.problem,
      };
    }
    return {
      ...base,
      subject,
      status: e.status,
      datedAt: key.expiresAt,
      dueAt: e.dueAt,
      daysLeft: e.daysLeft,
      detail: e.detail,
    };
  } catch (err) {
    return {
      ...base,
      subject: 'unreadable key',
      status: 'expired',
      datedAt: null,
      dueAt: null,
      daysLeft: null,
      detail: `cannot be read as an OpenPGP key (${(err as Error).message.split('\n')[0]})`,
    };
  }
}

function credentialItems(input: KeyHygieneInput): KeyHygieneItem[] {
  const stored = input.credentials === null ? null : new Map(input.credentials.map((c) => [c.name, c]));
  return storedCredentialRefs(input.integration).map(({ name, label }) => {
    const info = stored?.get(name);
    const e = evaluateAge(info?.updatedAt ?? null, input.now, input.thresholds.credentialMaxAgeDays, {
      done: 'set',
      never: stored === null ? 'age unknown (no credential store here)' : 'not in the credential store',
    });
    return {
      item: `credential:${name}`,
      kind: 'credential' as const,
      label,
      subject: name,
      status: e.status,
      datedAt: info?.updatedAt ?? null,
      dueAt: e.dueAt,
      daysLeft: e.daysLeft,
      detail: e.detail,
    };
  });
}

function hostKeyItems(input: KeyHygieneInput): KeyHygieneItem[] {
  return input.destinations.map((pin) => {
    const host = hostOf(pin);
    const base = { item: `host-key:${pin.id}`, kind: 'host-key' as const, label: `${pin.id} host key pin` };
    const fingerprint = expectedFingerprint(pin.hostKey);
    if (fingerprint === null) {
      return {
        ...base,
        subject: host,
        status: 'unknown' as const,
        datedAt: null,
        dueAt: null,
        daysLeft: null,
        detail: 'not pinned (hostKey.acceptAny): nothing to confirm',
      };
    }
    const seen = input.confirmations?.find(
      (c) => c.destination === pin.id && c.host === host && c.fingerprint === fingerprint,
    );
    const e = evaluateAge(
      seen?.lastConfirmedAt ?? null,
      input.now,
      input.thresholds.hostKeyConfirmMaxAgeDays,
      {
        done: 'last confirmed',
        never:
          input.confirmations === null
            ? 'confirmations unknown (no ledger here)'
            : 'not confirmed by a connection yet',
      },
    );
    return {
      ...base,
      subject: `${host} ${fingerprint}`,
      status: e.status,
      datedAt: seen?.lastConfirmedAt ?? null,
      dueAt: e.dueAt,
      daysLeft: e.daysLeft,
      detail: e.detail,
    };
  });
}

/** Every key hygiene item of the integration, in a fixed order: PGP keys, credentials, host keys. */
export async function collectKeyHygiene(input: KeyHygieneInput): Promise<KeyHygieneItem[]> {
  const items: KeyHygieneItem[] = [];
  if (input.pgp) {
    items.push(await pgpItem('recipient', input.pgp.recipientKey, input));
    if (input.pgp.signingKey) items.push(await pgpItem('signing', input.pgp.signingKey, input));
  }
  return [...items, ...credentialItems(input), ...hostKeyItems(input)];
}

/** One alert for the items due today (null when none): expired ones make it an error. */
export function keyHygieneAlert(
  integrationId: string,
  due: readonly KeyHygieneItem[],
): Omit<Alert, 'at'> | null {
  const items = due.filter(needsAttention);
  if (items.length === 0) return null;
  const expired = items.filter((i) => i.status === 'expired').length;
  const title = expired
    ? `ml-connector: ${integrationId} has ${expired} expired key${expired === 1 ? '' : 's'}`
    : `ml-connector: ${integrationId} key hygiene: ${items.length} item${items.length === 1 ? '' : 's'} to renew`;
  return {
    severity: expired ? 'error' : 'warning',
    integrationId,
    title,
    text: items.map((i) => `${i.status.toUpperCase()} ${i.label} ${i.subject}: ${i.detail}`).join('\n'),
    fields: Object.fromEntries(items.map((i) => [i.item, `${i.status}: ${i.detail}`])),
  };
}
