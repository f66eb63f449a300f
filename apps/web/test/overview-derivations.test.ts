// The Overview's incremental pieces: the activity merge and the per-slice memo of its lists.

import { describe, expect, it } from 'vitest';
import type { SwitchboardEvent } from '@switchboard/client';
import { mergeActivity } from '../src/views/overview/activity-merge';
import { memoLast } from '../src/lib/memo';
import { clockTime } from '../src/lib/format';

const ev = (seq: number): SwitchboardEvent => ({ seq, topic: 'task.progress', ts: '2026-01-01T00:00:00.000Z', data: { seq } });
const seqs = (events: readonly SwitchboardEvent[]) => events.map((e) => e.seq);

describe('mergeActivity', () => {
  it('puts live events (ascending, newer than all held) newest first and keeps at most max', () => {
    const held = [ev(5), ev(4), ev(3)];
    expect(seqs(mergeActivity(held, [ev(6), ev(7)], 4))).toEqual([7, 6, 5, 4]);
    expect(seqs(mergeActivity([], [ev(1), ev(2), ev(3)], 2))).toEqual([3, 2]);
    expect(mergeActivity(held, [], 4)).toBe(held);
  });

  it('merges a backfill or an overlapping resume by seq without duplicates', () => {
    const held = [ev(10), ev(9), ev(8)];
    expect(seqs(mergeActivity(held, [ev(6), ev(7), ev(8)], 10))).toEqual([10, 9, 8, 7, 6]);
    expect(seqs(mergeActivity(held, [ev(9), ev(11)], 10))).toEqual([11, 10, 9, 8]);
    expect(seqs(mergeActivity(held, [ev(12), ev(11)], 3))).toEqual([12, 11, 10]);
  });

  it('agrees with a full sort on random input', () => {
    let x = 7;
    const rand = (n: number) => (x = (x * 1103515245 + 12345) % 2 ** 31) % n;
    let held: SwitchboardEvent[] = [];
    const all = new Set<number>();
    for (let round = 0; round < 200; round++) {
      const base = rand(3) === 0 ? rand(400) : (held[0]?.seq ?? 0) + 1;
      const incoming = Array.from({ length: 1 + rand(5) }, (_, i) => ev(base + i));
      for (const e of incoming) all.add(e.seq);
      held = mergeActivity(held, incoming, 50);
      expect(seqs(held)).toEqual([...all].sort((a, b) => b - a).slice(0, 50));
    }
  });
});

describe('memoLast', () => {
  it('runs again only when an argument changed identity', () => {
    let runs = 0;
    const f = memoLast((o: object, n: number) => {
      runs++;
      return [o, n];
    });
    const a = {};
    const r = f(a, 1);
    expect(f(a, 1)).toBe(r);
    expect(runs).toBe(1);
    f({}, 1);
    f({}, 1);
    expect(runs).toBe(3);
  });
});

describe('clockTime', () => {
  it('formats HH:MM:SS on a 24-hour clock and leaves junk as it is', () => {
    expect(clockTime('2026-01-01T00:00:00.000Z')).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(clockTime('nope')).toBe('nope');
  });
});
