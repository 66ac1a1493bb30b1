import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { migrations } from '../../src/ledger/migrations';
import {
  canMoveRun,
  FAILED_BEFORE_OPEN,
  INITIAL_RUN_STATUS,
  isTerminalRunStatus,
  OPEN_RUN_STATUSES,
  RUN_STATUSES,
  RUN_TRANSITIONS,
  type RunStatus,
  RunTransitionError,
  runStatusesInto,
  TERMINAL_RUN_STATUSES,
} from '../../src/ledger/runStates';

// The run state machine as a table: exactly these moves, nothing else, and the final statuses final.

const ALLOWED: [RunStatus, RunStatus][] = [
  ['staging', 'staged'],
  ['staging', 'failed'],
  ['staged', 'rendered'],
  ['staged', 'committed'], // no file: every record rejected, or none staged
  ['staged', 'failed'],
  ['rendered', 'uploaded'],
  ['uploaded', 'committed'],
];

const key = (from: RunStatus, to: RunStatus) => `${from}→${to}`;

describe('run state machine', () => {
  it('covers exactly the statuses the database allows (sync_run_status_check)', () => {
    const checks = migrations.flatMap((m) => [
      ...m.sql.matchAll(/sync_run_status_check\s+CHECK \(status IN \(([^)]*)\)\)/g),
    ]);
    const latest = checks.at(-1)?.[1];
    assert.ok(latest, 'a migration defines sync_run_status_check');
    const inDatabase = latest.split(',').map((s) => s.trim().replace(/'/g, ''));
    assert.deepEqual([...inDatabase].sort(), [...RUN_STATUSES].sort());
    assert.deepEqual(Object.keys(RUN_TRANSITIONS).sort(), [...RUN_STATUSES].sort());
  });

  it('accepts every allowed transition', () => {
    for (const [from, to] of ALLOWED) assert.ok(canMoveRun(from, to), key(from, to));
  });

  it('refuses every other transition, staying put included', () => {
    const allowed = new Set(ALLOWED.map(([from, to]) => key(from, to)));
    let refused = 0;
    for (const from of RUN_STATUSES) {
      for (const to of RUN_STATUSES) {
        if (allowed.has(key(from, to))) continue;
        assert.equal(canMoveRun(from, to), false, key(from, to));
        refused++;
      }
    }
    assert.equal(refused, RUN_STATUSES.length ** 2 - ALLOWED.length);
  });

  it('committed and failed are terminal; every other status may still move', () => {
    for (const status of ['committed', 'failed'] as const) {
      assert.ok(isTerminalRunStatus(status), status);
      assert.deepEqual(RUN_TRANSITIONS[status], [], status);
      for (const to of RUN_STATUSES) assert.equal(canMoveRun(status, to), false, key(status, to));
    }
    assert.deepEqual([...TERMINAL_RUN_STATUSES].sort(), ['committed', 'failed']);
    assert.deepEqual([...OPEN_RUN_STATUSES].sort(), ['rendered', 'staged', 'staging', 'uploaded']);
    for (const status of OPEN_RUN_STATUSES) assert.equal(isTerminalRunStatus(status), false, status);
  });

  it('a rendered file is never failed-closed: rendered and uploaded only move forward', () => {
    assert.equal(canMoveRun('rendered', 'failed'), false);
    assert.equal(canMoveRun('uploaded', 'failed'), false);
  });

  it('gives the source statuses of each target, as the guarded UPDATEs use them', () => {
    assert.deepEqual(runStatusesInto('staged'), ['staging']);
    assert.deepEqual(runStatusesInto('rendered'), ['staged']);
    assert.deepEqual(runStatusesInto('uploaded'), ['rendered']);
    assert.deepEqual(runStatusesInto('committed'), ['staged', 'uploaded']);
    assert.deepEqual(runStatusesInto('failed'), ['staging', 'staged']);
    assert.deepEqual(runStatusesInto('staging'), []);
  });

  it('names the run, where it is and where it may go when a move is refused', () => {
    const err = new RunTransitionError('gl/1', 'failed', 'staged');
    assert.equal(err.name, 'RunTransitionError');
    assert.match(err.message, /Run gl\/1 is failed; it cannot move to staged/);
    assert.match(err.message, /it is final/);
    assert.match(
      new RunTransitionError('gl/2', 'staging', 'uploaded').message,
      /may move to staged or failed/,
    );
    assert.match(new RunTransitionError('gl/3', null, 'staged').message, /Run gl\/3 does not exist/);
  });

  it('a run that failed before it opened is recorded by a move the table allows, into a final status', () => {
    assert.ok(canMoveRun(INITIAL_RUN_STATUS, FAILED_BEFORE_OPEN));
    assert.ok(isTerminalRunStatus(FAILED_BEFORE_OPEN), 'it never blocks the next run');
  });
});
