import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  integrationWorkflowId,
  replayWorkflowId,
  resyncWorkflowId,
  retryWorkflowId,
  syncWorkflowId,
} from '../../src/shared/workflowIds';

// Running workflows and past histories carry these IDs: the formats are fixed.

describe('workflow IDs', () => {
  const at = new Date('2026-11-26T15:00:00.123Z');

  it('one per kind, in the formats running workflows already carry', () => {
    assert.equal(integrationWorkflowId('gl-journal-lines'), 'integration-gl-journal-lines');
    assert.equal(syncWorkflowId('gl-journal-lines', at), 'sync-gl-journal-lines-20261126T150000.123Z');
    assert.equal(resyncWorkflowId('gl-journal-lines', at), 'resync-gl-journal-lines-20261126T150000.123Z');
    assert.equal(replayWorkflowId('gl-journal-lines', at), 'replay-gl-journal-lines-20261126T150000.123Z');
  });

  it('a retry is named by its run key, every slash a dash', () => {
    const runId = '01a21917-6020-7c9f-a60d-8e3152ee118e';
    assert.equal(
      retryWorkflowId(`sync-gl-20261126T150000.123Z/${runId}`),
      `retry-sync-gl-20261126T150000.123Z-${runId}`,
    );
    assert.equal(retryWorkflowId(`resync-gl-1/${runId}/w3`), `retry-resync-gl-1-${runId}-w3`);
  });
});
