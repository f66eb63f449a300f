import { describe, expect, it } from 'vitest';
import { initialState, type FleetState } from '@switchboard/projections';
import { ClientStore, isDuplicate, replaceFamilies } from '../src/store';
import type { SwitchboardEvent } from '../src/event-router';

const ts = '2026-01-01T00:00:00.000Z';
const task = (seq: number, id = 't1', percent = seq): SwitchboardEvent => ({
  seq,
  topic: 'task.progress',
  ts,
  data: { id, kind: 'index', percent },
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function store(topics = ['*']) {
  const changes: Array<[FleetState, FleetState]> = [];
  const errors: unknown[] = [];
  const s = new ClientStore(topics, (e) => errors.push(e));
  s.subscribe((a, b) => changes.push([a, b]));
  return { s, changes, errors };
}

describe('duplicate protection', () => {
  it.each([
    [null, 1, false],
    [null, 0, false],
    [5, 4, true],
    [5, 5, true],
    [5, 6, false],
    [5, 100, false],
  ])('last applied %s, incoming %s → duplicate %s', (last, seq, expected) => {
    expect(isDuplicate(last, seq)).toBe(expected);
  });
});

describe('client store cursor', () => {
  it('has no cursor before a snapshot, and the snapshot sets it', () => {
    const { s } = store();
    expect(s.cursor).toBeNull();
    s.applySnapshot({ epoch: 'e1', seq: 10, state: {} });
    expect(s.cursor).toEqual({ epoch: 'e1', seq: 10 });
  });

  it('advances only over applied events and ignores seq at or below the cursor', () => {
    const { s, changes } = store();
    s.applySnapshot({ epoch: 'e1', seq: 10, state: {} });
    expect(s.acceptEvent(task(10))).toBe('duplicate');
    expect(s.acceptEvent(task(9))).toBe('duplicate');
    expect(s.acceptEvent(task(11))).toBe('applied');
    expect(s.acceptEvent(task(11))).toBe('duplicate');
    expect(s.acceptEvent(task(14))).toBe('applied'); // gaps are fine: other topics filtered out
    expect(s.cursor).toEqual({ epoch: 'e1', seq: 14 });
    expect(s.state.tasks.t1!.percent).toBe(14);
    expect(changes).toHaveLength(3); // snapshot + two applied events
  });

  it('does not advance the cursor when the projection throws', () => {
    const { s } = store();
    s.applySnapshot({ epoch: 'e1', seq: 1, state: {} });
    // Reducers are total over bad data, so make reading the event itself throw.
    const evil = { seq: 2, topic: 'task.progress', ts, get data(): unknown { throw new Error('bad data'); } } as SwitchboardEvent;
    expect(() => s.acceptEvent(evil)).toThrow('bad data');
    expect(s.cursor).toEqual({ epoch: 'e1', seq: 1 });
    expect(s.acceptEvent(task(2))).toBe('applied');
  });

  it('keeps the epoch a resume confirmed and the seq it had', () => {
    const { s } = store();
    s.applySnapshot({ epoch: 'e1', seq: 3, state: {} });
    s.confirmEpoch('e1');
    expect(s.cursor).toEqual({ epoch: 'e1', seq: 3 });
  });

  it('moves the cursor back to a snapshot in another epoch (log reset)', () => {
    const { s } = store();
    s.applySnapshot({ epoch: 'e1', seq: 50, state: {} });
    s.applySnapshot({ epoch: 'e2', seq: 4, state: {} });
    expect(s.cursor).toEqual({ epoch: 'e2', seq: 4 });
    expect(s.acceptEvent(task(5))).toBe('applied');
  });
});

describe('client store state', () => {
  it('never mutates: a change is a new state object, no change keeps the identity', () => {
    const { s, changes } = store();
    s.applySnapshot({ epoch: 'e1', seq: 0, state: {} });
    const before = deepFreeze(s.state); // a reducer writing into it throws here, naming the slice
    const copy = structuredClone(before);
    s.acceptEvent(task(1));
    expect(s.state).not.toBe(before);
    expect(before).toEqual(copy);
    const after = s.state;
    s.acceptEvent({ seq: 2, topic: 'custom.thing', ts, data: {} }); // no projection for custom families
    expect(s.state).toBe(after);
    expect(s.cursor!.seq).toBe(2);
    expect(changes.at(-1)![0]).toBe(after);
  });

  it('replaces the subscribed families on a snapshot and keeps the others', () => {
    const current = { ...initialState(), tasks: { old: { id: 'old' } }, sessions: { s1: { id: 's1' } } } as unknown as FleetState;
    const next = replaceFamilies(current, { tasks: { t9: { id: 't9' } } }, ['task.*', 'agent.*']);
    expect(next.tasks).toEqual({ t9: { id: 't9' } });
    expect(next.agents).toEqual({}); // subscribed, absent from the snapshot → reset
    expect(next.sessions).toEqual({ s1: { id: 's1' } }); // not subscribed → kept
    expect(current.tasks).toEqual({ old: { id: 'old' } });
  });

  it('takes a snapshot key named __proto__ as a key, never as the prototype of the state', () => {
    const snapshot = JSON.parse('{"tasks":{"__proto__":{"id":"__proto__"}},"__proto__":{"polluted":true}}') as Record<string, unknown>;
    const next = replaceFamilies(initialState(), snapshot, ['task.*']);
    expect(Object.getPrototypeOf(next)).toBe(Object.prototype);
    expect((next as unknown as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.hasOwn(next.tasks, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(next.tasks)).toBe(Object.prototype);
  });

  it('keeps calling listeners when one throws', () => {
    const { s, errors } = store();
    const seen: number[] = [];
    s.subscribe(() => {
      throw new Error('listener');
    });
    s.subscribe(() => seen.push(1));
    s.applySnapshot({ epoch: 'e', seq: 0, state: {} });
    expect(seen).toEqual([1]);
    expect(errors).toHaveLength(1);
  });
});
