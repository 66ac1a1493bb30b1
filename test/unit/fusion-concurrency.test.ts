import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdaptiveConcurrency } from '../../src/fusion/concurrency';

// The adaptive limit alone, on a clock of its own: what each answer does to it.

/** Takes every free place (resolved at once), so the limit is in use. */
async function fill(c: AdaptiveConcurrency) {
  const permits = [];
  while (c.active < c.limit) permits.push(await c.acquire());
  return permits;
}

describe('adaptive request concurrency', () => {
  it('widens on clean answers while the limit is in use, up to its bound and never past it', async () => {
    const c = new AdaptiveConcurrency(5);
    assert.equal(c.limit, 1);
    const seen: number[] = [];
    for (let round = 0; round < 8; round++) {
      const permits = await fill(c);
      seen.push(c.active);
      for (const p of permits) c.release(p, { kind: 'clean' });
    }
    assert.deepEqual(seen, [1, 2, 4, 5, 5, 5, 5, 5]);
    assert.ok(c.history.every((s) => s.limit <= 5 && s.inFlight <= 5));
  });

  it('does not widen on answers the limit was not used for', async () => {
    const c = new AdaptiveConcurrency(8, 4);
    for (let i = 0; i < 20; i++) c.release(await c.acquire(), { kind: 'clean' });
    assert.equal(c.limit, 4);
  });

  it('cuts to 0.7 on a 503 once per round, then widens by one per round, slower past the cut', async () => {
    const c = new AdaptiveConcurrency(16, 10);
    const permits = await fill(c);
    // Ten answers to requests sent before the cut: one cut, not ten.
    for (const p of permits) c.release(p, { kind: 'unavailable' });
    assert.equal(c.limit, 7);
    const again = await fill(c);
    c.release(again[0]!, { kind: 'unavailable' });
    assert.equal(c.limit, 4, 'a request sent after the cut cuts again (7 × 0.7 = 4.9)');
    for (const p of again.slice(1)) c.release(p, { kind: 'other' });
    assert.equal(c.limit, 4, 'an error that is not throttling leaves the limit');
    // Congestion seen: a round of `limit` clean answers adds one, up to one below the last cut.
    const rounds = async (n: number) => {
      for (let round = 0; round < n; round++) for (const p of await fill(c)) c.release(p, { kind: 'clean' });
    };
    await rounds(2);
    assert.equal(c.limit, 6);
    // Past it (the last cut was at 7): a quarter of one a round.
    await rounds(4);
    assert.equal(c.limit, 7);
    assert.ok(c.history.some((s) => s.event === 'narrow'));
  });

  it('on a 429 paces requests at 0.9 of the rate they went out at, once per round, and leaves the window', async () => {
    let t = 600_000; // ten minutes into the worker's life: the rate is taken from the sends, not the start
    const c = new AdaptiveConcurrency(8, 8, () => t);
    t += 600_000;
    const permits = await fill(c); // 8 at once
    assert.equal(c.pace, Number.POSITIVE_INFINITY, 'no pace before a 429');
    t += 500; // 8 requests went out in the last half second: 16 a second
    c.release(permits[0]!, { kind: 'throttled' });
    assert.equal(c.pace, 14.4);
    for (const p of permits.slice(1)) c.release(p, { kind: 'throttled' });
    assert.equal(c.pace, 14.4, 'answers to requests sent before the cut do not cut again');
    assert.equal(c.limit, 8, 'the window is left as it was');
    // It rises by 2 % a second without a 429, and is forgotten once doubled (35 s).
    t += 10_000;
    assert.ok(Math.abs(c.pace - 14.4 * 1.02 ** 10) < 1e-9, `pace ${c.pace} after 10 s`);
    t += 26_000;
    assert.equal(c.pace, Number.POSITIVE_INFINITY, 'forgotten once doubled (1.02 ** 36 > 2)');
  });

  it('spaces requests at the pace', async () => {
    const c = new AdaptiveConcurrency(8, 8);
    const permits = await fill(c);
    await sleep(100); // 8 requests in 0.1 s, counted over 0.25 s at least: 32 a second, 0.9 of it 28.8
    c.release(permits[0]!, { kind: 'throttled' });
    for (const p of permits.slice(1)) c.release(p, { kind: 'clean' });
    const pace = c.pace; // less on a slow machine (the sends spread over more than 0.25 s)
    assert.ok(pace > 1 && pace < 29.5, `pace ${pace}`);
    // Eleven requests one after another take ten gaps of 1/pace at least (it rises 2 % a second).
    const started = performance.now();
    for (let i = 0; i < 11; i++) c.release(await c.acquire(), { kind: 'clean' });
    const took = performance.now() - started;
    assert.ok(
      took >= (10 * 1000) / pace / 1.05,
      `11 requests in ${took.toFixed(0)} ms at ${pace.toFixed(1)} a second`,
    );
  });

  it('a 429 to fewer than 4 requests in 2 s sets no pace', async () => {
    let t = 0;
    const c = new AdaptiveConcurrency(8, 8, () => t);
    const [a, b, d] = [await c.acquire(), await c.acquire(), await c.acquire()];
    t = 1000;
    c.release(a, { kind: 'throttled' });
    assert.equal(c.pace, Number.POSITIVE_INFINITY);
    c.release(b, { kind: 'clean' });
    c.release(d, { kind: 'clean' });
  });

  it('a 503 and a 429 in the same round each take their own cut', async () => {
    let t = 0;
    const c = new AdaptiveConcurrency(8, 8, () => t);
    const permits = await fill(c);
    t = 1000;
    c.release(permits[0]!, { kind: 'unavailable' });
    c.release(permits[1]!, { kind: 'throttled' });
    assert.equal(c.limit, 5, 'the 503 cut the window (8 × 0.7)');
    assert.equal(c.pace, 7.2, 'the 429 set a pace (8 a second × 0.9)');
    for (const p of permits.slice(2)) c.release(p, { kind: 'clean' });
  });

  it('a later 429 paces no faster than the pod answered cleanly since the last cut', {
    timeout: 10_000,
  }, async () => {
    let t = 0;
    const c = new AdaptiveConcurrency(16, 16, () => t);
    const first = await fill(c);
    t = 1000;
    for (const p of first) c.release(p, { kind: 'throttled' }); // 16 a second went out: pace 14.4
    // Eight more go out over the next 1.2 s (slower than the pace, so none waits: the clock only
    // moves here); the pod answers four of them cleanly, then says 429 to a fifth, 2 s after the cut.
    const out = [];
    for (let i = 0; i < 8; i++) {
      t += 150;
      out.push(await c.acquire());
    }
    for (const p of out.slice(0, 4)) c.release(p, { kind: 'clean' });
    t = 3000;
    c.release(out[4]!, { kind: 'throttled', retryAfterSeconds: 1 });
    // Sent at 8 in the 1.85 s since the oldest of them (0.9 of it: 3.9 a second), but let through
    // at 2 a second: the pace is 2.
    assert.equal(c.pace, 2);
    assert.ok(c.history.some((s) => s.event === 'pace' && s.pace === 2));
    // After its Retry-After, four more go out at that pace and the pod lets none through: the next
    // 429 sets half of 0.9 × the rate they went out at (no more than the pace), not nothing.
    const late = [];
    for (let i = 0; i < 4; i++) {
      t = 4100 + i * 500;
      late.push(await c.acquire());
    }
    const before = c.pace; // 2, risen for 2.6 s
    c.release(late[0]!, { kind: 'throttled' });
    assert.ok(Math.abs(c.pace - (0.9 * Math.min(before, 4 / 1.5)) / 2) < 1e-9, `pace ${c.pace}`);
  });

  it('never goes below one request at a time', async () => {
    const c = new AdaptiveConcurrency(4, 1);
    for (let i = 0; i < 5; i++) {
      const p = await c.acquire();
      c.release(p, { kind: 'unavailable' });
    }
    assert.equal(c.limit, 1);
  });

  it('holds every new request until a Retry-After has passed', async () => {
    const c = new AdaptiveConcurrency(4, 4);
    const p = await c.acquire();
    c.release(p, { kind: 'unavailable', retryAfterSeconds: 1 });
    const started = performance.now();
    const [a, b] = await Promise.all([c.acquire(), c.acquire()]);
    const waited = performance.now() - started;
    assert.ok(waited >= 950, `waited ${waited.toFixed(0)} ms for a Retry-After of 1 s`);
    c.release(a, { kind: 'clean' });
    c.release(b, { kind: 'clean' });
  });

  it('makes waiters take turns within the limit', async () => {
    const c = new AdaptiveConcurrency(2, 2);
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const p = await c.acquire();
        peak = Math.max(peak, c.active);
        await new Promise((r) => setTimeout(r, 5));
        c.release(p, { kind: 'other' });
      }),
    );
    assert.equal(peak, 2);
    assert.equal(c.active, 0);
  });
});
