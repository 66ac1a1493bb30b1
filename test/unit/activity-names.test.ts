import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACTIVITY_GROUPS, type ActivityDeps, createActivities } from '../../src/activities';
import type { Ledger } from '../../src/ledger';

// Workflows call activities by name and recorded histories hold those names: splitting the
// activities into groups must neither rename, lose nor shadow one.

const deps: ActivityDeps = {
  ledger: {} as Ledger, // building the activities touches no dependency
  integration: (id) => {
    throw new Error(`no integration ${id} in this test`);
  },
  alertSinks: [],
  workflowRunIsOpen: async () => false,
};

describe('activity names', () => {
  it('are exactly the names recorded histories call', () => {
    assert.deepEqual(Object.keys(createActivities(deps)).sort(), [
      'checkKeyHygiene',
      'collectAcknowledgements',
      'commitRun',
      'currentWatermark',
      'filesCommittedSince',
      'findResumableRun',
      'integrationSettings',
      'pendingDestinationDeliveries',
      'planNextTimes',
      'recordRunFailure',
      'refreshFusionToken',
      'releaseAbandonedRun',
      'renderFile',
      'replayFile',
      'sendAlert',
      'stageChanges',
      'stageResend',
      'uploadFile',
      'uploadToDestination',
    ]);
  });

  it('each belongs to one group only, so no group shadows another', () => {
    const owners = new Map<string, string[]>();
    for (const [group, create] of Object.entries(ACTIVITY_GROUPS)) {
      for (const name of Object.keys(create(deps))) owners.set(name, [...(owners.get(name) ?? []), group]);
    }
    const shared = [...owners].filter(([, groups]) => groups.length > 1);
    assert.deepEqual(shared, []);
    assert.deepEqual([...owners.keys()].sort(), Object.keys(createActivities(deps)).sort());
  });
});
