// The restart policy on its own (pure, injected clock): which ends restart, the backoff schedule, the reset after a
// healthy run, and the crash-loop limit.

import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTART_TIMING, RestartTracker, restartDelay, wantsRestart, type RestartTiming } from '../src/supervisor/restart-policy';

function tracker(timing: Partial<RestartTiming> = {}) {
  let now = 1_000_000;
  const t = new RestartTracker({ ...DEFAULT_RESTART_TIMING, ...timing }, () => now);
  return { t, advance: (ms: number) => (now += ms), now: () => now };
}

describe('restart policy', () => {
  it('restarts what the policy asks for and never what a person stopped', () => {
    const table: Array<[Parameters<typeof wantsRestart>[0], boolean, boolean, boolean]> = [
      // policy, requested, clean → restart?
      ['no', false, false, false],
      ['no', false, true, false],
      ['on-failure', false, false, true],
      ['on-failure', false, true, false],
      ['on-failure', true, false, false],
      ['always', false, true, true],
      ['always', false, false, true],
      ['always', true, true, false],
    ];
    for (const [policy, requested, clean, expected] of table) {
      expect(wantsRestart(policy, { requested, clean }), `${policy} requested=${requested} clean=${clean}`).toBe(expected);
    }
  });

  it('doubles from the initial delay up to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 100].map((n) => restartDelay(n, DEFAULT_RESTART_TIMING));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect(restartDelay(0, { initialDelayMs: 50, maxDelayMs: 300 })).toBe(50);
    expect(restartDelay(4, { initialDelayMs: 50, maxDelayMs: 300 })).toBe(300);
  });

  it('schedules growing delays and gives up past the crash-loop limit within the window', () => {
    const { t, advance, now } = tracker({ crashLoopLimit: 3, crashLoopWindowMs: 60_000 });
    const seen: unknown[] = [];
    for (let i = 0; i < 3; i += 1) {
      t.started();
      advance(100);
      const d = t.ended();
      seen.push(d);
      if (d.action === 'restart') advance(d.delayMs);
    }
    expect(seen).toEqual([
      { action: 'restart', attempt: 1, delayMs: 1000, at: expect.any(Number) },
      { action: 'restart', attempt: 2, delayMs: 2000, at: expect.any(Number) },
      { action: 'restart', attempt: 3, delayMs: 4000, at: expect.any(Number) },
    ]);
    t.started();
    advance(100);
    const before = now();
    expect(t.ended()).toEqual({ action: 'give_up', restarts: 3 });
    expect(now()).toBe(before);
  });

  it('forgets restarts older than the window', () => {
    const { t, advance } = tracker({ crashLoopLimit: 2, crashLoopWindowMs: 10_000, resetAfterMs: 1_000_000 });
    expect(t.ended()).toMatchObject({ action: 'restart', attempt: 1 });
    expect(t.ended()).toMatchObject({ action: 'restart', attempt: 2 });
    expect(t.ended()).toMatchObject({ action: 'give_up' });
    advance(10_000);
    // Out of the window, but the run never stayed up long enough: the delay keeps growing.
    expect(t.ended()).toMatchObject({ action: 'restart', attempt: 3, delayMs: 4000 });
  });

  it('starts again at the initial delay after a run that stayed up long enough', () => {
    const { t, advance } = tracker({ resetAfterMs: 30_000 });
    t.started();
    expect(t.ended()).toMatchObject({ attempt: 1, delayMs: 1000 });
    t.started();
    advance(29_999);
    expect(t.ended()).toMatchObject({ attempt: 2, delayMs: 2000 });
    t.started();
    advance(30_000);
    expect(t.ended()).toMatchObject({ attempt: 1, delayMs: 1000 });
  });

  it('a reset (a person started it) lifts the crash-loop stop', () => {
    const { t } = tracker({ crashLoopLimit: 1 });
    expect(t.ended()).toMatchObject({ action: 'restart' });
    expect(t.ended()).toMatchObject({ action: 'give_up' });
    t.reset();
    expect(t.ended()).toMatchObject({ action: 'restart', attempt: 1, delayMs: 1000 });
  });
});
