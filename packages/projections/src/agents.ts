// The `agents` slice: agent.* lifecycle and last action, keeping at most MAX_FINISHED_AGENTS completed or failed.

import { MAX_FINISHED_AGENTS } from './constants';
import { evictOldest } from './evict';
import { dataOf, idOf, stringField } from './event-data';
import { compact, getRecord, putRecord } from './records';
import type { AgentView, SliceReducer } from './state';

type Agents = Record<string, AgentView>;

const TOPICS = new Set([
  'agent.started',
  'agent.action',
  'agent.permission_requested',
  'agent.completed',
  'agent.failed',
]);

/**
 * Fold one `agent.*` event. `started` (re)starts an agent as running; `action` records `last_action`
 * (`data.detail ?? data.action`); `permission_requested`, `completed` and `failed` set the status and keep the
 * latest `detail`. An event for an unknown agent creates it when it names a `session_id`, and is ignored otherwise.
 */
export const reduceAgents: SliceReducer<Agents> = (slice, event) => {
  if (!TOPICS.has(event.topic)) return slice;
  const d = dataOf(event);
  const id = d && idOf(d);
  if (!d || !id) return slice;
  const prev = getRecord(slice, id);
  const sessionId = stringField(d, 'session_id') ?? prev?.session_id;
  if (sessionId === undefined) return slice;

  const base: AgentView =
    prev && event.topic !== 'agent.started'
      ? prev
      : { id, session_id: sessionId, name: '', status: 'running', started_at: event.ts, updated_at: event.ts };
  const common = { ...base, session_id: sessionId, name: stringField(d, 'name') ?? base.name, updated_at: event.ts };

  let next: AgentView;
  switch (event.topic) {
    case 'agent.started':
      next = { ...common, status: 'running', detail: d.detail };
      break;
    case 'agent.action':
      next = {
        ...common,
        last_action: d.detail ?? d.action ?? base.last_action,
        // An agent acting again has had its permission answered; no other topic says so.
        status: base.status === 'waiting_permission' ? 'running' : base.status,
      };
      break;
    case 'agent.permission_requested':
      next = { ...common, status: 'waiting_permission', detail: d.detail ?? base.detail };
      break;
    case 'agent.completed':
      next = { ...common, status: 'completed', detail: d.detail ?? base.detail };
      break;
    default: // agent.failed
      next = { ...common, status: 'failed', detail: d.detail ?? base.detail };
  }
  const after = putRecord(slice, id, compact(next));
  if (after === slice || !isFinished(next)) return after;
  return evictOldest(after, MAX_FINISHED_AGENTS, isFinished, (a) => a.updated_at);
};

function isFinished(a: AgentView): boolean {
  return a.status === 'completed' || a.status === 'failed';
}
