// The root reducer and snapshot selection: routing by family, unknown families, and the keys a pattern selects.

import { describe, expect, it } from 'vitest';
import { applyEvent, applyEvents, initialState, selectState, stateKeysFor } from '../src/fleet';
import { REDUCERS } from '../src/reducers';
import type { StateKey } from '../src/state';
import { at, deepFreeze, ev } from './fixtures';

const ALL_KEYS = Object.keys(initialState()) as StateKey[];

describe('applyEvent', () => {
  it('folds an event into the slice of its family and reuses every other slice', () => {
    const before = deepFreeze(initialState());
    const after = applyEvent(before, ev('agent.started', { id: 'a1', session_id: 's1', name: 'n' }, 1));
    expect(after).not.toBe(before);
    expect(after.agents.a1?.status).toBe('running');
    for (const key of ALL_KEYS.filter((k) => k !== 'agents')) expect(after[key]).toBe(before[key]);
  });

  it.each([
    ['a custom family', 'deploy.finished'],
    ['a topic without a dot', 'heartbeat'],
    ['a family named constructor', 'constructor.x'],
    ['a family named __proto__', '__proto__.x'],
    ['a family named toString', 'toString'],
  ])('ignores %s and returns the same state', (_name, topic) => {
    const state = deepFreeze(initialState());
    expect(applyEvent(state, ev(topic, { id: 'x' }))).toBe(state);
  });

  it('returns the same state when the family reducer changes nothing', () => {
    const state = deepFreeze(initialState());
    expect(applyEvent(state, ev('swarm.dissolved', { id: 'unknown' }))).toBe(state);
  });

  it('registers a reducer for every family it owns', () => {
    expect(Object.keys(REDUCERS)).toEqual(expect.arrayContaining(['sessions', 'agents', 'swarms', 'metrics', 'tasks', 'documents', 'searches']));
  });
});

describe('applyEvents', () => {
  it('folds events in order across families', () => {
    const out = applyEvents(initialState(), [
      ev('session.created', { id: 's1', name: 'n', target: 't' }, 0),
      ev('agent.started', { id: 'a1', session_id: 's1', name: 'x' }, 1),
      ev('custom.ignored', {}, 2),
      ev('metrics.cost_updated', { session_id: 's1', cost_usd: 1, tokens_in: 2, tokens_out: 3, total_cost_usd: 1 }, 3),
      ev('session.ended', { id: 's1' }, 4),
    ]);
    expect(out.sessions.s1).toStrictEqual({ id: 's1', name: 'n', target: 't', status: 'ended', created_at: at(0), updated_at: at(4), ended_at: at(4) });
    expect(out.agents.a1?.session_id).toBe('s1');
    expect(out.metrics.by_session.s1).toStrictEqual({ cost_usd: 1, tokens_in: 2, tokens_out: 3 });
  });

  it('returns the initial state for no events', () => {
    const state = initialState();
    expect(applyEvents(state, [])).toBe(state);
  });
});

describe('stateKeysFor', () => {
  it.each<[string[], StateKey[]]>([
    [['*'], ALL_KEYS],
    [['agent.*', '*'], ALL_KEYS],
    [['agent.started'], ['agents']],
    [['agent.*'], ['agents']],
    [['agent.started', 'agent.failed'], ['agents']],
    [['session.*', 'task.progress', 'metrics.*'], ['sessions', 'tasks', 'metrics']],
    [['document.indexed', 'search.completed'], ['documents', 'searches']],
    [['custom.*', 'deploy.done'], []],
    [['constructor.*', '__proto__'], []],
    [[], []],
  ])('%j selects %j', (patterns, keys) => {
    expect(stateKeysFor(patterns)).toStrictEqual(keys);
  });
});

describe('selectState', () => {
  const state = deepFreeze(applyEvents(initialState(), [ev('agent.started', { id: 'a1', session_id: 's1', name: 'x' }, 1)]));

  it('selects every slice for *', () => {
    expect(selectState(state, ['*'])).toStrictEqual(state);
  });

  it('selects the slice of an exact topic by reference', () => {
    const out = selectState(state, ['agent.started']);
    expect(Object.keys(out)).toStrictEqual(['agents']);
    expect(out.agents).toBe(state.agents);
  });

  it('selects nothing for unknown families', () => {
    expect(selectState(state, ['custom.*', 'constructor.*'])).toStrictEqual({});
  });
});
