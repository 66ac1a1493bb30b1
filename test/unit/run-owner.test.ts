import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runOwner } from '../../src/activities';

describe('runOwner: the workflow run behind a ledger run key', () => {
  const runId = '01a21917-6020-7c9f-a60d-8e3152ee118e';

  it('reads sync run keys and resend window keys', () => {
    assert.deepEqual(runOwner(`sync-gl-20261126T182132.057Z/${runId}`), {
      workflowId: 'sync-gl-20261126T182132.057Z',
      runId,
    });
    assert.deepEqual(runOwner(`resync-gl-1/${runId}/w3`), { workflowId: 'resync-gl-1', runId });
  });

  it('keeps slashes inside a workflow ID', () => {
    assert.deepEqual(runOwner(`team/a/sync/${runId}`), { workflowId: 'team/a/sync', runId });
  });

  it('is null for a key that names no workflow run (nothing is released on a guess)', () => {
    assert.equal(runOwner('manual-run-7'), null);
    assert.equal(runOwner(`${runId}`), null);
  });
});
