import { log } from '@temporalio/activity';
import { credentialInfos } from '../credentials';
import {
  collectKeyHygiene,
  destinationPins,
  hostOf,
  integrationDestinations,
  keyHygieneAlert,
  needsAttention,
  storedCredentialRefs,
} from '../keys';
import { expectedFingerprint, type SftpDestination } from '../sftp';
import type { KeyHygieneResult } from '../shared/keyHygiene';
import type { ActivityDeps } from './deps';

// Key hygiene: the daily check of PGP key expiry, stored credential age and host key pin
// confirmation (src/keys), its findings stored in the ledger and at most one alert per item a day;
// and the confirmation a delivery records when the server presented the pinned key.

/**
 * After a connection whose host key matched its pin: records the confirmation (best effort: a
 * ledger hiccup here must not fail a delivery that succeeded). Nothing for `acceptAny`.
 */
export async function recordHostKeyConfirmation(
  deps: ActivityDeps,
  integrationId: string,
  destination: { id: string; sftp: Pick<SftpDestination, 'host' | 'port' | 'hostKey'> },
  presented: string,
): Promise<void> {
  const pinned = expectedFingerprint(destination.sftp.hostKey);
  if (pinned === null || pinned !== presented) return;
  await deps.ledger
    .confirmHostKey({
      integrationId,
      destination: destination.id,
      host: hostOf(destination.sftp),
      fingerprint: pinned,
    })
    .catch((err: Error) => log.warn('Host key confirmation not recorded', { error: err.message }));
}

export function createKeyActivities(deps: ActivityDeps) {
  return {
    /**
     * Checks the integration's PGP keys, stored credentials and host key pins against its
     * thresholds, stores the findings and returns the alert due today (the workflow sends it).
     */
    async checkKeyHygiene(input: { integrationId: string }): Promise<KeyHygieneResult> {
      const rt = deps.integration(input.integrationId);
      const integration = rt.config;
      const credentials = storedCredentialRefs(integration).length
        ? await credentialInfos(deps.ledger.credentialsPool())
        : [];
      const items = await collectKeyHygiene({
        integration,
        thresholds: rt.keyHygiene,
        ...(rt.pgp ? { pgp: rt.pgp.keys } : {}),
        destinations: destinationPins(integrationDestinations(integration)),
        credentials,
        confirmations: await deps.ledger.hostKeyConfirmations(integration.id),
        now: new Date(),
      });
      const due = await deps.ledger.saveKeyHygiene(integration.id, items, needsAttention);
      const result = {
        items: items.length,
        warn: items.filter((i) => i.status === 'warn').length,
        expired: items.filter((i) => i.status === 'expired').length,
        alert: keyHygieneAlert(integration.id, due),
      };
      if (result.warn || result.expired)
        log.warn('Key hygiene needs attention', { ...result, alert: undefined });
      return result;
    },
  };
}
