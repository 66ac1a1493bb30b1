import { userInfo } from 'node:os';
import type { FailedRun, Ledger } from '../ledger';

// `failures [integration] [--all]` and `failures ack <runKey> [--note "…"]`: the failed runs
// that still need a person, and an operator's acknowledgement (who, when, a note) in the ledger.

/** Who is acting, for the ledger: ML_CONNECTOR_OPERATOR, else the login name. */
export function operatorName(env: NodeJS.ProcessEnv = process.env): string {
  const named = env.ML_CONNECTOR_OPERATOR?.trim();
  if (named) return named;
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? 'unknown';
  }
}

export function listFailures(
  ledger: Ledger,
  integrationId: string | undefined,
  all: boolean,
): Promise<FailedRun[]> {
  return ledger.failedRuns(integrationId, { all });
}

export function acknowledgeFailure(ledger: Ledger, runKey: string, note: string | undefined) {
  return ledger.acknowledgeFailure({ runKey, by: operatorName(), note: note?.trim() || null });
}
