import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRunKey, parseRunKey } from '../../src/shared/runKey';

describe('run keys: the workflow run behind a ledger run', () => {
  // Temporal's run IDs are UUIDs (this server's are version 7).
  const runId = '01a21917-6020-7c9f-a60d-8e3152ee118e';

  it('builds the formats the ledger already holds', () => {
    assert.equal(buildRunKey('sync-gl-20261126T182132.057Z', runId), `sync-gl-20261126T182132.057Z/${runId}`);
    assert.equal(buildRunKey('resync-gl-1', runId, 0), `resync-gl-1/${runId}/w0`);
    assert.equal(buildRunKey('resync-gl-1', runId, 12), `resync-gl-1/${runId}/w12`);
  });

  it('reads sync run keys and resend window keys', () => {
    assert.deepEqual(parseRunKey(`sync-gl-20261126T182132.057Z/${runId}`), {
      workflowId: 'sync-gl-20261126T182132.057Z',
      runId,
    });
    assert.deepEqual(parseRunKey(`resync-gl-1/${runId}/w3`), { workflowId: 'resync-gl-1', runId, window: 3 });
  });

  it('keeps slashes inside a workflow ID', () => {
    assert.deepEqual(parseRunKey(`team/a/sync/${runId}`), { workflowId: 'team/a/sync', runId });
  });

  it('round-trips any workflow ID Temporal accepts: slashes, line breaks, look-alike run keys', () => {
    const otherRun = '7f3c2a10-0b1e-4c5d-9e8f-0123456789ab';
    const workflowIds = [
      'sync-gl-journal-lines-20261126T150000.123Z',
      'integration-gl',
      'a/b/c',
      '/leading-and-trailing/',
      'line\nbreak\r\nand\u2028separator',
      'ünïcødé ✓',
      `x/${otherRun}`, // looks like a run key itself
      `x/${otherRun}/w7`, // looks like a window key itself
      'ends-with/w5',
    ];
    for (const workflowId of workflowIds) {
      for (const window of [undefined, 0, 3, 999]) {
        const key = buildRunKey(workflowId, runId, window);
        const expected = window === undefined ? { workflowId, runId } : { workflowId, runId, window };
        assert.deepEqual(parseRunKey(key), expected, JSON.stringify(key));
      }
    }
  });

  it('is null for a key that names no workflow run (nothing is released on a guess)', () => {
    assert.equal(parseRunKey('manual-run-7'), null);
    assert.equal(parseRunKey(`${runId}`), null);
    assert.equal(parseRunKey(`/${runId}`), null, 'no workflow ID');
    assert.equal(parseRunKey('sync-gl/not-a-run-id'), null);
    assert.equal(parseRunKey(`sync-gl/${runId}/wx`), null, 'a window is a number');
    assert.equal(parseRunKey(`sync-gl/${runId}/`), null);
    assert.equal(parseRunKey(`sync-gl/${runId}x`), null);
  });
});
