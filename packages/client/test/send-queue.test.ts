import { describe, expect, it } from 'vitest';
import { SendQueue } from '../src/send-queue';

describe('send queue', () => {
  it('flushes in order', () => {
    const q = new SendQueue(10);
    for (const t of ['a', 'b', 'c']) q.push(t);
    const out: string[] = [];
    expect(q.flush((t) => (out.push(t), true))).toBe(3);
    expect(out).toEqual(['a', 'b', 'c']);
    expect(q.size).toBe(0);
  });

  it('keeps the frame a write refused and everything after it', () => {
    const q = new SendQueue(10);
    for (const t of ['a', 'b', 'c']) q.push(t);
    let n = 0;
    expect(q.flush(() => ++n < 2)).toBe(1);
    const out: string[] = [];
    q.flush((t) => (out.push(t), true));
    expect(out).toEqual(['b', 'c']);
  });

  it('treats a throwing write as refused', () => {
    const q = new SendQueue(10);
    q.push('a');
    expect(q.flush(() => {
      throw new Error('socket gone');
    })).toBe(0);
    expect(q.size).toBe(1);
  });

  it('drops the newest frame when full', () => {
    const q = new SendQueue(2);
    expect([q.push('a'), q.push('b'), q.push('c')]).toEqual([true, true, false]);
    const out: string[] = [];
    q.flush((t) => (out.push(t), true));
    expect(out).toEqual(['a', 'b']);
  });
});
