import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { WAKE_DURING_PLANNING } from '../../src/workflows/integrationWorkflow';
import { LOCAL_QUICK_STEPS, RELEASE_ABANDONED_RUNS } from '../../src/workflows/syncIntegration';
import { bundle, quietRuntime } from './env';

// Recorded workflow histories (test/fixtures/histories) replayed against the current workflow
// bundle: a change to a workflow that running executions could not replay (a step added, removed
// or moved without patched()) fails here, before a deploy breaks them. Offline: no server.
//
// Re-record with `npm run record-histories` (test/workflows/recordHistories.ts: the time-skipping
// test server and the fake activities) when a workflow gains a history worth keeping, never to
// make a failing replay pass. `npm run record-histories -- --pre-patch` also re-records the
// `pre-patch-*` ones from the workflow code before each patch (git revisions named in the script).

const HISTORIES = resolve(__dirname, '../fixtures/histories');
const ALTERED = resolve(__dirname, '../fixtures/alteredWorkflows');

/** Every history this test expects: deleting one fails the test instead of shrinking it. */
const EXPECTED = [
  'integration-workflow',
  'pre-local-steps-replay-file',
  'pre-local-steps-resync-child',
  'pre-local-steps-resync-range',
  'pre-local-steps-sync-child',
  'pre-local-steps-sync-delivered',
  'pre-local-steps-sync-upload-failed',
  'pre-patch-resync-range',
  'pre-patch-sync-delivered',
  'pre-patch-sync-upload-failed',
  'replay-file',
  'resync-child',
  'resync-range',
  'sync-child',
  'sync-delivered',
  'sync-upload-failed',
];

interface JsonEvent {
  eventType: string;
  markerRecordedEventAttributes?: {
    markerName: string;
    details?: Record<string, { payloads?: { data?: string }[] }>;
  };
  workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } };
}

function load(name: string): { events: JsonEvent[] } {
  return JSON.parse(readFileSync(join(HISTORIES, `${name}.json`), 'utf8'));
}

/** The patch IDs a history recorded (core_patch markers). */
function patches(name: string): string[] {
  return load(name)
    .events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
    .flatMap((e) => e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? [])
    .map((p) => (JSON.parse(Buffer.from(p.data ?? '', 'base64').toString()) as { id: string }).id);
}

function workflowType(name: string): string | undefined {
  return load(name).events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
}

async function replay(name: string, workflowBundle: { code: string }): Promise<void> {
  await Worker.runReplayHistory({ workflowBundle }, load(name), name);
}

describe('recorded histories replay against the current workflow code', () => {
  before(async () => {
    quietRuntime();
    await bundle();
  });

  it('has every recorded history, of every workflow type', () => {
    const files = readdirSync(HISTORIES)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
    assert.deepEqual(files, EXPECTED);
    assert.deepEqual([...new Set(files.map(workflowType))].sort(), [
      'integrationWorkflow',
      'replayFile',
      'resyncIntegration',
      'syncIntegration',
    ]);
  });

  it('covers both sides of each patched() branch', () => {
    for (const name of ['sync-delivered', 'sync-upload-failed', 'sync-child']) {
      assert.deepEqual(patches(name), [LOCAL_QUICK_STEPS, RELEASE_ABANDONED_RUNS], name);
      assert.deepEqual(patches(`pre-local-steps-${name}`), [RELEASE_ABANDONED_RUNS], name);
    }
    for (const name of ['resync-range', 'resync-child', 'replay-file']) {
      assert.ok(patches(name).includes(LOCAL_QUICK_STEPS), name);
      assert.ok(!patches(`pre-local-steps-${name}`).includes(LOCAL_QUICK_STEPS), name);
    }
    assert.ok(patches('resync-range').includes(RELEASE_ABANDONED_RUNS));
    assert.ok(patches('pre-local-steps-resync-range').includes(RELEASE_ABANDONED_RUNS));
    for (const name of [
      'pre-patch-sync-delivered',
      'pre-patch-sync-upload-failed',
      'pre-patch-resync-range',
    ]) {
      assert.deepEqual(patches(name), [], `${name}: recorded before the patch`);
    }
    assert.ok(patches('integration-workflow').includes(WAKE_DURING_PLANNING));
  });

  for (const name of EXPECTED) {
    it(`replays ${name}`, async () => {
      await replay(name, await bundle());
    });
  }

  it('fails on a workflow that calls the same activities in another order (DeterminismViolationError)', async () => {
    const reordered = await bundle(join(ALTERED, 'reordered.ts'));
    for (const name of ['sync-delivered', 'pre-patch-sync-delivered']) {
      await assert.rejects(replay(name, reordered), DeterminismViolationError, name);
    }
  });

  it('fails on a pre-patch history when the patched() guard is dropped (DeterminismViolationError)', async () => {
    const unguarded = await bundle(join(ALTERED, 'unguarded.ts'));
    await assert.rejects(replay('pre-patch-sync-delivered', unguarded), DeterminismViolationError);
  });
});
