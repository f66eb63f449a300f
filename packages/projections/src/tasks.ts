// The `tasks` slice: task.* progress and outcome, keeping at most MAX_FINISHED_TASKS completed or failed.

import { MAX_FINISHED_TASKS } from './constants';
import { evictOldest } from './evict';
import { dataOf, idOf, numberField, stringField } from './event-data';
import { compact, getRecord, putRecord } from './records';
import type { SliceReducer, TaskView } from './state';

type Tasks = Record<string, TaskView>;

const TOPICS = new Set(['task.started', 'task.progress', 'task.completed', 'task.failed']);

/**
 * Fold one `task.*` event. `started` (re)starts a task; `progress` sets `percent` and `message` and marks it
 * running; `completed` sets percent 100; `failed` keeps the percent reached and records `error`. An event for an
 * unknown task creates it (kind '' when the event has none), since every such event describes the whole task.
 */
export const reduceTasks: SliceReducer<Tasks> = (slice, event) => {
  if (!TOPICS.has(event.topic)) return slice;
  const d = dataOf(event);
  const id = d && idOf(d);
  if (!d || !id) return slice;
  const prev = getRecord(slice, id);
  const base: TaskView =
    prev && event.topic !== 'task.started'
      ? prev
      : { id, kind: '', percent: 0, status: 'running', started_at: event.ts, updated_at: event.ts };
  const percent = percentOf(numberField(d, 'percent'));
  const common = {
    ...base,
    kind: stringField(d, 'kind') ?? base.kind,
    message: stringField(d, 'message') ?? base.message,
    updated_at: event.ts,
  };

  let next: TaskView;
  switch (event.topic) {
    case 'task.started':
    case 'task.progress':
      // A running task has no error; one left from an earlier failure would be stale.
      next = { ...common, status: 'running', percent: percent ?? base.percent, error: undefined };
      break;
    case 'task.completed':
      next = { ...common, status: 'completed', percent: 100, error: undefined };
      break;
    default: // task.failed
      next = { ...common, status: 'failed', percent: percent ?? base.percent, error: stringField(d, 'error') ?? base.error };
  }
  const after = putRecord(slice, id, compact(next));
  if (after === slice || !isFinished(next)) return after;
  return evictOldest(after, MAX_FINISHED_TASKS, isFinished, (t) => t.updated_at);
};

/** The catalogue bounds percent to 0–100; clamp anyway so a progress bar never overflows. */
function percentOf(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.min(100, Math.max(0, value));
}

function isFinished(t: TaskView): boolean {
  return t.status === 'completed' || t.status === 'failed';
}
