import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  ServiceError,
  TimeoutFailure,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { RetryState } from '@temporalio/common';
import { aboutWorkflow, CliError, describeError, WorkflowCommandError } from '../../src/client/failure';
import { ConfigError } from '../../src/config';

// What the CLI prints for a failed command: the message at the bottom of Temporal's failure
// chain (which names the record, field, URL or path), where it happened, never the wrappers'
// "Workflow execution failed" / "Activity task failed", never a failure's details.

const activity = (type: string, cause: Error) =>
  new ActivityFailure(
    'Activity task failed',
    type,
    '5',
    RetryState.NON_RETRYABLE_FAILURE,
    'worker@host',
    cause,
  );

describe('CLI failure messages', () => {
  it('an activity failure: its message, the workflow, the activity and the failure type', () => {
    const cause = ApplicationFailure.create({
      message: 'SFTP upload to /inbound/gl_1.csv failed: permission denied',
      type: 'SftpPermission',
      nonRetryable: true,
      details: [{ password: 'hunter2-s3cret' }],
    });
    const err = new WorkflowCommandError(
      'sync-gl-20261202T101010.000Z',
      new WorkflowFailedError(
        'Workflow execution failed',
        activity('uploadFile', cause),
        RetryState.NON_RETRYABLE_FAILURE,
      ),
    );
    const printed = describeError(err);
    assert.equal(
      printed,
      'error: SFTP upload to /inbound/gl_1.csv failed: permission denied\n' +
        '  (workflow sync-gl-20261202T101010.000Z, activity uploadFile, failure type SftpPermission)',
    );
    assert.ok(!printed.includes('hunter2'), 'details stay out');
  });

  it('distinct messages further down as "caused by", a repeated one once', () => {
    const root = new Error('connect ECONNREFUSED 127.0.0.1:2222');
    const sftp = ApplicationFailure.create({
      message: 'SFTP server 127.0.0.1:2222 refused',
      type: 'SftpUnavailable',
      cause: root,
    });
    const again = ApplicationFailure.create({
      message: 'SFTP server 127.0.0.1:2222 refused',
      type: 'SftpUnavailable',
      cause: sftp,
    });
    const child = new ChildWorkflowFailure(
      'default',
      { workflowId: 'resync-gl-1', runId: 'r1' },
      'resyncIntegration',
      RetryState.NON_RETRYABLE_FAILURE,
      activity('uploadFile', again),
    );
    assert.equal(
      describeError(
        new WorkflowCommandError(
          'integration-gl',
          new WorkflowFailedError('Workflow execution failed', child, RetryState.NON_RETRYABLE_FAILURE),
        ),
      ),
      'error: SFTP server 127.0.0.1:2222 refused\n' +
        '  caused by: connect ECONNREFUSED 127.0.0.1:2222\n' +
        '  (workflow integration-gl, child workflow resync-gl-1, activity uploadFile, failure type SftpUnavailable)',
    );
  });

  it('a workflow that failed by itself, an update rejected, a timeout, a gRPC error', () => {
    assert.equal(
      describeError(
        new WorkflowCommandError(
          'retry-run-1',
          new WorkflowFailedError(
            'Workflow execution failed',
            ApplicationFailure.nonRetryable('Run run-1 has no failed delivery to retry', 'NothingToRetry'),
            RetryState.NON_RETRYABLE_FAILURE,
          ),
        ),
      ),
      'error: Run run-1 has no failed delivery to retry\n  (workflow retry-run-1, failure type NothingToRetry)',
    );
    assert.equal(
      describeError(
        new WorkflowUpdateFailedError(
          'Workflow Update failed',
          ApplicationFailure.create({
            message: 'resync: --since 2026-13-01 is not a date',
            type: 'BadResync',
          }),
        ),
      ),
      'error: resync: --since 2026-13-01 is not a date\n  (failure type BadResync)',
    );
    assert.equal(
      describeError(
        new WorkflowFailedError(
          'Workflow execution failed',
          activity('stageChanges', new TimeoutFailure('Activity task timed out', undefined, 'HEARTBEAT')),
          RetryState.TIMEOUT,
        ),
      ),
      'error: Activity task timed out (heartbeat)\n  (activity stageChanges)',
    );
    const grpc = Object.assign(new Error('7 PERMISSION_DENIED: Request unauthorized.'), { code: 7 });
    assert.equal(
      describeError(new ServiceError('Failed to start Workflow', { cause: grpc })),
      'error: Failed to start Workflow\n  caused by: 7 PERMISSION_DENIED: Request unauthorized.',
    );
  });

  it('our own errors: a configuration problem as it is, a CLI error with its hints', async () => {
    assert.equal(
      describeError(new ConfigError('Environment is not valid:', ['X: bad'])),
      'Environment is not valid:\n  - X: bad',
    );
    assert.equal(describeError(new CliError('No worker', ['Start one.'])), 'error: No worker\n  Start one.');
    // Passed through aboutWorkflow unwrapped.
    await assert.rejects(
      aboutWorkflow('w', Promise.reject(new CliError('No worker'))),
      (e) => e instanceof CliError,
    );
    await assert.rejects(
      aboutWorkflow('w', Promise.reject(new Error('x'))),
      (e) => e instanceof WorkflowCommandError,
    );
  });
});
