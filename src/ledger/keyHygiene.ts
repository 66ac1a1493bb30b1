import type { Pool } from 'pg';
import { rfc3339 } from './sql';
import { inTransaction } from './transaction';

// Key hygiene (migration 12): host key pins confirmed by a connection (host_key_confirmation),
// and what the daily check found per PGP key, stored credential and host key pin
// (key_hygiene_item), with when each was last alerted. Public facts only: no secret is stored.

export type KeyHygieneStatus = 'ok' | 'warn' | 'expired' | 'unknown';
export type KeyHygieneKind = 'pgp-key' | 'credential' | 'host-key';

/** One finding: a key, a credential or a pin, its date, when it is due, and how it stands. */
export interface KeyHygieneItem {
  /** Stable within the integration: `pgp:recipient`, `credential:<name>`, `host-key:sftp`. */
  item: string;
  kind: KeyHygieneKind;
  /** What it is, as an admin knows it: `partner PGP key (sftp.pgp recipient key)`. */
  label: string;
  /** Which one: a key ID and user ID, a credential name, a host and fingerprint. */
  subject: string;
  status: KeyHygieneStatus;
  /** The date it is measured from or to: a key's expiry, a value's last set, a pin's last confirmation. */
  datedAt: string | null;
  /** When it expires or becomes too old; null when it never does. */
  dueAt: string | null;
  /** Whole days until dueAt (negative: past it); null without dueAt. */
  daysLeft: number | null;
  /** One line for people: `expires 2026-12-12 (in 10 days)`. */
  detail: string;
}

export interface StoredKeyHygieneItem extends KeyHygieneItem {
  checkedAt: string;
  lastAlertedAt: string | null;
}

export interface HostKeyConfirmation {
  destination: string;
  host: string;
  fingerprint: string;
  firstConfirmedAt: string;
  lastConfirmedAt: string;
}

/** Records that `host` presented the pinned `fingerprint` just now (one cheap upsert a connection). */
export async function confirmHostKey(
  pool: Pool,
  input: { integrationId: string; destination: string; host: string; fingerprint: string },
): Promise<void> {
  await pool.query(
    `INSERT INTO host_key_confirmation (integration_id, destination, host, fingerprint) VALUES ($1, $2, $3, $4)
     ON CONFLICT (integration_id, destination, host, fingerprint) DO UPDATE SET last_confirmed_at = now()`,
    [input.integrationId, input.destination, input.host, input.fingerprint],
  );
}

export async function hostKeyConfirmations(
  pool: Pool,
  integrationId: string,
): Promise<HostKeyConfirmation[]> {
  const { rows } = await pool.query<HostKeyConfirmation>(
    `SELECT destination, host, fingerprint, ${rfc3339('first_confirmed_at')} AS "firstConfirmedAt",
       ${rfc3339('last_confirmed_at')} AS "lastConfirmedAt"
     FROM host_key_confirmation WHERE integration_id = $1 ORDER BY destination, host, last_confirmed_at DESC`,
    [integrationId],
  );
  return rows;
}

/**
 * Replaces the integration's findings with `items` (an item no longer configured goes), keeping
 * each remaining item's last alert; returns the items to alert now: those not ok and not yet
 * alerted on this UTC day, marked alerted in the same transaction.
 */
export function saveKeyHygiene(
  pool: Pool,
  integrationId: string,
  items: readonly KeyHygieneItem[],
  alertable: (item: KeyHygieneItem) => boolean,
): Promise<KeyHygieneItem[]> {
  return inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`key-hygiene:${integrationId}`]);
    await c.query('DELETE FROM key_hygiene_item WHERE integration_id = $1 AND NOT (item = ANY($2::text[]))', [
      integrationId,
      items.map((i) => i.item),
    ]);
    const due: KeyHygieneItem[] = [];
    for (const i of items) {
      const { rows } = await c.query<{ alert: boolean }>(
        `INSERT INTO key_hygiene_item (integration_id, item, kind, label, subject, status, dated_at, due_at, detail, checked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
         ON CONFLICT (integration_id, item) DO UPDATE SET kind = excluded.kind, label = excluded.label,
           subject = excluded.subject, status = excluded.status, dated_at = excluded.dated_at,
           due_at = excluded.due_at, detail = excluded.detail, checked_at = excluded.checked_at
         RETURNING last_alerted_at IS NULL
           OR (last_alerted_at AT TIME ZONE 'UTC')::date < (now() AT TIME ZONE 'UTC')::date AS alert`,
        [integrationId, i.item, i.kind, i.label, i.subject, i.status, i.datedAt, i.dueAt, i.detail],
      );
      if (rows[0]!.alert && alertable(i)) {
        await c.query(
          'UPDATE key_hygiene_item SET last_alerted_at = now() WHERE integration_id = $1 AND item = $2',
          [integrationId, i.item],
        );
        due.push(i);
      }
    }
    return due;
  });
}

/** The integration's findings as the last check stored them (status, `check`'s report, the audit page). */
export async function keyHygieneItems(pool: Pool, integrationId: string): Promise<StoredKeyHygieneItem[]> {
  const { rows } = await pool.query<StoredKeyHygieneItem & { daysLeft: null }>(
    `SELECT item, kind, label, subject, status, ${rfc3339('dated_at')} AS "datedAt", ${rfc3339('due_at')} AS "dueAt",
       detail, ${rfc3339('checked_at')} AS "checkedAt", ${rfc3339('last_alerted_at')} AS "lastAlertedAt"
     FROM key_hygiene_item WHERE integration_id = $1 ORDER BY kind, item`,
    [integrationId],
  );
  const now = Date.now();
  return rows.map((r) => ({
    ...r,
    // Rounded as src/keys/evaluate.ts rounds it: whole days from now.
    daysLeft: r.dueAt === null ? null : Math.round((Date.parse(r.dueAt) - now) / 86_400_000),
  }));
}
