import type { RuntimeEnv } from '../config';
import type { Ledger, QuarantinedDetail, QuarantinedItem } from '../ledger';
import { temporalClient } from './connect';
import { operatorName } from './failures';
import { resolveRecordIds, splitKeys } from './recordKeys';
import { type ResyncOutcome, runResync } from './resync';

// `quarantine list [integration]`, `quarantine show <id>`, `quarantine release <integration>
// (--records …|--all) --reason "…"`. A release is recorded (who, when, why) and the released
// records are read again from Fusion by ID through the resync workflow ('records' mode, as a
// release run: deduplicated like a live sync, so each goes out once). One still bad is
// quarantined again with its new reason; one delivered is closed as delivered.

/** Object keys whose values are never shown, whatever the document holds. */
const SECRET_KEY =
  /secret|passw|token|authori[sz]ation|api[-_]?key|credential|private|taxpayer|iban|bank|ssn/i;
const MAX_TEXT = 200;
const MAX_ITEMS = 20;
const MAX_DEPTH = 6;
const MAX_EXCERPT = 4000;

/**
 * A bounded copy of a stored record for a person to read: secret-looking fields redacted, links
 * (URLs of the pod) dropped, long text cut, deep nesting and long arrays elided.
 */
export function redactedExcerpt(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'string' && value.length > MAX_TEXT
      ? `${value.slice(0, MAX_TEXT)}… (${value.length} chars)`
      : value;
  }
  if (depth >= MAX_DEPTH) return '…';
  if (Array.isArray(value)) {
    const shown = value.slice(0, MAX_ITEMS).map((v) => redactedExcerpt(v, depth + 1));
    return value.length > MAX_ITEMS ? [...shown, `… ${value.length - MAX_ITEMS} more`] : shown;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'links' || k === '@context') continue;
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : redactedExcerpt(v, depth + 1);
  }
  return out;
}

/** The excerpt as JSON text, at most MAX_EXCERPT characters. */
export function excerptText(payload: unknown): string {
  const text = JSON.stringify(redactedExcerpt(payload), null, 2) ?? 'null';
  return text.length > MAX_EXCERPT
    ? `${text.slice(0, MAX_EXCERPT)}\n… (cut at ${MAX_EXCERPT} characters)`
    : text;
}

export function listQuarantine(
  ledger: Ledger,
  integrationId: string | undefined,
): Promise<QuarantinedItem[]> {
  return ledger.listQuarantine(integrationId);
}

export async function showQuarantined(
  ledger: Ledger,
  quarantineId: string,
): Promise<Omit<QuarantinedDetail, 'payload'> & { excerpt: string }> {
  const found = await ledger.getQuarantined(quarantineId);
  if (!found) throw new Error(`No quarantined record with ID "${quarantineId}" (see quarantine list)`);
  const { payload, ...rest } = found;
  return { ...rest, excerpt: excerptText(payload) };
}

export interface ReleaseFlags {
  records?: string | undefined;
  all?: boolean | undefined;
  reason?: string | undefined;
}

export interface ReleaseOutcome {
  integrationId: string;
  released: string[];
  resync: ResyncOutcome | null;
}

/**
 * Releases the integration's held records (named by ID or business number, or all) and sends
 * them again at once. Nothing held with --all: nothing is released or sent.
 */
export async function releaseQuarantine(
  env: RuntimeEnv,
  ledger: Ledger,
  integrationId: string,
  flags: ReleaseFlags,
): Promise<ReleaseOutcome> {
  const reason = flags.reason?.trim();
  if (!reason) throw new Error('quarantine release needs --reason "…" (what was fixed; it is recorded)');
  if (!!flags.all === (flags.records !== undefined))
    throw new Error('quarantine release needs exactly one of --records ID,… or --all');
  const recordIds = flags.all
    ? null
    : await resolveRecordIds(ledger, integrationId, splitKeys(flags.records ?? ''));
  if (recordIds && recordIds.length === 0) throw new Error('quarantine release --records: no record named');
  const released = await ledger.releaseQuarantine({ integrationId, recordIds, reason, by: operatorName() });
  if (released.length === 0) return { integrationId, released, resync: null };
  const session = await temporalClient();
  try {
    const resync = await runResync(session, env, integrationId, {
      request: {
        mode: 'records',
        recordIds: released,
        release: true,
        reason: `quarantine release: ${reason}`,
      },
      wait: true,
    });
    return { integrationId, released, resync };
  } finally {
    await session.close();
  }
}
