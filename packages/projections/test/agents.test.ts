// Table tests of the agents projection: every agent.* topic, unknown agents, and the events that change nothing.

import { describe, expect, it } from 'vitest';
import { reduceAgents } from '../src/agents';
import type { AgentView, ProjectedEvent } from '../src/state';
import { at, deepFreeze, ev, fold } from './fixtures';

type Agents = Record<string, AgentView>;

const a1 = { id: 'a1', session_id: 's1', name: 'planner' };
const started = ev('agent.started', a1, 0);
const running = (over: Partial<AgentView> = {}): AgentView => ({
  ...a1, status: 'running', started_at: at(0), updated_at: at(0), ...over,
});

const cases: Array<{ name: string; events: ProjectedEvent[]; expected: Agents }> = [
  {
    name: 'agent.started adds a running agent',
    events: [started],
    expected: { a1: running() },
  },
  {
    name: 'agent.started keeps its detail',
    events: [ev('agent.started', { ...a1, detail: { model: 'm' } }, 0)],
    expected: { a1: running({ detail: { model: 'm' } }) },
  },
  {
    name: 'agent.action sets last_action from detail and updated_at',
    events: [started, ev('agent.action', { id: 'a1', detail: 'editing api.ts' }, 2)],
    expected: { a1: running({ last_action: 'editing api.ts', updated_at: at(2) }) },
  },
  {
    name: 'agent.action falls back to data.action without a detail',
    events: [started, ev('agent.action', { id: 'a1', action: 'read_file' }, 2)],
    expected: { a1: running({ last_action: 'read_file', updated_at: at(2) }) },
  },
  {
    name: 'agent.action prefers detail over action',
    events: [started, ev('agent.action', { id: 'a1', action: 'read_file', detail: 'api.ts' }, 2)],
    expected: { a1: running({ last_action: 'api.ts', updated_at: at(2) }) },
  },
  {
    name: 'agent.action with neither keeps the previous last_action',
    events: [started, ev('agent.action', { id: 'a1', action: 'x' }, 1), ev('agent.action', { id: 'a1' }, 2)],
    expected: { a1: running({ last_action: 'x', updated_at: at(2) }) },
  },
  {
    name: 'agent.permission_requested waits for permission with its detail',
    events: [started, ev('agent.permission_requested', { id: 'a1', detail: 'rm -rf build' }, 3)],
    expected: { a1: running({ status: 'waiting_permission', detail: 'rm -rf build', updated_at: at(3) }) },
  },
  {
    name: 'agent.action after a permission request means the agent runs again',
    events: [started, ev('agent.permission_requested', { id: 'a1', detail: 'd' }, 1), ev('agent.action', { id: 'a1', action: 'go' }, 2)],
    expected: { a1: running({ detail: 'd', last_action: 'go', updated_at: at(2) }) },
  },
  {
    name: 'agent.completed completes and keeps the earlier detail',
    events: [ev('agent.started', { ...a1, detail: 'd0' }, 0), ev('agent.completed', { id: 'a1' }, 4)],
    expected: { a1: running({ status: 'completed', detail: 'd0', updated_at: at(4) }) },
  },
  {
    name: 'agent.failed fails and keeps its detail',
    events: [started, ev('agent.failed', { id: 'a1', detail: { error: 'boom' } }, 4)],
    expected: { a1: running({ status: 'failed', detail: { error: 'boom' }, updated_at: at(4) }) },
  },
  {
    name: 'agent.action after completion records the action but stays completed',
    events: [started, ev('agent.completed', { id: 'a1' }, 1), ev('agent.action', { id: 'a1', action: 'late' }, 2)],
    expected: { a1: running({ status: 'completed', last_action: 'late', updated_at: at(2) }) },
  },
  {
    name: 'an event for an unknown agent with a session_id creates it',
    events: [ev('agent.action', { id: 'a9', session_id: 's2', action: 'hello' }, 5)],
    expected: { a9: { id: 'a9', session_id: 's2', name: '', status: 'running', last_action: 'hello', started_at: at(5), updated_at: at(5) } },
  },
  {
    name: 'agent.failed of an unknown agent with a session_id creates it failed',
    events: [ev('agent.failed', { id: 'a9', session_id: 's2', name: 'n', detail: 'x' }, 5)],
    expected: { a9: { id: 'a9', session_id: 's2', name: 'n', status: 'failed', detail: 'x', started_at: at(5), updated_at: at(5) } },
  },
  {
    name: 'agent.permission_requested of an unknown agent with a session_id creates it waiting',
    events: [ev('agent.permission_requested', { id: 'a9', session_id: 's2' }, 5)],
    expected: { a9: { id: 'a9', session_id: 's2', name: '', status: 'waiting_permission', started_at: at(5), updated_at: at(5) } },
  },
  {
    name: 'agent.started of a finished agent starts it afresh',
    events: [started, ev('agent.action', { id: 'a1', action: 'x' }, 1), ev('agent.failed', { id: 'a1', detail: 'e' }, 2), ev('agent.started', { ...a1, name: 'again' }, 3)],
    expected: { a1: running({ name: 'again', started_at: at(3), updated_at: at(3) }) },
  },
  {
    name: 'later events may rename the agent or move it to another session',
    events: [started, ev('agent.action', { id: 'a1', name: 'critic', session_id: 's2', action: 'x' }, 1)],
    expected: { a1: running({ name: 'critic', session_id: 's2', last_action: 'x', updated_at: at(1) }) },
  },
];

describe('reduceAgents', () => {
  it.each(cases)('$name', ({ events, expected }) => {
    expect(fold(reduceAgents, {}, events)).toStrictEqual(expected);
  });

  const start = deepFreeze(fold(reduceAgents, {}, [started]));
  it.each([
    ['an unknown agent.* topic', ev('agent.paused', { id: 'a1' }, 1)],
    ['an event for an unknown agent without a session_id', ev('agent.completed', { id: 'a9' }, 1)],
    ['data that is not an object', ev('agent.action', 'a1', 1)],
    ['data without an id', ev('agent.action', { session_id: 's1' }, 1)],
    ['an event that repeats what the state holds', ev('agent.action', { id: 'a1' }, 0)],
  ])('returns the same slice for %s', (_name, event) => {
    expect(reduceAgents(start, event)).toBe(start);
  });
});
