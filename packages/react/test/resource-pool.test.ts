import { afterEach, describe, expect, it, vi } from 'vitest';
import { ResourcePool } from '../src/resource-pool';

function pool() {
  const log: string[] = [];
  let n = 0;
  const p = new ResourcePool<string>(
    {
      create: (key) => `${key}#${++n}`,
      open: (v) => log.push(`open ${v}`),
      close: (v) => log.push(`close ${v}`),
    },
    50,
  );
  return { p, log };
}

describe('ResourcePool', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reuses a resource re-acquired within the release delay (StrictMode mount, unmount, mount)', () => {
    vi.useFakeTimers();
    const { p, log } = pool();
    const a = p.acquire('k');
    a.release();
    const b = p.acquire('k');
    expect(b.value).toBe(a.value);
    vi.advanceTimersByTime(100);
    expect(log).toEqual(['open k#1', 'open k#1']);
    b.release();
    b.release(); // idempotent
    vi.advanceTimersByTime(49);
    expect(log).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(log).toEqual(['open k#1', 'open k#1', 'close k#1']);
    expect(p.size).toBe(0);
    expect(p.acquire('k').value).toBe('k#2');
  });

  it('drops a resource that was only peeked (a discarded render) without opening or closing it', () => {
    vi.useFakeTimers();
    const { p, log } = pool();
    expect(p.peek('x')).toBe('x#1');
    expect(p.peek('x')).toBe('x#1');
    vi.advanceTimersByTime(50);
    expect(p.size).toBe(0);
    expect(log).toEqual([]);
  });

  it('keeps one resource per key while any user holds it', () => {
    vi.useFakeTimers();
    const { p, log } = pool();
    const a = p.acquire('k');
    const b = p.acquire('k');
    a.release();
    vi.advanceTimersByTime(100);
    expect(log).toEqual(['open k#1']);
    b.release();
    vi.advanceTimersByTime(100);
    expect(log).toEqual(['open k#1', 'close k#1']);
  });
});
