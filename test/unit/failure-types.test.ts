import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { toApplicationFailure } from '../../src/activities/failures';
import { ConfigError } from '../../src/config';
import { FusionError, type FusionErrorKind } from '../../src/fusion';
import { RunInProgressError } from '../../src/ledger';
import { SftpError, type SftpErrorKind } from '../../src/sftp';
import { type ErrorKind, FAILURE_TYPES, NON_RETRYABLE_TYPES } from '../../src/shared/failures';
import { alertOptions, longOptions, quickOptions, uploadOptions } from '../../src/workflows/activityOptions';

// One table says how every known failure is named and whether Temporal retries it; the
// activities and the workflows' retry policies must both follow it.

const kinds = Object.keys(FAILURE_TYPES) as ErrorKind[];

/** An error of each kind, as the code that raises it builds it. */
function errorOf(kind: ErrorKind): Error {
  if (kind === 'config') return new ConfigError('bad config', ['a problem']);
  if (kind === 'run-in-progress') return new RunInProgressError('gl', 'sync-gl/run');
  const [source, detail] = kind.split(':') as ['fusion' | 'sftp', string];
  return source === 'fusion'
    ? new FusionError(detail as FusionErrorKind, `fusion ${detail}`)
    : new SftpError(detail as SftpErrorKind, `sftp ${detail}`);
}

describe('failure types', () => {
  it('keeps the type strings alerts and tests match on', () => {
    assert.deepEqual(Object.fromEntries(kinds.map((k) => [k, FAILURE_TYPES[k].type])), {
      config: 'ConfigError',
      'run-in-progress': 'RunInProgressError',
      'fusion:auth': 'FusionAuth',
      'fusion:forbidden': 'FusionForbidden',
      'fusion:bad-request': 'FusionBadRequest',
      'fusion:not-found': 'FusionNotFound',
      'fusion:foreign-origin': 'FusionForeignOrigin',
      'fusion:throttled': 'FusionThrottled',
      'fusion:unavailable': 'FusionUnavailable',
      'fusion:server-error': 'FusionServerError',
      'fusion:bad-response': 'FusionBadResponse',
      'sftp:auth': 'SftpAuth',
      'sftp:host-key': 'SftpHostKey',
      'sftp:permission': 'SftpPermission',
      'sftp:no-such-path': 'SftpNoSuchPath',
      'sftp:conflict': 'SftpConflict',
      'sftp:unavailable': 'SftpUnavailable',
      'sftp:verify-failed': 'SftpVerifyFailed',
    });
    assert.equal(new Set(kinds.map((k) => FAILURE_TYPES[k].type)).size, kinds.length, 'types are distinct');
  });

  it('every activity failure takes its type and retry rule from the table', () => {
    for (const kind of kinds) {
      const f = toApplicationFailure(errorOf(kind));
      assert.ok(f instanceof ApplicationFailure, kind);
      assert.equal(f.type, FAILURE_TYPES[kind].type, kind);
      assert.equal(f.nonRetryable, !FAILURE_TYPES[kind].retryable, kind);
    }
  });

  it('a permanent FusionError is not retried whatever its kind', () => {
    for (const kind of kinds.filter((k) => k.startsWith('fusion:'))) {
      const detail = kind.slice('fusion:'.length) as FusionErrorKind;
      const f = toApplicationFailure(new FusionError(detail, 'x', undefined, undefined, { permanent: true }));
      assert.equal((f as ApplicationFailure).nonRetryable, true, kind);
    }
  });

  it('SftpError.retryable is the table rule', () => {
    for (const kind of kinds.filter((k) => k.startsWith('sftp:'))) {
      const error = errorOf(kind) as SftpError;
      assert.equal(error.retryable, FAILURE_TYPES[kind].retryable, kind);
    }
  });

  it('FusionError.retryable (the call retrying itself) only for kinds the table lets Temporal retry', () => {
    const inCall = kinds.filter((k) => k.startsWith('fusion:') && (errorOf(k) as FusionError).retryable);
    assert.deepEqual(inCall.sort(), ['fusion:throttled', 'fusion:unavailable']);
    for (const kind of inCall) assert.equal(FAILURE_TYPES[kind].retryable, true, kind);
  });

  it("every retry policy's non-retryable types are exactly the table's non-retryable types", () => {
    const expected = kinds
      .filter((k) => !FAILURE_TYPES[k].retryable)
      .map((k) => FAILURE_TYPES[k].type)
      .sort();
    assert.ok(expected.includes('SftpHostKey') && expected.includes('FusionAuth'));
    assert.deepEqual([...NON_RETRYABLE_TYPES].sort(), expected);
    const presets = {
      quick: quickOptions(),
      alert: alertOptions(),
      long: longOptions('1m'),
      upload: uploadOptions('1m', 1800),
    };
    for (const [name, options] of Object.entries(presets)) {
      assert.deepEqual([...(options.retry?.nonRetryableErrorTypes ?? [])].sort(), expected, name);
    }
  });
});
