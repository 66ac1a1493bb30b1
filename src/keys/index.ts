// Key hygiene: PGP key expiry, stored credential age, host key pin confirmation (./collect),
// evaluated against thresholds (./evaluate, pure).

export {
  collectKeyHygiene,
  type DestinationPin,
  destinationPins,
  hostOf,
  integrationDestinations,
  type KeyHygieneInput,
  keyHygieneAlert,
  storedCredentialRefs,
} from './collect';
export {
  DEFAULT_KEY_HYGIENE,
  daysUntil,
  type Evaluation,
  evaluateAge,
  evaluateExpiry,
  type KeyHygieneThresholds,
  keyHygieneThresholds,
  needsAttention,
  worstStatus,
} from './evaluate';
export { assertPgpKeysUsable } from './guard';
