import { describe, expect, it } from 'vitest';
import { backoffDelay } from '@switchboard/protocol';
import { RetryPolicy } from '../src/retry-policy';

describe('retry policy', () => {
  it.each([
    [0, [500, 1000, 2000, 4000, 8000, 15000, 15000]],
    [0.5, [750, 1500, 3000, 6000, 12000, 22500, 22500]],
    [0.999, [1000, 1999, 3998, 7996, 15992, 29985, 29985]],
  ])('with random %s waits %j (1, 2, 4, 8, 16, 30 s cap, jitter 0.5–1)', (random, expected) => {
    const p = new RetryPolicy({ random: () => random });
    const delays = expected.map(() => {
      const d = p.next(true);
      return d.action === 'retry' ? d.delayMs : -1;
    });
    expect(delays).toEqual(expected);
    expect(delays[0]).toBe(backoffDelay(1, random));
  });

  it('falls back to polling on the third failed connect in a row', () => {
    const p = new RetryPolicy({ random: () => 0 });
    const polls = [1, 2, 3, 4].map(() => {
      const d = p.next(true);
      return d.action === 'retry' && d.poll;
    });
    expect(polls).toEqual([false, false, true, true]);
  });

  it('does not count the drop of a healthy socket as a failed connect', () => {
    const p = new RetryPolicy({ random: () => 0 });
    const d = p.next(false);
    expect(d).toMatchObject({ action: 'retry', attempt: 1, failures: 0, poll: false });
  });

  it('starts over after reset (first server frame)', () => {
    const p = new RetryPolicy({ random: () => 0 });
    p.next(true);
    p.next(true);
    p.reset();
    expect(p.next(true)).toMatchObject({ attempt: 1, delayMs: 500, failures: 1, poll: false });
  });

  it('gives up after maxReconnectAttempts reconnects', () => {
    const p = new RetryPolicy({ random: () => 0, maxReconnectAttempts: 5 });
    const actions = [1, 2, 3, 4, 5, 6].map(() => p.next(true).action);
    expect(actions).toEqual(['retry', 'retry', 'retry', 'retry', 'retry', 'give_up']);
    expect(p.next(true)).toEqual({ action: 'give_up', attempts: 5 });
  });

  it('retries forever by default', () => {
    const p = new RetryPolicy({ random: () => 0 });
    for (let i = 0; i < 1000; i++) expect(p.next(true).action).toBe('retry');
  });

  it('uses an injected backoff', () => {
    const p = new RetryPolicy({ random: () => 0.25, backoff: (n, r) => n * 10 + r });
    expect(p.next(true)).toMatchObject({ delayMs: 10.25 });
    expect(p.next(true)).toMatchObject({ delayMs: 20.25 });
  });
});
