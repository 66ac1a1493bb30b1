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

// The integration workflow's verbs for the CLI: start (one, or --all), status, resync, pause, resume.

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
  /** Whether the search attributes exist (startIntegrations checks once for all); checked here when absent. */
  searchAttributes?: boolean,
): Promise<{ workflowId: string; started: boolean; searchAttributes: boolean }> {
  if (!integration.schedule) {
    throw new Error(
      `Integration "${integration.id}" has no schedule: add "schedule": { "cron": [...] } first`,
    );
  }
  const workflowId = integrationWorkflowId(integration.id);
  const withAttributes =
    searchAttributes ?? (await ensureSearchAttributes(connection, client.options.namespace));
  try {
    await client.workflow.start(integrationWorkflow, {
      taskQueue: env.ML_CONNECTOR_TASK_QUEUE,
      workflowId,
      args: [{ integrationId: integration.id }],
      ...(withAttributes
        ? {
            typedSearchAttributes: [
              { key: integrationKey, value: integration.id },
              { key: entityKey, value: integration.entity },
            ],
          }
        : {}),
    });
    return { workflowId, started: true, searchAttributes: withAttributes };
  } catch (err) {
    if ((err as Error).name === 'WorkflowExecutionAlreadyStartedError')
      return { workflowId, started: false, searchAttributes: withAttributes };
    throw err;
  }
}

export interface StartAllOutcome {
  /** Started now. */
  started: string[];
  /** Already running. */
  running: string[];
  /** No schedule in the configuration: nothing to start. */
  unscheduled: string[];
  failed: { integrationId: string; error: string }[];
  searchAttributes: boolean;
}

/**
 * `start --all`: every scheduled integration of the configuration, on one connection, with one
 * search-attribute check and `concurrency` starts in flight (a failed one is reported, the rest go on).
 */
export async function startIntegrations(
  client: Client,
  connection: Connection,
  env: RuntimeEnv,
  integrations: IntegrationConfig[],
  concurrency = 8,
): Promise<StartAllOutcome> {
  const scheduled = integrations.filter((i) => i.schedule);
  const searchAttributes = await ensureSearchAttributes(connection, client.options.namespace);
  const results = new Map<string, { started: boolean } | { error: string }>();
  const queue = [...scheduled];
  const lanes = Math.max(1, Math.min(concurrency, queue.length));
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const integration = next;
        await startIntegration(client, connection, env, integration, searchAttributes).then(
          (r) => results.set(integration.id, { started: r.started }),
          (err: Error) => results.set(integration.id, { error: err.message }),
        );
      }
    }),
  );
  const outcome: StartAllOutcome = {
    started: [],
    running: [],
    unscheduled: integrations.filter((i) => !i.schedule).map((i) => i.id),
    failed: [],
    searchAttributes,
  };
  for (const { id } of scheduled) {
    const r = results.get(id)!;
    if ('error' in r) outcome.failed.push({ integrationId: id, error: r.error });
    else (r.started ? outcome.started : outcome.running).push(id);
  }
  return outcome;
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
