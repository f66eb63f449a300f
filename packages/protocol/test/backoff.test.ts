// The reconnect backoff of docs/architecture.md as a table of (attempt, random) → ms.

import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/backoff';
import { BACKOFF_STEPS_MS } from '../src/constants';

// docs/architecture.md: 1, 2, 4, 8, 16 s then a 30 s cap, jitter delay × (0.5 + random × 0.5), rounded to whole ms.
const table: Array<[attempt: number, random: number, ms: number]> = [
  [1, 0, 500], [1, 0.5, 750], [1, 0.999, 1000],
  [2, 0, 1000], [2, 0.5, 1500], [2, 0.999, 1999],
  [3, 0, 2000], [3, 0.5, 3000], [3, 0.999, 3998],
  [4, 0, 4000], [4, 0.5, 6000], [4, 0.999, 7996],
  [5, 0, 8000], [5, 0.5, 12000], [5, 0.999, 15992],
  [6, 0, 15000], [6, 0.5, 22500], [6, 0.999, 29985],
  [7, 0, 15000], [7, 0.5, 22500], [7, 0.999, 29985],
  [8, 0, 15000], [8, 0.5, 22500], [8, 0.999, 29985],
];

describe('backoffDelay', () => {
  it.each(table)('attempt %i with random %f waits %i ms', (attempt, random, ms) => {
    expect(backoffDelay(attempt, random)).toBe(ms);
  });

  it('uses the spec steps before jitter', () => {
    expect(BACKOFF_STEPS_MS).toStrictEqual([1000, 2000, 4000, 8000, 16000, 30000]);
  });

  it('stays within half and all of the step, whatever the random value', () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const step = BACKOFF_STEPS_MS[Math.min(attempt, BACKOFF_STEPS_MS.length) - 1]!;
      for (const random of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999999]) {
        const ms = backoffDelay(attempt, random);
        expect(ms).toBeGreaterThanOrEqual(step / 2);
        expect(ms).toBeLessThanOrEqual(step);
      }
    }
  });

  it.each([0, -3])('treats attempt %i as the first attempt', (attempt) => {
    expect(backoffDelay(attempt, 0)).toBe(500);
  });

  it('keeps the 30 s cap for very late attempts', () => {
    expect(backoffDelay(1_000_000, 0.999)).toBe(29985);
  });
});
