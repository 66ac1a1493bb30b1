import { hash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';

// Keys sorted at every depth, so the digest does not depend on the order Fusion sends fields in,
// and a change inside a child (an invoice line, a PO schedule) changes the parent's digest.
const canonicalJson = configure({ deterministic: true, bigint: true, circularValue: Error });

/**
 * Digest of a record's content, the version stamp aside: a same-second edit still counts as a change.
 * A journal line's ledgerCurrencyCode is left out too: it was added to the record later, and is
 * fixed by the ledger (Fusion does not let a ledger's currency change once it has journals), so it
 * never tells two versions of a line apart — and keeping it out keeps every digest already in the
 * ledger valid, instead of sending every journal line once more after an upgrade.
 */
export function contentDigest(payload: Record<string, unknown>): string {
  return hash('sha256', canonicalContent(payload).canonical, 'hex');
}

/** The payload's canonical JSON without the two keys the digest leaves out, and those two. */
function canonicalContent(payload: Record<string, unknown>) {
  const { version, ledgerCurrencyCode, ...content } = payload;
  return { canonical: canonicalJson(content) ?? '', version, ledgerCurrencyCode };
}

/**
 * The content digest and the payload's JSON text for staging, from one canonical serialisation:
 * the JSON is the canonical content with the two keys the digest leaves out put back first. The
 * same value as JSON.stringify(payload), keys in another order; serialising each record once is
 * about 5 % of a big sync's staging.
 */
export function stagedForm(payload: Record<string, unknown>): { digest: string; json: string } {
  const { canonical, version, ledgerCurrencyCode } = canonicalContent(payload);
  const digest = hash('sha256', canonical, 'hex');
  let left = '';
  // As JSON.stringify would: a value it leaves out (undefined, a function) leaves its key out.
  const versionText = JSON.stringify(version);
  if (versionText !== undefined) left += `"version":${versionText},`;
  const currencyText = JSON.stringify(ledgerCurrencyCode);
  if (currencyText !== undefined) left += `"ledgerCurrencyCode":${currencyText},`;
  if (!left) return { digest, json: canonical };
  return { digest, json: canonical === '{}' ? `{${left.slice(0, -1)}}` : `{${left}${canonical.slice(1)}` };
}
