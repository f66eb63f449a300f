import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucketLimiter } from '../src/limits/token-bucket';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('TokenBucketLimiter', () => {
  it('admits a burst at once, then refuses with Retry-After until a token has refilled', () => {
    const clock = manualClock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 2, burst: 3, now: clock.now });
    expect([1, 2, 3].map(() => limiter.take('a').ok)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    clock.advance(499);
    expect(limiter.take('a').ok).toBe(false);
    clock.advance(1);
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
  });

  it('keeps one key\'s flood out of another key\'s bucket', () => {
    const clock = manualClock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 1, burst: 2, now: clock.now });
    for (let i = 0; i < 100; i++) limiter.take('flooder');
    expect(limiter.take('flooder').ok).toBe(false);
    expect(limiter.take('quiet').ok).toBe(true);
    expect(limiter.take('quiet').ok).toBe(true);
  });

  it('rounds Retry-After up to whole seconds, at least 1', () => {
    const clock = manualClock();
    const slow = new TokenBucketLimiter({ ratePerSecond: 0.25, burst: 1, now: clock.now });
    expect(slow.take('a').ok).toBe(true);
    expect(slow.take('a')).toEqual({ ok: false, retryAfterSeconds: 4 });
    clock.advance(2500);
    expect(slow.take('a')).toEqual({ ok: false, retryAfterSeconds: 2 });
    const fast = new TokenBucketLimiter({ ratePerSecond: 1000, burst: 1, now: clock.now });
    fast.take('a');
    expect(fast.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
  });

  it('forgets buckets once they have refilled, so idle peers cost no memory', () => {
    const clock = manualClock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 10, burst: 10, now: clock.now });
    for (let i = 0; i < 1000; i++) limiter.take(`peer-${i}`);
    expect(limiter.size).toBe(1000);
    clock.advance(999);
    limiter.take('late');
    expect(limiter.size).toBe(1001);
    clock.advance(1);
    limiter.take('later');
    expect(limiter.size).toBe(2); // 'late' is still refilling; everyone else was full again
  });

  it('never holds more than maxKeys buckets under a flood of distinct keys', () => {
    const clock = manualClock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 1, burst: 1, maxKeys: 100, now: clock.now });
    for (let i = 0; i < 10_000; i++) {
      limiter.take(`spoofed-${i}`);
      expect(limiter.size).toBeLessThanOrEqual(100);
    }
  });

  it('rejects settings that would never admit anything', () => {
    expect(() => new TokenBucketLimiter({ ratePerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucketLimiter({ ratePerSecond: 1, burst: 0.5 })).toThrow(RangeError);
    expect(() => new TokenBucketLimiter({ ratePerSecond: Number.NaN, burst: 1 })).toThrow(RangeError);
  });

  // Operations: a key (few, so they collide), the milliseconds since the previous operation, and how many
  // attempts the key makes at that instant (bursts).
  const ops = fc.array(
    fc.record({ key: fc.constantFrom('a', 'b', 'c'), dt: fc.integer({ min: 0, max: 20_000 }), count: fc.integer({ min: 1, max: 30 }) }),
    { maxLength: 100 },
  );
  const settings = fc.record({ ratePerSecond: fc.integer({ min: 1, max: 50 }).map((n) => n / 5), burst: fc.integer({ min: 1, max: 20 }) });

  it('admits at most burst + rate × elapsed for any key over any interval', () => {
    fc.assert(
      fc.property(settings, ops, ({ ratePerSecond, burst }, sequence) => {
        const clock = manualClock();
        const limiter = new TokenBucketLimiter({ ratePerSecond, burst, now: clock.now });
        const admitted: Record<string, number[]> = {};
        for (const { key, dt, count } of sequence) {
          clock.advance(dt);
          for (let i = 0; i < count; i++) if (limiter.take(key).ok) (admitted[key] ??= []).push(clock.now());
        }
        for (const times of Object.values(admitted)) {
          for (let i = 0; i < times.length; i++) {
            for (let j = i; j < times.length; j++) {
              const allowed = burst + (ratePerSecond * (times[j]! - times[i]!)) / 1000;
              expect(j - i + 1).toBeLessThanOrEqual(allowed + 1e-6);
            }
          }
        }
      }),
    );
  });

  it('keeps its Retry-After promise: waiting that long without retrying is always admitted', () => {
    fc.assert(
      fc.property(settings, ops, ({ ratePerSecond, burst }, sequence) => {
        const clock = manualClock();
        const limiter = new TokenBucketLimiter({ ratePerSecond, burst, now: clock.now });
        for (const { key, dt, count } of sequence) {
          clock.advance(dt);
          for (let i = 0; i < count; i++) {
            const verdict = limiter.take(key);
            if (verdict.ok) continue;
            expect(verdict.retryAfterSeconds).toBeGreaterThanOrEqual(1);
            expect(Number.isInteger(verdict.retryAfterSeconds)).toBe(true);
            clock.advance(verdict.retryAfterSeconds * 1000);
            expect(limiter.take(key).ok).toBe(true);
            break;
          }
        }
      }),
    );
  });

  it('never refuses a peer that keeps to the rate', () => {
    fc.assert(
      fc.property(settings, fc.integer({ min: 1, max: 200 }), ({ ratePerSecond, burst }, n) => {
        const clock = manualClock();
        const limiter = new TokenBucketLimiter({ ratePerSecond, burst, now: clock.now });
        for (let i = 0; i < n; i++) {
          expect(limiter.take('steady').ok).toBe(true);
          clock.advance(1000 / ratePerSecond);
        }
      }),
    );
  });
});
