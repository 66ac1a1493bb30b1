import type { WorkflowHandle } from '@temporalio/client';
import type { SyncResult } from '../../src/shared';
import { syncWorkflowId } from '../../src/shared/workflowIds';
import { syncIntegration } from '../../src/workflows';
import type { TestStack } from './stack';

// One sync of one integration on the stack's task queue, as the schedule starts it: the helper
// the integration and fault tests share.

export interface SyncOptions {
  /** The workflow id; by default the schedule's `sync-<integration>-<time>` (syncWorkflowId). */
  workflowId?: string;
  /** The activities' heartbeat timeout (a fault test shortens it so a dead worker is noticed). */
  heartbeatTimeout?: string;
}

/** Starts the sync and returns its handle (for a test that acts while it runs). */
export function startSync(
  stack: TestStack,
  integrationId = 'gl-journal-lines',
  options: SyncOptions = {},
): Promise<WorkflowHandle<typeof syncIntegration>> {
  return stack.client.workflow.start(syncIntegration, {
    taskQueue: stack.taskQueue,
    workflowId: options.workflowId ?? syncWorkflowId(integrationId, new Date()),
    args: [
      options.heartbeatTimeout
        ? { integrationId, heartbeatTimeout: options.heartbeatTimeout }
        : { integrationId },
    ],
  });
}

/** Runs the sync to its result. */
export async function sync(
  stack: TestStack,
  integrationId = 'gl-journal-lines',
  options: SyncOptions = {},
): Promise<SyncResult> {
  return (await startSync(stack, integrationId, options)).result();
}
