// The read models of Switchboard: one slice per family, keyed the way clients read them (docs/protocol.md#events).

import type { ApprovalView, EventEnvelope } from '@switchboard/protocol';

/** Event as a projection sees it; `seq`/`id` are optional so reducers can be table-tested with bare events. */
export type ProjectedEvent = Pick<EventEnvelope, 'topic' | 'data' | 'ts'> & Partial<Pick<EventEnvelope, 'seq' | 'id'>>;

export interface SessionView {
  id: string;
  name: string;
  target: string;
  workspace_id?: string;
  instance?: string;
  status: 'active' | 'ended';
  created_at: string;
  updated_at: string;
  ended_at?: string;
}

export interface AgentView {
  id: string;
  session_id: string;
  name: string;
  status: 'running' | 'waiting_permission' | 'completed' | 'failed';
  /** The approval the agent waits for while `waiting_permission` (docs/protocol.md, "Approvals"). */
  approval_id?: string;
  detail?: unknown;
  last_action?: unknown;
  started_at: string;
  updated_at: string;
}

export interface SwarmView {
  id: string;
  agents: string[];
  goal?: string;
  formed_at: string;
  updated_at: string;
}

export interface CostTotals {
  cost_usd: number;
  tokens_in: number;
  tokens_out: number;
}

export interface MetricsView extends CostTotals {
  /** Latest `total_cost_usd` reported by producers (authoritative when present). */
  total_cost_usd: number;
  by_session: Record<string, CostTotals>;
  updated_at: string | null;
}

export interface TaskView {
  id: string;
  kind: string;
  percent: number;
  status: 'running' | 'completed' | 'failed';
  message?: string;
  error?: string;
  started_at: string;
  updated_at: string;
}

export interface DocumentView { id: string; name: string; indexed_at: string }
export interface SearchView { id: string; query: string; results: number; completed_at: string }

/** Server-owned families: their view types live with their projections (instances, messages, plans, workspaces). */
export type OpaqueView = Record<string, unknown>;

export interface FleetState {
  sessions: Record<string, SessionView>;
  agents: Record<string, AgentView>;
  swarms: Record<string, SwarmView>;
  metrics: MetricsView;
  tasks: Record<string, TaskView>;
  documents: Record<string, DocumentView>;
  searches: Record<string, SearchView>;
  instances: Record<string, OpaqueView>;
  messages: Record<string, OpaqueView>;
  plans: Record<string, OpaqueView>;
  workspaces: Record<string, OpaqueView>;
  /** Pending approvals and the most recently decided, in request order (approvals.ts). */
  approvals: Record<string, ApprovalView>;
}

export type StateKey = keyof FleetState;

/** Which state slice a family's events fold into. Families not listed have no projection. */
export const FAMILY_STATE_KEY: Record<string, StateKey> = {
  session: 'sessions',
  agent: 'agents',
  swarm: 'swarms',
  metrics: 'metrics',
  task: 'tasks',
  document: 'documents',
  search: 'searches',
  instance: 'instances',
  message: 'messages',
  plan: 'plans',
  workspace: 'workspaces',
  approval: 'approvals',
};

/**
 * Slices that also fold another family's events, besides the slice of that family: an agent waiting for an
 * approval shows as waiting in `agents` (agents.ts), so `approval.*` events reach both `approvals` and `agents`.
 */
export const ALSO_FOLDED_BY: Record<string, readonly StateKey[]> = {
  approval: ['agents'],
};

/**
 * The state key of a family, or `undefined` when it has no projection. Only own entries count, so a custom
 * family named `constructor` or `__proto__` is just an unknown family.
 */
export function stateKeyOf(family: string): StateKey | undefined {
  return Object.hasOwn(FAMILY_STATE_KEY, family) ? FAMILY_STATE_KEY[family] : undefined;
}

/** A family reducer: pure, returns the same slice when the event changes nothing. */
export type SliceReducer<S> = (slice: S, event: ProjectedEvent) => S;
