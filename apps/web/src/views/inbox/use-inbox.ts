// What the inbox shows, read from the SDK's store (the `approvals` slice, docs/protocol.md "Approvals"): pending
// approvals longest-waiting first, the most recently decided, and names for the agents and sessions they mention.

import { shallowEqual, useStore } from '@switchboard/react';
import { decidedApprovals, pendingApprovals, type FleetState } from '@switchboard/projections';
import type { ApprovalView } from '@switchboard/protocol';

/** Decided approvals the inbox lists under the pending ones. */
export const RECENT_DECIDED = 15;

export interface InboxRow extends ApprovalView {
  agent_name?: string;
  session_name?: string;
}

function withNames(s: FleetState, a: ApprovalView): InboxRow {
  const agent = a.agent_id !== undefined && Object.hasOwn(s.agents, a.agent_id) ? s.agents[a.agent_id] : undefined;
  const sessionId = a.session_id ?? agent?.session_id;
  const session = sessionId !== undefined && Object.hasOwn(s.sessions, sessionId) ? s.sessions[sessionId] : undefined;
  if (!agent?.name && !session?.name) return a;
  return { ...a, ...(agent?.name ? { agent_name: agent.name } : {}), ...(session?.name ? { session_name: session.name } : {}) };
}

/** Approvals are records that never change once decided, so rows compare by identity except for the names. */
const rowsEqual = (a: InboxRow[], b: InboxRow[]): boolean =>
  a.length === b.length && a.every((r, i) => shallowEqual(r, b[i]!));

export function usePendingApprovals(): InboxRow[] {
  return useStore((s: FleetState) => pendingApprovals(s.approvals ?? {}).map((a) => withNames(s, a)), rowsEqual);
}

export function useRecentDecisions(): InboxRow[] {
  return useStore((s: FleetState) => decidedApprovals(s.approvals ?? {}).slice(0, RECENT_DECIDED).map((a) => withNames(s, a)), rowsEqual);
}
