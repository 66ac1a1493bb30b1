import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { IntegrationConfig } from '../config';
import type { Logger } from '../observability/logger';
import { replanSignal } from '../shared/integrationWorkflow';
import { integrationWorkflowId } from '../shared/workflowIds';

// At worker start: every running integration workflow of a scheduled integration in this worker's
// config plans its next sync and deadline again, so a schedule changed in the config applies now,
// not at the next planned wake.

export interface ReplanOutcome {
  replanned: string[];
  /** No running integration workflow (never started, or closed). */
  notRunning: string[];
  failed: string[];
}

export async function replanScheduledIntegrations(
  client: Client,
  config: { integrations: Pick<IntegrationConfig, 'id' | 'schedule'>[] },
  logger: Pick<Logger, 'info' | 'warn'>,
): Promise<ReplanOutcome> {
  const outcome: ReplanOutcome = { replanned: [], notRunning: [], failed: [] };
  for (const integration of config.integrations) {
    if (!integration.schedule) continue;
    const workflowId = integrationWorkflowId(integration.id);
    try {
      // Without a run ID the signal goes to the open run, if there is one (not-found otherwise).
      await client.workflow.getHandle(workflowId).signal(replanSignal);
      outcome.replanned.push(integration.id);
      logger.info({ integration: integration.id, workflowId }, 'Schedule re-planned from the config');
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        outcome.notRunning.push(integration.id);
        continue;
      }
      outcome.failed.push(integration.id);
      logger.warn(
        { integration: integration.id, workflowId, error: err instanceof Error ? err.message : String(err) },
        'Could not ask the integration workflow to re-plan its schedule; it re-plans at its next wake',
      );
    }
  }
  return outcome;
}
