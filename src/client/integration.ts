import type { Client, Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { IntegrationConfig, RuntimeEnv } from '../config';
import {
  ENTITY_SEARCH_ATTRIBUTE,
  forceResyncUpdate,
  INTEGRATION_SEARCH_ATTRIBUTE,
  type IntegrationStatus,
  pauseSignal,
  type ResyncAck,
  type ResyncRequest,
  resumeSignal,
  statusQuery,
} from '../shared/integrationWorkflow';
import { integrationWorkflowId } from '../shared/workflowIds';
import { integrationWorkflow } from '../workflows';

// The integration workflow's verbs for the CLI: start, status, resync, pause, resume.

export const integrationKey = defineSearchAttributeKey(
  INTEGRATION_SEARCH_ATTRIBUTE,
  SearchAttributeType.KEYWORD,
);
export const entityKey = defineSearchAttributeKey(ENTITY_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);

/**
 * Makes sure the Web UI can filter by integration and entity. A server that refuses (no operator
 * permission) is not fatal: the workflow then starts without search attributes.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<boolean> {
  const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const custom = (customAttributes ?? {}) as Record<string, unknown>;
    const missing = [INTEGRATION_SEARCH_ATTRIBUTE, ENTITY_SEARCH_ATTRIBUTE].filter((k) => !(k in custom));
    if (missing.length) {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((k) => [k, KEYWORD])),
      });
    }
    return true;
  } catch {
    return false;
  }
}

/** Starts the integration's long-lived workflow, or finds it running ("already started" is fine). */
export async function startIntegration(
  client: Client,
  connection: Connection,
  env: RuntimeEnv,
  integration: IntegrationConfig,
): Promise<{ workflowId: string; started: boolean; searchAttributes: boolean }> {
  if (!integration.schedule) {
    throw new Error(
      `Integration "${integration.id}" has no schedule: add "schedule": { "cron": [...] } first`,
    );
  }
  const workflowId = integrationWorkflowId(integration.id);
  const searchAttributes = await ensureSearchAttributes(connection, client.options.namespace);
  try {
    await client.workflow.start(integrationWorkflow, {
      taskQueue: env.ML_CONNECTOR_TASK_QUEUE,
      workflowId,
      args: [{ integrationId: integration.id }],
      ...(searchAttributes
        ? {
            typedSearchAttributes: [
              { key: integrationKey, value: integration.id },
              { key: entityKey, value: integration.entity },
            ],
          }
        : {}),
    });
    return { workflowId, started: true, searchAttributes };
  } catch (err) {
    if ((err as Error).name === 'WorkflowExecutionAlreadyStartedError')
      return { workflowId, started: false, searchAttributes };
    throw err;
  }
}

export function integrationStatus(client: Client, integrationId: string): Promise<IntegrationStatus> {
  return client.workflow.getHandle(integrationWorkflowId(integrationId)).query(statusQuery);
}

export function requestResync(
  client: Client,
  integrationId: string,
  request: ResyncRequest,
): Promise<ResyncAck> {
  return client.workflow.getHandle(integrationWorkflowId(integrationId)).executeUpdate(forceResyncUpdate, {
    args: [request],
  });
}

export async function pauseIntegration(client: Client, integrationId: string, pause: boolean): Promise<void> {
  await client.workflow
    .getHandle(integrationWorkflowId(integrationId))
    .signal(pause ? pauseSignal : resumeSignal);
}

/** `[#########-----------] 9/20 windows, 1520 sent`: a line redrawn in place. */
export function progressBar(done: number, total: number, sent: number, width = 30): string {
  const filled = total ? Math.round((done / total) * width) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} windows, ${sent} sent`;
}
