// The `agents` slice: agent.* lifecycle and last action, keeping at most MAX_FINISHED_AGENTS completed or failed.

import { MAX_FINISHED_AGENTS } from './constants';
import { evictOldest } from './evict';
import { dataOf, idOf, stringField } from './event-data';
import { compact, getRecord, putRecord } from './records';
import type { AgentView, ProjectedEvent, SliceReducer } from './state';

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
 *
 * Approvals (docs/protocol.md, "Approvals"): `permission_requested` keeps its `approval_id`; `approval.requested`
 * naming a known agent makes it wait for that approval, and its `approval.decided` (or the agent acting, ending or
 * failing) ends the wait. Approval events never create an agent.
 */
export const reduceAgents: SliceReducer<Agents> = (slice, event) => {
  if (event.topic === 'approval.requested' || event.topic === 'approval.decided') return foldApproval(slice, event);
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
        // An agent acting again has had its permission answered, whether or not an approval said so.
        status: base.status === 'waiting_permission' ? 'running' : base.status,
        approval_id: undefined,
      };
      break;
    case 'agent.permission_requested':
      next = { ...common, status: 'waiting_permission', detail: d.detail ?? base.detail, approval_id: stringField(d, 'approval_id') };
      break;
    case 'agent.completed':
      next = { ...common, status: 'completed', detail: d.detail ?? base.detail, approval_id: undefined };
      break;
    default: // agent.failed
      next = { ...common, status: 'failed', detail: d.detail ?? base.detail, approval_id: undefined };
  }
  const after = putRecord(slice, id, compact(next));
  if (after === slice || !isFinished(next)) return after;
  return evictOldest(after, MAX_FINISHED_AGENTS, isFinished, (a) => a.updated_at);
};

function foldApproval(slice: Agents, event: ProjectedEvent): Agents {
  const d = dataOf(event);
  const approvalId = d && idOf(d);
  const agentId = d && stringField(d, 'agent_id');
  if (!approvalId || agentId === undefined) return slice;
  const prev = getRecord(slice, agentId);
  if (!prev || isFinished(prev)) return slice;
  if (event.topic === 'approval.requested') {
    return putRecord(slice, agentId, { ...prev, status: 'waiting_permission', approval_id: approvalId, updated_at: event.ts });
  }
  // approval.decided: only the approval the agent waits for ends its wait (an older one may be decided late).
  if (prev.approval_id !== approvalId) return slice;
  return putRecord(slice, agentId, compact({ ...prev, status: 'running', approval_id: undefined, updated_at: event.ts }));
}

function isFinished(a: AgentView): boolean {
  return a.status === 'completed' || a.status === 'failed';
}
