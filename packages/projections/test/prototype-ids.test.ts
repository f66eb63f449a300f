// Ids that name Object.prototype members are ordinary ids in every slice: they are stored as own keys, found only
// when they were added, never change a slice's prototype, and survive the JSON round trip of a snapshot.

import { describe, expect, it } from 'vitest';
import { applyEvents, initialState } from '../src/fleet';
import type { FleetState, ProjectedEvent } from '../src/state';
import { at } from './fixtures';

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];

const ev = (topic: string, data: unknown, n: number): ProjectedEvent => ({ topic, data, ts: at(n) });

/** Events creating (then touching) one record named `id` in every slice. */
function eventsFor(id: string): ProjectedEvent[] {
  return [
    ev('session.created', { id, name: `s-${id}`, target: 't' }, 1),
    ev('session.updated', { id, name: `s2-${id}` }, 2),
    ev('agent.started', { id, session_id: id, name: `a-${id}` }, 3),
    ev('agent.action', { id, detail: 'working' }, 4),
    ev('swarm.formed', { id, agents: [id] }, 5),
    ev('swarm.updated', { id, goal: 'g' }, 6),
    ev('metrics.cost_updated', { session_id: id, cost_usd: 1, tokens_in: 2, tokens_out: 3, total_cost_usd: 1 }, 7),
    ev('task.started', { id, kind: 'k', percent: 10 }, 8),
    ev('task.progress', { id, kind: 'k', percent: 50 }, 9),
    ev('document.indexed', { id, name: 'd' }, 10),
    ev('search.completed', { id, query: 'q', results: 3 }, 11),
    ev('instance.created', { name: id, nickname: null, command: 'sleep 1', args: null, cwd: null, env_keys: [id], port: null }, 12),
    ev('instance.status_changed', { name: id, status: 'running', pid: 42 }, 13),
    ev('message.sent', { message_id: id, from: id, to: id, message_type: 't', correlation_id: null }, 14),
    ev('message.delivered', { message_id: id }, 15),
    ev('plan.created', { plan_id: id, name: 'p', steps: [{ name: 'one', command: 'true' }] }, 16),
    ev('plan.step_status', { plan_id: id, step_index: 0, status: 'running' }, 17),
    ev('workspace.added', { id, path: '/r', repo: 'r', branch: 'main', short_repo: 'r' }, 18),
    ev('workspace.updated', { id, session: { id, target: 'claude', running: true } }, 19),
  ];
}

const ID_SLICES = ['sessions', 'agents', 'swarms', 'tasks', 'documents', 'searches', 'instances', 'messages', 'plans', 'workspaces'] as const;

function expectPlainSlices(state: FleetState): void {
  for (const key of [...ID_SLICES, 'metrics'] as const) expect(Object.getPrototypeOf(state[key])).toBe(Object.prototype);
  expect(Object.getPrototypeOf(state.metrics.by_session)).toBe(Object.prototype);
}

describe('ids named after Object.prototype members', () => {
  it.each(NAMES)('are ordinary ids in every slice: %s', (id) => {
    const state = applyEvents(initialState(), eventsFor(id));
    expectPlainSlices(state);
    for (const key of ID_SLICES) {
      expect(Object.keys(state[key])).toStrictEqual([id]);
      expect(Object.hasOwn(state[key], id)).toBe(true);
    }
    expect(Object.keys(state.metrics.by_session)).toStrictEqual([id]);
    const session = Object.getOwnPropertyDescriptor(state.sessions, id)!.value;
    expect(session).toMatchObject({ id, name: `s2-${id}`, status: 'active' });
    expect(Object.getOwnPropertyDescriptor(state.tasks, id)!.value).toMatchObject({ percent: 50, status: 'running' });
    expect(Object.getOwnPropertyDescriptor(state.instances, id)!.value).toMatchObject({ name: id, status: 'running', pid: 42 });
    expect(Object.getOwnPropertyDescriptor(state.messages, id)!.value).toMatchObject({ message_id: id, status: 'delivered' });
    expect(Object.getOwnPropertyDescriptor(state.plans, id)!.value).toMatchObject({ id, status: 'running' });
    expect(Object.getOwnPropertyDescriptor(state.workspaces, id)!.value).toMatchObject({ id, sessions: [{ id, running: true }] });
    // A client folding the snapshot's JSON holds exactly the server's state.
    const copy = JSON.parse(JSON.stringify(state)) as FleetState;
    expect(JSON.stringify(copy)).toBe(JSON.stringify(state));
    expectPlainSlices(copy);
  });

  it.each(NAMES)('are unknown until added: updates and removals of %s change nothing', (id) => {
    const before = initialState();
    const after = applyEvents(before, [
      ev('session.updated', { id, name: 'x' }, 1),
      ev('swarm.updated', { id, goal: 'g' }, 2),
      ev('swarm.dissolved', { id }, 3),
      ev('agent.action', { id, detail: 'x' }, 4),
      ev('instance.updated', { name: id, command: 'x' }, 5),
      ev('instance.deleted', { name: id }, 6),
      ev('plan.step_status', { plan_id: id, step_index: 0, status: 'running' }, 7),
      ev('plan.completed', { plan_id: id, summary: {} }, 8),
      ev('workspace.updated', { id, branch: 'x' }, 9),
      ev('workspace.removed', { id }, 10),
    ]);
    expect(after).toBe(before);
  });

  it.each(NAMES)('are removed again like any id: %s', (id) => {
    const state = applyEvents(initialState(), [
      ...eventsFor(id),
      ev('swarm.dissolved', { id }, 30),
      ev('instance.deleted', { name: id }, 31),
      ev('workspace.removed', { id }, 32),
    ]);
    expectPlainSlices(state);
    expect(Object.keys(state.swarms)).toStrictEqual([]);
    expect(Object.keys(state.instances)).toStrictEqual([]);
    expect(Object.keys(state.workspaces)).toStrictEqual([]);
  });

  it('live next to ordinary ids without mixing them up', () => {
    const state = applyEvents(initialState(), [...eventsFor('a'), ...eventsFor('__proto__'), ...eventsFor('constructor')]);
    expectPlainSlices(state);
    expect(Object.keys(state.sessions)).toStrictEqual(['a', '__proto__', 'constructor']);
    expect(state.metrics.cost_usd).toBe(3);
  });
});
