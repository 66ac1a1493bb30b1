import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';

// Keys sorted at every depth, so the digest does not depend on the order Fusion sends fields in,
// and a change inside a child (an invoice line, a PO schedule) changes the parent's digest.
const canonicalJson = configure({ deterministic: true, bigint: true, circularValue: Error });

/** Digest of a record's content, the version stamp aside: a same-second edit still counts as a change. */
export function contentDigest(payload: Record<string, unknown>): string {
  const { version: _version, ...content } = payload;
  return createHash('sha256')
    .update(canonicalJson(content) ?? '')
    .digest('hex');
}
