// Table tests of the swarms projection: formed, updated, dissolved, and the events that change nothing.

import { describe, expect, it } from 'vitest';
import type { ProjectedEvent, SwarmView } from '../src/state';
import { reduceSwarms } from '../src/swarms';
import { at, deepFreeze, ev, fold } from './fixtures';

type Swarms = Record<string, SwarmView>;

const formed = ev('swarm.formed', { id: 'w1', agents: ['a1', 'a2'], goal: 'ship' }, 0);
const w1: SwarmView = { id: 'w1', agents: ['a1', 'a2'], goal: 'ship', formed_at: at(0), updated_at: at(0) };

const cases: Array<{ name: string; events: ProjectedEvent[]; expected: Swarms }> = [
  { name: 'swarm.formed adds the swarm', events: [formed], expected: { w1 } },
  {
    name: 'swarm.formed without a goal has no goal',
    events: [ev('swarm.formed', { id: 'w2', agents: [] }, 1)],
    expected: { w2: { id: 'w2', agents: [], formed_at: at(1), updated_at: at(1) } },
  },
  {
    name: 'swarm.updated replaces the members and keeps the goal',
    events: [formed, ev('swarm.updated', { id: 'w1', agents: ['a3'] }, 2)],
    expected: { w1: { ...w1, agents: ['a3'], updated_at: at(2) } },
  },
  {
    name: 'swarm.updated changes the goal and keeps the members',
    events: [formed, ev('swarm.updated', { id: 'w1', goal: 'test' }, 2)],
    expected: { w1: { ...w1, goal: 'test', updated_at: at(2) } },
  },
  {
    name: 'swarm.dissolved removes the swarm',
    events: [formed, ev('swarm.formed', { id: 'w2', agents: [] }, 1), ev('swarm.dissolved', { id: 'w1' }, 2)],
    expected: { w2: { id: 'w2', agents: [], formed_at: at(1), updated_at: at(1) } },
  },
  {
    name: 'members that are not strings are dropped',
    events: [ev('swarm.formed', { id: 'w1', agents: ['a1', 7, null, 'a2'], goal: 'ship' }, 0)],
    expected: { w1 },
  },
];

describe('reduceSwarms', () => {
  it.each(cases)('$name', ({ events, expected }) => {
    expect(fold(reduceSwarms, {}, events)).toStrictEqual(expected);
  });

  const start = deepFreeze(fold(reduceSwarms, {}, [formed]));
  it.each([
    ['an unknown swarm.* topic', ev('swarm.split', { id: 'w1' }, 1)],
    ['swarm.updated of an unknown swarm', ev('swarm.updated', { id: 'w9', agents: ['a1'] }, 1)],
    ['swarm.dissolved of an unknown swarm', ev('swarm.dissolved', { id: 'w9' }, 1)],
    ['data without an id', ev('swarm.dissolved', {}, 1)],
    ['an update with the same members, goal and time', ev('swarm.updated', { id: 'w1', agents: ['a1', 'a2'] }, 0)],
  ])('returns the same slice for %s', (_name, event) => {
    expect(reduceSwarms(start, event)).toBe(start);
  });
});
