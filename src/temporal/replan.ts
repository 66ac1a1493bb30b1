import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { IntegrationConfig } from '../config';
import type { Logger } from '../observability/logger';
import { replanSignal } from '../shared/integrationWorkflow';
import { integrationWorkflowId } from '../shared/workflowIds';

// At worker start: every running integration workflow of a scheduled integration whose
// configuration changed since the last start plans its next sync and deadline again, so a schedule
// changed in the config applies now, not at the next planned wake. An unchanged integration is
// not signalled: each signal costs a workflow task, a planNextTimes activity and a new timer
// (Temporal actions), and a worker with hundreds of integrations restarts often.

export interface ReplanOutcome {
  replanned: string[];
  /** No running integration workflow (never started, or closed). */
  notRunning: string[];
  failed: string[];
  /** Configuration unchanged since the last start: not signalled. */
  unchanged: string[];
}

export interface ReplanOptions {
  /** Only these integrations are signalled (the ledger's registry says which changed); default all. */
  changed?: ReadonlySet<string>;
  /** Signals in flight at once (default 16). */
  concurrency?: number;
}

export async function replanScheduledIntegrations(
  client: Client,
  config: { integrations: Pick<IntegrationConfig, 'id' | 'schedule'>[] },
  logger: Pick<Logger, 'info' | 'warn'>,
  options: ReplanOptions = {},
): Promise<ReplanOutcome> {
  const outcome: ReplanOutcome = { replanned: [], notRunning: [], failed: [], unchanged: [] };
  const scheduled = config.integrations.filter((i) => i.schedule);
  const due = scheduled.filter((i) => !options.changed || options.changed.has(i.id));
  outcome.unchanged = scheduled.filter((i) => !due.includes(i)).map((i) => i.id);
  const results = new Map<string, 'replanned' | 'notRunning' | 'failed'>();
  const replan = async (integrationId: string) => {
    const workflowId = integrationWorkflowId(integrationId);
    try {
      // Without a run ID the signal goes to the open run, if there is one (not-found otherwise).
      await client.workflow.getHandle(workflowId).signal(replanSignal);
      results.set(integrationId, 'replanned');
      logger.info({ integration: integrationId, workflowId }, 'Schedule re-planned from the config');
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        results.set(integrationId, 'notRunning');
        return;
      }
      results.set(integrationId, 'failed');
      logger.warn(
        { integration: integrationId, workflowId, error: err instanceof Error ? err.message : String(err) },
        'Could not ask the integration workflow to re-plan its schedule; it re-plans at its next wake',
      );
    }
  };
  const queue = due.map((i) => i.id);
  const lanes = Math.max(1, Math.min(options.concurrency ?? 16, queue.length));
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await replan(next);
    }),
  );
  // In config order, whatever order the signals completed in.
  for (const { id } of due) outcome[results.get(id)!].push(id);
  return outcome;
}
