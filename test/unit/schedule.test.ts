import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextFire, planAfter } from '../../src/schedule';

describe('schedule', () => {
  it('takes the earliest of several cron expressions, in the integration time zone', () => {
    // Friday 2026-11-27 17:50 in Berlin (16:50Z): every 15 min on business days → 18:00 Berlin.
    const after = new Date('2026-11-27T16:50:00Z');
    assert.equal(
      nextFire(['*/15 * * * 1-5', '0 * 1-3 * *'], 'Europe/Berlin', after)?.toISOString(),
      '2026-11-27T17:00:00.000Z',
    );
    // Saturday: nothing fires at the weekend; the next is Monday 30 November 00:00 Berlin.
    const saturday = new Date('2026-11-28T10:00:00Z');
    assert.equal(
      nextFire(['*/15 * * * 1-5', '0 * 1-3 * *'], 'Europe/Berlin', saturday)?.toISOString(),
      '2026-11-29T23:00:00.000Z',
    );
    // Sunday 1 November is in the close period (days 1-3): hourly even at the weekend.
    const closeSunday = new Date('2026-11-01T10:20:00Z');
    assert.equal(
      nextFire(['*/15 * * * 1-5', '0 * 1-3 * *'], 'Europe/Berlin', closeSunday)?.toISOString(),
      '2026-11-01T11:00:00.000Z',
    );
  });

  it('plans the next deadline and the window it checks (since the previous cut-off)', () => {
    const plan = planAfter(
      {
        cron: ['0 * * * *'],
        timezone: 'America/New_York',
        deadlines: [{ cutoff: '0 18 * * 1-5', label: 'daily GL' }],
      },
      new Date('2026-11-26T20:00:00Z'), // Thursday 15:00 New York
    );
    assert.deepEqual(plan.deadline, {
      at: '2026-11-26T23:00:00.000Z', // 18:00 New York
      since: '2026-11-25T23:00:00.000Z', // the previous business day's cut-off
      label: 'daily GL',
    });
    assert.equal(plan.runAt, '2026-11-26T21:00:00.000Z');
  });
});
