import { describe, expect, it } from 'vitest';
import { reduceInstances, type InstanceView, type Instances } from '../src/instances';
import { applyEvents, initialState } from '../src/fleet';
import type { ProjectedEvent } from '../src/state';
import { at, deepFreeze, ev, fold } from './fixtures';

const created = { name: 'agent-1', nickname: null, command: 'run', args: null, cwd: null, env_keys: ['KEY'], port: 18801 };
const base: InstanceView = {
  ...created,
  status: 'stopped',
  pid: null,
  exit_code: null,
  archived_at: null,
  created_at: at(0),
  updated_at: at(0),
  started_at: null,
  restart: 'no',
  stop_grace_ms: null,
  restart_count: 0,
  next_restart_at: null,
  status_reason: null,
};

const cases: Array<{ name: string; events: ProjectedEvent[]; expected: Instances }> = [
  {
    name: 'cluster: owner_lost orphans it remembering its status; adopted moves it; the new owner\'s status un-marks it',
    events: [
      ev('instance.created', { ...created, node_id: 'a' }, 0),
      ev('instance.status_changed', { name: 'agent-1', status: 'running', pid: 42 }, 1),
      ev('instance.status_changed', { name: 'agent-1', status: 'crashed', pid: null, reason: 'owner_lost', node_id: 'a' }, 2),
      // A second declaration keeps the first time and the status from before the first.
      ev('instance.status_changed', { name: 'agent-1', status: 'crashed', pid: null, reason: 'owner_lost', node_id: 'a' }, 3),
    ],
    expected: {
      'agent-1': { ...base, node_id: 'a', status: 'crashed', started_at: at(1), updated_at: at(3), status_reason: 'owner_lost', orphaned_at: at(2), orphaned_status: 'running' },
    },
  },
  {
    name: 'cluster: instance.adopted names the new node and clears the orphan mark',
    events: [
      ev('instance.created', { ...created, node_id: 'a' }, 0),
      ev('instance.status_changed', { name: 'agent-1', status: 'stopped', pid: null, reason: 'owner_lost', node_id: 'a' }, 1),
      ev('instance.adopted', { name: 'agent-1', node_id: 'b', from: 'a' }, 2),
      ev('instance.status_changed', { name: 'agent-1', status: 'starting', pid: null, reason: 'adopted' }, 3),
    ],
    expected: {
      'agent-1': { ...base, node_id: 'b', status: 'starting', updated_at: at(3), status_reason: 'adopted', orphaned_at: null, orphaned_status: null },
    },
  },
  {
    name: 'instance.created adds a stopped instance stamped with the event time',
    events: [ev('instance.created', created, 0)],
    expected: { 'agent-1': base },
  },
  {
    name: 'running keeps the pid and sets started_at; stopped clears the pid and keeps the exit code',
    events: [
      ev('instance.created', created, 0),
      ev('instance.status_changed', { name: 'agent-1', status: 'starting', pid: null }, 1),
      ev('instance.status_changed', { name: 'agent-1', status: 'running', pid: 42 }, 2),
      ev('instance.status_changed', { name: 'agent-1', status: 'crashed', pid: 42, exit_code: 3 }, 3),
    ],
    expected: { 'agent-1': { ...base, status: 'crashed', pid: null, exit_code: 3, started_at: at(2), updated_at: at(3) } },
  },
  {
    name: 'a pid is never kept outside running',
    events: [ev('instance.created', created, 0), ev('instance.status_changed', { name: 'agent-1', status: 'starting', pid: 9 }, 1)],
    expected: { 'agent-1': { ...base, status: 'starting', updated_at: at(1) } },
  },
  {
    name: 'instance.updated merges only the fields present, null clears',
    events: [
      ev('instance.created', created, 0),
      ev('instance.updated', { name: 'agent-1', nickname: 'Primary', port: null, env_keys: ['A', 'B'] }, 4),
    ],
    expected: { 'agent-1': { ...base, nickname: 'Primary', port: null, env_keys: ['A', 'B'], updated_at: at(4) } },
  },
  {
    name: 'archived sets archived_at, unarchived clears it',
    events: [ev('instance.created', created, 0), ev('instance.archived', { name: 'agent-1' }, 5), ev('instance.unarchived', { name: 'agent-1' }, 6)],
    expected: { 'agent-1': { ...base, archived_at: null, updated_at: at(6) } },
  },
  {
    name: 'restart policy and stop grace come from created and updated; invalid values are ignored',
    events: [
      ev('instance.created', { ...created, restart: 'on-failure', stop_grace_ms: 2500 }, 0),
      ev('instance.updated', { name: 'agent-1', restart: 'sometimes', stop_grace_ms: -1 }, 1),
      ev('instance.updated', { name: 'agent-1', restart: 'always', stop_grace_ms: null }, 2),
    ],
    expected: { 'agent-1': { ...base, restart: 'always', stop_grace_ms: null, updated_at: at(2) } },
  },
  {
    name: 'automatic restarts count up, a scheduled restart shows until a status change, a person start resets the count',
    events: [
      ev('instance.created', created, 0),
      ev('instance.status_changed', { name: 'agent-1', status: 'crashed', pid: null, exit_code: 1, reason: 'exit' }, 1),
      ev('instance.restart_scheduled', { name: 'agent-1', attempt: 1, delay_ms: 1000, next_restart_at: at(2), reason: 'exit' }, 1),
      ev('instance.status_changed', { name: 'agent-1', status: 'starting', pid: null, reason: 'auto_restart', attempt: 1 }, 2),
      ev('instance.status_changed', { name: 'agent-1', status: 'crashed', pid: null, exit_code: 1, reason: 'crash_loop' }, 3),
    ],
    expected: { 'agent-1': { ...base, status: 'crashed', exit_code: 1, restart_count: 1, status_reason: 'crash_loop', updated_at: at(3) } },
  },
  {
    name: 'a pending restart is cleared by restart_cancelled and by archiving; a person start resets the count',
    events: [
      ev('instance.created', created, 0),
      ev('instance.status_changed', { name: 'agent-1', status: 'starting', pid: null, reason: 'auto_restart', attempt: 1 }, 1),
      ev('instance.restart_scheduled', { name: 'agent-1', attempt: 2, delay_ms: 2000, next_restart_at: at(3), reason: 'exit' }, 2),
      ev('instance.restart_cancelled', { name: 'agent-1', reason: 'policy' }, 3),
      ev('instance.restart_scheduled', { name: 'agent-1', attempt: 2, delay_ms: 2000, next_restart_at: at(5), reason: 'exit' }, 4),
      ev('instance.archived', { name: 'agent-1' }, 5),
      ev('instance.unarchived', { name: 'agent-1' }, 6),
      ev('instance.status_changed', { name: 'agent-1', status: 'starting', pid: null, reason: 'user' }, 7),
    ],
    expected: { 'agent-1': { ...base, status: 'starting', status_reason: 'user', restart_count: 0, updated_at: at(7) } },
  },
  {
    name: 'instance.deleted removes it',
    events: [ev('instance.created', created, 0), ev('instance.deleted', { name: 'agent-1' }, 7)],
    expected: {},
  },
  {
    name: 'events about an unknown instance, unknown statuses and bad data change nothing',
    events: [
      ev('instance.status_changed', { name: 'ghost', status: 'running', pid: 1 }, 1),
      ev('instance.created', created, 0),
      ev('instance.status_changed', { name: 'agent-1', status: 'exploded' }, 2),
      ev('instance.archived', { name: 42 }, 3),
      ev('instance.updated', { name: 'agent-1', port: 'eighty' }, 0),
    ],
    expected: { 'agent-1': base },
  },
];

describe('reduceInstances', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(fold(reduceInstances, deepFreeze({}) as Instances, c.events.map(deepFreeze))).toEqual(c.expected);
    });
  }

  it('returns the same slice when an event changes nothing', () => {
    const s = fold(reduceInstances, {}, [ev('instance.created', created, 0)]);
    expect(reduceInstances(s, ev('instance.status_changed', { name: 'nope', status: 'running' }))).toBe(s);
    expect(reduceInstances(s, ev('instance.unknown', { name: 'agent-1' }))).toBe(s);
  });

  it('is registered under instances in the root reducer', () => {
    const state = applyEvents(initialState(), [ev('instance.created', created, 0)]);
    expect(state.instances).toEqual({ 'agent-1': base });
  });
});
