import { describe, expect, it } from 'vitest';
import { EventRouter, type SwitchboardEvent } from '../src/event-router';

const ev = (topic: string, seq = 1): SwitchboardEvent => ({ seq, topic, ts: '2026-01-01T00:00:00.000Z', data: { seq } });

function router() {
  const errors: unknown[] = [];
  return { r: new EventRouter((e) => errors.push(e)), errors };
}

describe('event router', () => {
  it.each([
    ['*', 'agent.started', true],
    ['*', 'custom', true],
    ['agent.*', 'agent.started', true],
    ['agent.*', 'agent.permission_requested', true],
    ['agent.*', 'agents.started', false],
    ['agent.*', 'agent', false],
    ['agent.started', 'agent.started', true],
    ['agent.started', 'agent.completed', false],
    ['a.b.*', 'a.b.c', true],
    ['a.b.*', 'a.c', false],
  ])('pattern %s %s matches: %s', (pattern, topic, expected) => {
    const { r } = router();
    const seen: string[] = [];
    r.add(pattern, (e) => seen.push(e.topic));
    expect(r.dispatch(ev(topic))).toBe(expected ? 1 : 0);
    expect(seen).toEqual(expected ? [topic] : []);
  });

  it('calls every handler of a pattern, in the order they were added', () => {
    const { r } = router();
    const calls: string[] = [];
    r.add('task.*', () => calls.push('a'));
    r.add('task.*', () => calls.push('b'));
    r.add('*', () => calls.push('c'));
    r.add('task.progress', () => calls.push('d'));
    r.dispatch(ev('task.progress'));
    expect(calls).toEqual(['a', 'b', 'c', 'd']);
  });

  it('unsubscribes one handler only, even when the same function was added twice', () => {
    const { r } = router();
    const calls: number[] = [];
    const fn = (e: SwitchboardEvent) => calls.push(e.seq);
    const off1 = r.add('task.*', fn);
    r.add('task.*', fn);
    off1();
    off1(); // idempotent
    r.dispatch(ev('task.started', 7));
    expect(calls).toEqual([7]);
    expect(r.size).toBe(1);
  });

  it('does not call a handler unsubscribed by an earlier handler of the same event', () => {
    const { r } = router();
    const calls: string[] = [];
    let offB: () => void = () => {};
    r.add('*', () => {
      calls.push('a');
      offB();
    });
    offB = r.add('*', () => calls.push('b'));
    r.dispatch(ev('x'));
    r.dispatch(ev('x'));
    expect(calls).toEqual(['a', 'a']);
  });

  it('keeps going when a handler throws and reports the error', () => {
    const { r, errors } = router();
    const calls: string[] = [];
    r.add('*', () => {
      throw new Error('boom');
    });
    r.add('*', () => calls.push('after'));
    r.dispatch(ev('x'));
    expect(calls).toEqual(['after']);
    expect(errors).toHaveLength(1);
  });

  it('rejects invalid patterns up front', () => {
    const { r } = router();
    for (const bad of ['', 'agent.', 'agent.*.x', '*.started', 'a b']) {
      expect(() => r.add(bad, () => {}), bad).toThrow(/invalid topic pattern/);
    }
  });
});
