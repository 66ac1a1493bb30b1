import { createHash } from 'node:crypto';
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
  const { version: _version, ledgerCurrencyCode: _ledgerCurrency, ...content } = payload;
  return createHash('sha256')
    .update(canonicalJson(content) ?? '')
    .digest('hex');
}
