import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
    for (const p of permits) c.release(p, { kind: 'throttled' });
    assert.equal(c.limit, 7);
    const again = await fill(c);
    c.release(again[0]!, { kind: 'throttled' });
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
    let offset = 0;
    const c = new AdaptiveConcurrency(8, 8, () => performance.now() + offset);
    const permits = await fill(c);
    assert.equal(c.pace, Number.POSITIVE_INFINITY, 'no pace before a 429');
    offset += 1000; // 8 requests went out in the first second: 8 a second
    c.release(permits[0]!, { kind: 'rate-limited' });
    assert.ok(Math.abs(c.pace - 7.2) < 0.05, `pace ${c.pace}`);
    for (const p of permits.slice(1)) c.release(p, { kind: 'rate-limited' });
    assert.ok(Math.abs(c.pace - 7.2) < 0.05, 'answers to requests sent before the cut do not cut again');
    assert.equal(c.limit, 8, 'the window is left as it was');
    // Spaced: five requests one after another take four gaps of 1/7.2 s at least.
    const started = performance.now();
    for (let i = 0; i < 5; i++) c.release(await c.acquire(), { kind: 'clean' });
    const took = performance.now() - started;
    assert.ok(took >= 500, `5 requests in ${took.toFixed(0)} ms at 7.2 a second`);
    // It rises by 2 % a second without a 429: ten seconds later, 7.2 × 1.2.
    offset += 10_000;
    assert.ok(Math.abs(c.pace - 8.64) < 0.1, `pace ${c.pace} after 10 s`);
  });

  it('a later 429 paces no faster than the pod answered cleanly since the last cut', async () => {
    let t = 0;
    const c = new AdaptiveConcurrency(16, 16, () => t);
    const first = await fill(c);
    t = 1000;
    for (const p of first) c.release(p, { kind: 'rate-limited' }); // 16 a second went out: pace 14.4
    // Eight more go out over the next 1.2 s (slower than the pace, so none waits); the pod answers
    // four of them cleanly, then says 429 to a fifth, 2 s after the cut.
    const out = [];
    for (let i = 0; i < 8; i++) {
      t += 150;
      out.push(await c.acquire());
    }
    for (const p of out.slice(0, 4)) c.release(p, { kind: 'clean' });
    t = 3000;
    c.release(out[4]!, { kind: 'rate-limited', retryAfterSeconds: 1 });
    // Sent at 4 a second (0.9 of it: 3.6), but let through at 2 a second: the pace is 2.
    assert.ok(Math.abs(c.pace - 2) < 0.01, `pace ${c.pace}`);
    assert.ok(c.history.some((s) => s.event === 'pace' && s.pace === 2));
    // After its Retry-After, four more go out at that pace and the pod lets none through: the next
    // 429 halves the rate they went out at (0.9 × 2 a second), it does not take the pace to nothing.
    const late = [];
    for (let i = 0; i < 4; i++) {
      t = 4100 + i * 500;
      late.push(await c.acquire());
    }
    c.release(late[0]!, { kind: 'rate-limited' });
    assert.ok(Math.abs(c.pace - 0.9) < 0.01, `pace ${c.pace}`);
  });

  it('never goes below one request at a time', async () => {
    const c = new AdaptiveConcurrency(4, 1);
    for (let i = 0; i < 5; i++) {
      const p = await c.acquire();
      c.release(p, { kind: 'throttled' });
    }
    assert.equal(c.limit, 1);
  });

  it('holds every new request until a Retry-After has passed', async () => {
    const c = new AdaptiveConcurrency(4, 4);
    const p = await c.acquire();
    c.release(p, { kind: 'throttled', retryAfterSeconds: 1 });
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
