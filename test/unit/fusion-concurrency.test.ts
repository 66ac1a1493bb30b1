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

  it('cuts to 0.7 on a 429 or 503 once per round, then widens by one per round, slower past the cut', async () => {
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
