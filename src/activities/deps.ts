import type { AlertSink } from '../alerts';
import type { IntegrationRuntime } from '../integrations';
import type { Ledger } from '../ledger';
import type { Metrics } from '../observability/metrics';

// What every activity group receives (worker.ts builds it): the ledger, the integrations'
// runtimes, the alert sinks, metrics and the fault suite's hooks. Nothing else reaches them.

/**
 * Named fault points for the fault-injection suite (see worker.ts failpointFromEnv). `in-commit` is
 * inside the commit transaction, every write done, before COMMIT.
 */
export type Failpoint = 'mid-extraction' | 'mid-upload' | 'after-upload' | 'before-commit' | 'in-commit';

export interface ActivityDeps {
  ledger: Ledger;
  integration(id: string): IntegrationRuntime;
  /** Where failure alerts go; none configured is a valid setup (the failure is still recorded). */
  alertSinks: AlertSink[];
  /** Prometheus counters; absent in tests that do not scrape. */
  metrics?: Metrics;
  failpoint?: (at: Failpoint) => void | Promise<void>;
  /** Whether a workflow run is still open in Temporal (false when it ended or is unknown). */
  workflowRunIsOpen(workflowId: string, runId: string): Promise<boolean>;
}
