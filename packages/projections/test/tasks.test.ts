// Table tests of the tasks projection: every task.* topic, unknown tasks, and the events that change nothing.

import { describe, expect, it } from 'vitest';
import type { ProjectedEvent, TaskView } from '../src/state';
import { reduceTasks } from '../src/tasks';
import { at, deepFreeze, ev, fold } from './fixtures';

type Tasks = Record<string, TaskView>;

const started = ev('task.started', { id: 't1', kind: 'index', percent: 0, message: 'queued' }, 0);
const t1 = (over: Partial<TaskView> = {}): TaskView => ({
  id: 't1', kind: 'index', percent: 0, status: 'running', message: 'queued', started_at: at(0), updated_at: at(0), ...over,
});

const cases: Array<{ name: string; events: ProjectedEvent[]; expected: Tasks }> = [
  { name: 'task.started adds a running task', events: [started], expected: { t1: t1() } },
  {
    name: 'task.progress sets percent and message',
    events: [started, ev('task.progress', { id: 't1', kind: 'index', percent: 40, message: 'parsing' }, 2)],
    expected: { t1: t1({ percent: 40, message: 'parsing', updated_at: at(2) }) },
  },
  {
    name: 'task.progress without a message keeps the previous one',
    events: [started, ev('task.progress', { id: 't1', kind: 'index', percent: 40 }, 2)],
    expected: { t1: t1({ percent: 40, updated_at: at(2) }) },
  },
  {
    name: 'task.completed sets percent 100',
    events: [started, ev('task.progress', { id: 't1', kind: 'index', percent: 40 }, 1), ev('task.completed', { id: 't1' }, 2)],
    expected: { t1: t1({ status: 'completed', percent: 100, updated_at: at(2) }) },
  },
  {
    name: 'task.failed keeps the error and the percent reached',
    events: [started, ev('task.progress', { id: 't1', kind: 'index', percent: 40 }, 1), ev('task.failed', { id: 't1', error: 'disk full' }, 2)],
    expected: { t1: t1({ status: 'failed', percent: 40, error: 'disk full', updated_at: at(2) }) },
  },
  {
    name: 'task.failed takes the percent it reports',
    events: [started, ev('task.failed', { id: 't1', percent: 55, error: 'e' }, 2)],
    expected: { t1: t1({ status: 'failed', percent: 55, error: 'e', updated_at: at(2) }) },
  },
  {
    name: 'task.progress of an unknown task creates it running',
    events: [ev('task.progress', { id: 't2', kind: 'build', percent: 10 }, 3)],
    expected: { t2: { id: 't2', kind: 'build', percent: 10, status: 'running', started_at: at(3), updated_at: at(3) } },
  },
  {
    name: 'task.completed of an unknown task creates it completed with kind empty',
    events: [ev('task.completed', { id: 't2' }, 3)],
    expected: { t2: { id: 't2', kind: '', percent: 100, status: 'completed', started_at: at(3), updated_at: at(3) } },
  },
  {
    name: 'task.failed of an unknown task creates it failed at 0 percent',
    events: [ev('task.failed', { id: 't2', kind: 'build', error: 'x' }, 3)],
    expected: { t2: { id: 't2', kind: 'build', percent: 0, status: 'failed', error: 'x', started_at: at(3), updated_at: at(3) } },
  },
  {
    name: 'task.started of a failed task starts it afresh without the old error',
    events: [started, ev('task.failed', { id: 't1', error: 'e' }, 1), ev('task.started', { id: 't1', kind: 'index', percent: 5 }, 2)],
    expected: { t1: { id: 't1', kind: 'index', percent: 5, status: 'running', started_at: at(2), updated_at: at(2) } },
  },
  {
    name: 'task.progress after a failure runs again without the old error',
    events: [started, ev('task.failed', { id: 't1', error: 'e' }, 1), ev('task.progress', { id: 't1', kind: 'index', percent: 50 }, 2)],
    expected: { t1: t1({ percent: 50, updated_at: at(2) }) },
  },
  {
    name: 'a percent outside 0–100 is clamped',
    events: [ev('task.started', { id: 't1', kind: 'index', percent: 150, message: 'queued' }, 0)],
    expected: { t1: t1({ percent: 100 }) },
  },
];

describe('reduceTasks', () => {
  it.each(cases)('$name', ({ events, expected }) => {
    expect(fold(reduceTasks, {}, events)).toStrictEqual(expected);
  });

  const start = deepFreeze(fold(reduceTasks, {}, [started, ev('task.completed', { id: 't1' }, 1)]));
  it.each([
    ['an unknown task.* topic', ev('task.cancelled', { id: 't1' }, 2)],
    ['data that is not an object', ev('task.progress', 7, 2)],
    ['data without an id', ev('task.progress', { kind: 'index', percent: 1 }, 2)],
    ['a repeated task.completed at the same time', ev('task.completed', { id: 't1' }, 1)],
  ])('returns the same slice for %s', (_name, event) => {
    expect(reduceTasks(start, event)).toBe(start);
  });
});
