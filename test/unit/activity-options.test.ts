import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { msToNumber } from '@temporalio/common/lib/time';
import { DEFAULT_FUSION_LIMITS } from '../../src/fusion/client';
import { RETRY_AFTER_CEILING_SECONDS } from '../../src/shared/retryAfter';
import { alertOptions, longOptions, quickOptions, uploadOptions } from '../../src/workflows/activityOptions';

// Every activity preset ends within a schedule-to-close bound, so no answer (a Retry-After
// handed to Temporal, an outage retried for ever) holds the integration's open run longer.

const presets = {
  quick: quickOptions(),
  alert: alertOptions(),
  long: longOptions('1m'),
  upload: uploadOptions('1m', 1800),
};

describe('activity presets', () => {
  for (const [name, options] of Object.entries(presets)) {
    it(`${name}: has a schedule-to-close bound of at most 6 hours`, () => {
      assert.ok(options.scheduleToCloseTimeout !== undefined, `${name} has no scheduleToCloseTimeout`);
      const bound = msToNumber(options.scheduleToCloseTimeout);
      assert.ok(bound <= 6 * 3600_000, `${name}: ${bound} ms`);
      // One attempt must fit, or the bound would end every call (the upload's bound is the
      // integration's retry window, chosen by the operator).
      if (name !== 'upload') assert.ok(bound >= msToNumber(options.startToCloseTimeout!), name);
    });
  }

  it('quick and alert calls survive one default-clamped Retry-After and an attempt after it', () => {
    for (const options of [presets.quick, presets.alert]) {
      const wait = DEFAULT_FUSION_LIMITS.maxRetryAfterSeconds * 1000;
      assert.ok(
        msToNumber(options.scheduleToCloseTimeout!) >= wait + 2 * msToNumber(options.startToCloseTimeout!),
      );
    }
  });

  it('the long bound outlasts the longest Retry-After any configuration allows', () => {
    assert.ok(msToNumber(presets.long.scheduleToCloseTimeout!) > RETRY_AFTER_CEILING_SECONDS * 1000 * 2);
  });

  it('the upload bound is the integration retry window', () => {
    assert.equal(presets.upload.scheduleToCloseTimeout, '1800s');
  });
});
