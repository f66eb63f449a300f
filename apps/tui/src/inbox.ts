// What the inbox shows (docs/protocol.md, "Approvals"): pending approvals longest-waiting first, with the names of
// their agents and sessions, and the last few decisions. Pure: values in, values out.

import { decidedApprovals, pendingApprovals, type ApprovalView, type FleetState } from '@switchboard/projections';
import { INBOX_RECENT_DECIDED } from './constants';

export interface InboxRow {
  id: string;
  tool: string;
  summary: string;
  /** The agent's name, else its id, else ''. */
  agent: string;
  /** The session's name, else its id, else ''. */
  session: string;
  requestedAt: string;
}

export interface DecidedRow {
  id: string;
  tool: string;
  decision: string;
  by: string;
  reason: string;
}

export function inboxRows(state: FleetState): InboxRow[] {
  return pendingApprovals(state.approvals ?? {}).map((a) => rowOf(state, a));
}

export function recentDecisions(state: FleetState, limit = INBOX_RECENT_DECIDED): DecidedRow[] {
  return decidedApprovals(state.approvals ?? {})
    .slice(0, limit)
    .map((a) => ({ id: a.id, tool: a.tool, decision: a.decision ?? '', by: a.decided_by ?? '', reason: a.reason ?? '' }));
}

function rowOf(state: FleetState, a: ApprovalView): InboxRow {
  const agent = a.agent_id !== undefined && Object.hasOwn(state.agents, a.agent_id) ? state.agents[a.agent_id] : undefined;
  const sessionId = a.session_id ?? agent?.session_id;
  const session = sessionId !== undefined && Object.hasOwn(state.sessions, sessionId) ? state.sessions[sessionId] : undefined;
  return {
    id: a.id,
    tool: a.tool,
    summary: a.summary,
    agent: agent?.name || a.agent_id || '',
    session: session?.name || sessionId || '',
    requestedAt: a.requested_at,
  };
}

/** `12s`, `4m05s`, `3h12m`: how long a request has waited, in at most six cells. */
export function waited(iso: string, now: number): string {
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
