// Table tests of the sessions projection: every session.* topic, and the events that change nothing.

import { describe, expect, it } from 'vitest';
import { reduceSessions } from '../src/sessions';
import type { ProjectedEvent, SessionView } from '../src/state';
import { at, deepFreeze, ev, fold } from './fixtures';

type Sessions = Record<string, SessionView>;

const s1 = { id: 's1', name: 'refactor', target: 'api' };

const cases: Array<{ name: string; events: ProjectedEvent[]; expected: Sessions }> = [
  {
    name: 'session.created adds an active session stamped with the event time',
    events: [ev('session.created', s1, 0)],
    expected: { s1: { ...s1, status: 'active', created_at: at(0), updated_at: at(0) } },
  },
  {
    name: 'session.created keeps workspace_id and instance',
    events: [ev('session.created', { ...s1, workspace_id: 'w1', instance: 'worker-1' }, 0)],
    expected: { s1: { ...s1, workspace_id: 'w1', instance: 'worker-1', status: 'active', created_at: at(0), updated_at: at(0) } },
  },
  {
    name: 'session.updated merges the fields present and leaves the others',
    events: [ev('session.created', s1, 0), ev('session.updated', { id: 's1', name: 'renamed', workspace_id: 'w2' }, 5)],
    expected: { s1: { id: 's1', name: 'renamed', target: 'api', workspace_id: 'w2', status: 'active', created_at: at(0), updated_at: at(5) } },
  },
  {
    name: 'session.updated ignores fields of the wrong type',
    events: [ev('session.created', s1, 0), ev('session.updated', { id: 's1', name: 42, target: null }, 1)],
    expected: { s1: { ...s1, status: 'active', created_at: at(0), updated_at: at(1) } },
  },
  {
    name: 'session.ended marks the session ended at the event time',
    events: [ev('session.created', s1, 0), ev('session.ended', { id: 's1' }, 9)],
    expected: { s1: { ...s1, status: 'ended', created_at: at(0), updated_at: at(9), ended_at: at(9) } },
  },
  {
    name: 'session.ended of an unknown session creates it with name and target defaulting to empty',
    events: [ev('session.ended', { id: 'ghost' }, 3)],
    expected: { ghost: { id: 'ghost', name: '', target: '', status: 'ended', created_at: at(3), updated_at: at(3), ended_at: at(3) } },
  },
  {
    name: 'session.ended of an unknown session keeps the fields it carries',
    events: [ev('session.ended', { id: 'ghost', name: 'n', target: 't', instance: 'i' }, 3)],
    expected: { ghost: { id: 'ghost', name: 'n', target: 't', instance: 'i', status: 'ended', created_at: at(3), updated_at: at(3), ended_at: at(3) } },
  },
  {
    name: 'session.updated after the end keeps the session ended',
    events: [ev('session.created', s1, 0), ev('session.ended', { id: 's1' }, 1), ev('session.updated', { id: 's1', target: 'web' }, 2)],
    expected: { s1: { ...s1, target: 'web', status: 'ended', created_at: at(0), updated_at: at(2), ended_at: at(1) } },
  },
  {
    name: 'session.created of an ended id starts a fresh active session',
    events: [ev('session.created', s1, 0), ev('session.ended', { id: 's1' }, 1), ev('session.created', { ...s1, name: 'again' }, 2)],
    expected: { s1: { ...s1, name: 'again', status: 'active', created_at: at(2), updated_at: at(2) } },
  },
];

describe('reduceSessions', () => {
  it.each(cases)('$name', ({ events, expected }) => {
    expect(fold(reduceSessions, {}, events)).toStrictEqual(expected);
  });

  it('treats ids that name Object.prototype members as plain ids', () => {
    const out = fold(reduceSessions, {}, [ev('session.created', { ...s1, id: 'constructor' }, 0), ev('session.ended', { id: '__proto__' }, 1)]);
    // Compared as entries: matchers read `constructor` and `__proto__` specially on the objects themselves.
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.entries(out)).toStrictEqual([
      ['constructor', { ...s1, id: 'constructor', status: 'active', created_at: at(0), updated_at: at(0) }],
      ['__proto__', { id: '__proto__', name: '', target: '', status: 'ended', created_at: at(1), updated_at: at(1), ended_at: at(1) }],
    ]);
  });

  const start = deepFreeze(fold(reduceSessions, {}, [ev('session.created', s1, 0)]));
  it.each([
    ['an unknown session.* topic', ev('session.paused', { id: 's1' }, 1)],
    ['session.updated of an unknown id', ev('session.updated', { id: 'nope', name: 'x' }, 1)],
    ['data that is not an object', ev('session.ended', null, 1)],
    ['data without an id', ev('session.ended', { name: 'x' }, 1)],
    ['an empty id', ev('session.created', { ...s1, id: '' }, 1)],
    ['an update that repeats what the state holds', ev('session.updated', { id: 's1', name: 'refactor' }, 0)],
  ])('returns the same slice for %s', (_name, event) => {
    expect(reduceSessions(start, event)).toBe(start);
  });
});
