import { describe, expect, it } from 'vitest';
import { createThrottle, type ThrottleTimers } from '../src/throttle';

/** Fake timers: time moves only when the test says so. */
function fakeTimers() {
  let now = 0;
  let nextId = 1;
  const queue = new Map<number, { at: number; fn: () => void }>();
  const timers: ThrottleTimers = {
    setTimeout: (fn, ms) => {
      const id = nextId++;
      queue.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => void queue.delete(id as number),
    now: () => now,
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...queue].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      queue.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = end;
  };
  return { timers, advance };
}

describe('createThrottle', () => {
  it('runs once per interval however many times it is scheduled', () => {
    const { timers, advance } = fakeTimers();
    const runs: number[] = [];
    const t = createThrottle(() => runs.push(timers.now()), 100, timers);
    // 50 events per second for one second.
    for (let ms = 0; ms < 1000; ms += 20) {
      t.schedule();
      advance(20);
    }
    advance(200);
    expect(runs.length).toBeLessThanOrEqual(11);
    for (let i = 1; i < runs.length; i++) expect(runs[i]! - runs[i - 1]!).toBeGreaterThanOrEqual(100);
  });

  it('never loses the last change: a schedule during the wait is honoured by a later run', () => {
    const { timers, advance } = fakeTimers();
    let runs = 0;
    const t = createThrottle(() => runs++, 100, timers);
    t.schedule();
    advance(0);
    expect(runs).toBe(1);
    t.schedule();
    advance(50);
    expect(runs).toBe(1);
    expect(t.pending).toBe(true);
    advance(50);
    expect(runs).toBe(2);
  });

  it('runs asynchronously even when idle, so scheduling never re-enters the caller', () => {
    const { timers, advance } = fakeTimers();
    let runs = 0;
    const t = createThrottle(() => runs++, 100, timers);
    t.schedule();
    expect(runs).toBe(0);
    advance(0);
    expect(runs).toBe(1);
  });

  it('drops a scheduled run on cancel', () => {
    const { timers, advance } = fakeTimers();
    let runs = 0;
    const t = createThrottle(() => runs++, 100, timers);
    t.schedule();
    t.cancel();
    advance(500);
    expect(runs).toBe(0);
    expect(t.pending).toBe(false);
  });
});
