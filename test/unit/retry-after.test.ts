import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRetryAfter, RETRY_AFTER_CEILING_SECONDS } from '../../src/shared/retryAfter';

// The one Retry-After parser: seconds or an HTTP date, bounded, anything else ignored.

const NOW = Date.parse('2026-12-02T10:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delta-seconds, and the first of repeated headers', () => {
    assert.equal(parseRetryAfter('7', 900, NOW), 7);
    assert.equal(parseRetryAfter(' 0 ', 900, NOW), 0);
    assert.equal(parseRetryAfter(['3', '60'], 900, NOW), 3);
  });

  it('clamps a huge value to the bound: 99999999 seconds is not three years', () => {
    assert.equal(parseRetryAfter('99999999', 900, NOW), 900);
    assert.equal(parseRetryAfter('9'.repeat(400), 900, NOW), 900); // Number() gives Infinity
    assert.equal(parseRetryAfter('901', 900, NOW), 900);
    assert.equal(parseRetryAfter('900', 900, NOW), 900);
  });

  it('reads an HTTP date relative to now; a past date means now; far ahead is clamped', () => {
    assert.equal(parseRetryAfter('Wed, 02 Dec 2026 10:01:30 GMT', 900, NOW), 90);
    assert.equal(parseRetryAfter('Wed, 02 Dec 2026 09:00:00 GMT', 900, NOW), 0);
    assert.equal(parseRetryAfter('Fri, 31 Dec 2094 23:59:59 GMT', 900, NOW), 900);
  });

  it('ignores what is neither', () => {
    for (const text of [undefined, '', '  ', '-1', '1.5', 'soon', 'Xyz, 99 Foo 2026']) {
      assert.equal(parseRetryAfter(text, 900, NOW), undefined, String(text));
    }
    assert.equal(parseRetryAfter([], 900, NOW), undefined);
  });

  it('the configurable bound has a ceiling of one hour', () => {
    assert.equal(RETRY_AFTER_CEILING_SECONDS, 3600);
  });
});
