import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApplicationFailure } from '@temporalio/common';
import { toApplicationFailure } from '../../src/activities/failures';
import { FusionError } from '../../src/fusion';
import { safeDetail } from '../../src/fusion/errors';

// How a FusionError reaches Temporal: an exceeded limit is not retried, and no Retry-After asks
// for more than the ceiling even if a value slipped past the parser's bound.

describe('FusionError to ApplicationFailure', () => {
  it('a permanent error (a limit, a foreign link) is not retried by Temporal, whatever its kind', () => {
    const f = toApplicationFailure(
      new FusionError('bad-response', 'too large', undefined, undefined, { permanent: true }),
    ) as ApplicationFailure;
    assert.equal(f.type, 'FusionBadResponse');
    assert.equal(f.nonRetryable, true);
    const transient = toApplicationFailure(new FusionError('bad-response', 'not JSON')) as ApplicationFailure;
    assert.equal(transient.nonRetryable, false);
    const permanentThrottle = new FusionError('throttled', 'x', 429, 5, { permanent: true });
    assert.equal(permanentThrottle.retryable, false);
  });

  it('nextRetryDelay never exceeds the one-hour ceiling', () => {
    const f = toApplicationFailure(new FusionError('throttled', 'x', 429, 99_999_999)) as ApplicationFailure;
    assert.equal(f.nextRetryDelay, '3600s');
    const g = toApplicationFailure(new FusionError('throttled', 'x', 429, 42)) as ApplicationFailure;
    assert.equal(g.nextRetryDelay, '42s');
  });
});

describe('safeDetail', () => {
  it('blanks secrets, collapses control characters and white space, cuts at 300 characters', () => {
    assert.equal(safeDetail('token abc123 and\n\t\u0000abc123', ['abc123', '']), 'token *** and ***');
    const cut = safeDetail('x'.repeat(1000));
    assert.equal(cut.length, 301);
    assert.ok(cut.endsWith('…'));
  });
});
