// What the dashboard shows, derived from the SDK's FleetState and the events it applied: counts, cost, session rows,
// the selected session's detail and activity feed entries. Pure: values in, values out, no React, no client.

import type { AgentView, CostTotals, FleetState, MetricsView, SessionView } from '@switchboard/projections';
import { describe, truncate } from './format';

/** The numbers of the stats bar. */
export interface FleetStats {
  /** Sessions known to the client, active and ended. */
  sessions: number;
  activeSessions: number;
  endedSessions: number;
  /** Agents running or waiting for a permission. */
  activeAgents: number;
  /** Agents waiting for a permission (a subset of `activeAgents`). */
  waitingAgents: number;
  /** Live swarms. */
  swarms: number;
  /** Fleet cost in USD (see `totalCost`). */
  totalCostUsd: number;
}

/** Whether an agent still counts as working: running, or paused on a permission request. */
export function isActiveAgent(agent: AgentView): boolean {
  return agent.status === 'running' || agent.status === 'waiting_permission';
}

/**
 * Fleet cost in USD: the producers' running `total_cost_usd` (authoritative, docs/protocol.md#events), or the sum of the
 * increments when no producer reported a total yet.
 */
export function totalCost(metrics: MetricsView): number {
  return metrics.total_cost_usd > 0 ? metrics.total_cost_usd : metrics.cost_usd;
}

export function fleetStats(state: FleetState): FleetStats {
  let activeSessions = 0;
  let endedSessions = 0;
  for (const s of Object.values(state.sessions)) {
    if (s.status === 'ended') endedSessions++;
    else activeSessions++;
  }
  let activeAgents = 0;
  let waitingAgents = 0;
  for (const a of Object.values(state.agents)) {
    if (isActiveAgent(a)) activeAgents++;
    if (a.status === 'waiting_permission') waitingAgents++;
  }
  return {
    sessions: activeSessions + endedSessions,
    activeSessions,
    endedSessions,
    activeAgents,
    waitingAgents,
    swarms: Object.keys(state.swarms).length,
    totalCostUsd: totalCost(state.metrics),
  };
}

/** One line of the session list. */
export interface SessionRow {
  id: string;
  /** The session's name, or its id when it has none. */
  name: string;
  target: string;
  /** Ended sessions are shown grayed. */
  ended: boolean;
  /** Agents of the session that are running or waiting. */
  activeAgents: number;
  costUsd: number;
}

/** The session list: active sessions first (newest first), then ended ones (most recently ended first). */
export function sessionRows(state: FleetState): SessionRow[] {
  const agentsBySession = countActiveAgents(state);
  const rows = Object.values(state.sessions).map((s) => ({
    session: s,
    row: {
      id: s.id,
      name: s.name || s.id,
      target: s.target,
      ended: s.status === 'ended',
      activeAgents: agentsBySession.get(s.id) ?? 0,
      costUsd: costOf(state.metrics, s.id).cost_usd,
    } satisfies SessionRow,
  }));
  rows.sort((a, b) => {
    if (a.row.ended !== b.row.ended) return a.row.ended ? 1 : -1;
    const ka = a.row.ended ? (a.session.ended_at ?? a.session.updated_at) : a.session.created_at;
    const kb = b.row.ended ? (b.session.ended_at ?? b.session.updated_at) : b.session.created_at;
    // ISO timestamps compare as strings; ids break ties so the order never flickers between renders.
    return kb.localeCompare(ka) || a.row.id.localeCompare(b.row.id);
  });
  return rows.map((r) => r.row);
}

function countActiveAgents(state: FleetState): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of Object.values(state.agents)) {
    if (isActiveAgent(a)) counts.set(a.session_id, (counts.get(a.session_id) ?? 0) + 1);
  }
  return counts;
}

function costOf(metrics: MetricsView, sessionId: string): CostTotals {
  return Object.hasOwn(metrics.by_session, sessionId)
    ? metrics.by_session[sessionId]!
    : { cost_usd: 0, tokens_in: 0, tokens_out: 0 };
}

/** One agent in the detail pane. */
export interface AgentRow {
  id: string;
  name: string;
  status: AgentView['status'];
  /** Last action, or the detail of the last status change; '' when none. */
  activity: string;
}

/** The detail pane of one session. */
export interface SessionDetail {
  session: SessionView;
  /** Active agents first, then finished ones, each group by start time. */
  agents: AgentRow[];
  cost: CostTotals;
  /** Ids of live swarms with at least one agent of this session. */
  swarms: string[];
}

const AGENT_ORDER: Record<AgentView['status'], number> = { waiting_permission: 0, running: 1, failed: 2, completed: 3 };

/** The detail of session `id`, or null when the client does not know it (none selected, or evicted). */
export function sessionDetail(state: FleetState, id: string | null): SessionDetail | null {
  if (id === null || !Object.hasOwn(state.sessions, id)) return null;
  const agents = Object.values(state.agents)
    .filter((a) => a.session_id === id)
    .sort((a, b) => AGENT_ORDER[a.status] - AGENT_ORDER[b.status] || a.started_at.localeCompare(b.started_at) || a.id.localeCompare(b.id));
  const agentIds = new Set(agents.map((a) => a.id));
  const swarms = Object.values(state.swarms)
    .filter((s) => s.agents.some((a) => agentIds.has(a)))
    .map((s) => s.id)
    .sort();
  return {
    session: state.sessions[id]!,
    agents: agents.map((a) => ({
      id: a.id,
      name: a.name || a.id,
      status: a.status,
      activity: describe(a.last_action ?? a.detail),
    })),
    cost: costOf(state.metrics, id),
    swarms,
  };
}

/** How an activity feed entry is shown: info plain, success green, warning yellow, error red. */
export type FeedLevel = 'info' | 'success' | 'warning' | 'error';

/** One line of the activity feed. */
export interface FeedEntry {
  /** Unique and stable: `e<seq>` for events, `c<n>` for connection notes. */
  key: string;
  /** ISO timestamp (the event's, or the local clock's for connection notes). */
  ts: string;
  level: FeedLevel;
  /** A one-character icon. */
  icon: string;
  text: string;
  /** The session the entry is about, when there is one. */
  sessionId?: string;
}

/** An applied event as the feed sees it (the SDK's `SwitchboardEvent`). */
export interface FeedEvent {
  seq: number;
  topic: string;
  ts: string;
  data: unknown;
}

/** Names in feed entries are cut to this many characters, so what happened stays visible on an 80-column line. */
const MAX_NAME = 24;

/**
 * The feed entry for an event, or null for events the feed leaves out (agent actions and cost updates arrive many
 * times a second and show up in the detail pane and stats bar instead). `state` is the state after the event was
 * applied, used to name agents and sessions that the event itself only refers to by id.
 */
export function feedEntryFor(event: FeedEvent, state: FleetState): FeedEntry | null {
  const d = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<string, unknown>;
  const id = typeof d.id === 'string' ? d.id : '';
  const base = { key: `e${event.seq}`, ts: event.ts };
  const detail = describe(d.detail);

  if (event.topic.startsWith('agent.')) {
    const agent = Object.hasOwn(state.agents, id) ? state.agents[id] : undefined;
    const sessionId = agent?.session_id ?? (typeof d.session_id === 'string' ? d.session_id : undefined);
    const name = truncate(agent?.name || stringOr(d.name, id), MAX_NAME);
    const where = sessionId ? ` (${sessionName(state, sessionId)})` : '';
    const about = sessionId ? { sessionId } : {};
    // The verb comes right after the name, so it survives truncation on an 80-column line.
    const line = (verb: string) => `agent ${name} ${verb}${where}${detail ? `: ${detail}` : ''}`;
    switch (event.topic) {
      case 'agent.started':
        return { ...base, ...about, level: 'info', icon: '▶', text: `agent ${name} started${where}` };
      case 'agent.completed':
        return { ...base, ...about, level: 'success', icon: '✓', text: line('completed') };
      case 'agent.failed':
        return { ...base, ...about, level: 'error', icon: '✗', text: line('failed') };
      case 'agent.permission_requested':
        return { ...base, ...about, level: 'warning', icon: '⚠', text: line('requests permission') };
      default:
        return null;
    }
  }
  if (event.topic === 'approval.requested') {
    const asker = typeof d.agent_id === 'string' ? agentName(state, d.agent_id) : 'an agent';
    const summary = typeof d.summary === 'string' && d.summary ? `: ${d.summary}` : '';
    return { ...base, level: 'warning', icon: '?', text: `${asker} asks to run ${stringOr(d.tool, 'a tool')}${summary} (i: inbox)` };
  }
  if (event.topic === 'approval.decided') {
    const approval = Object.hasOwn(state.approvals ?? {}, id) ? state.approvals[id] : undefined;
    const tool = approval?.tool ?? 'request';
    const by = stringOr(d.decided_by, '?');
    const reason = typeof d.reason === 'string' && d.reason ? `: ${d.reason}` : '';
    if (d.decision === 'allow') return { ...base, level: 'success', icon: '✓', text: `${tool} allowed by ${by}` };
    if (d.decision === 'deny') return { ...base, level: 'error', icon: '✗', text: `${tool} denied by ${by}${reason}` };
    return { ...base, level: 'info', icon: '⌛', text: `${tool} expired unanswered` };
  }
  switch (event.topic) {
    case 'session.created':
      return { ...base, sessionId: id, level: 'info', icon: '+', text: `session ${sessionName(state, id)} created` };
    case 'session.ended':
      return { ...base, sessionId: id, level: 'info', icon: '■', text: `session ${sessionName(state, id)} ended` };
    case 'swarm.formed': {
      const members = Array.isArray(d.agents) ? d.agents.length : 0;
      const goal = typeof d.goal === 'string' && d.goal ? `: ${d.goal}` : '';
      return { ...base, level: 'info', icon: '◆', text: `swarm ${id} formed with ${members} agent${members === 1 ? '' : 's'}${goal}` };
    }
    case 'swarm.dissolved':
      return { ...base, level: 'info', icon: '◇', text: `swarm ${id} dissolved` };
    case 'task.completed': {
      const kind = taskKind(state, id, d);
      return { ...base, level: 'success', icon: '✓', text: `task ${kind}${id} completed` };
    }
    case 'task.failed': {
      const kind = taskKind(state, id, d);
      const error = typeof d.error === 'string' && d.error ? d.error : (Object.hasOwn(state.tasks, id) ? state.tasks[id]!.error : undefined);
      return { ...base, level: 'error', icon: '✗', text: `task ${kind}${id} failed${error ? `: ${error}` : ''}` };
    }
    default:
      return null;
  }
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value ? value : fallback;
}

function agentName(state: FleetState, id: string): string {
  return truncate((Object.hasOwn(state.agents, id) && state.agents[id]!.name) || id, MAX_NAME);
}

function sessionName(state: FleetState, id: string): string {
  return truncate((Object.hasOwn(state.sessions, id) && state.sessions[id]!.name) || id, MAX_NAME);
}

function taskKind(state: FleetState, id: string, d: Record<string, unknown>): string {
  const kind = stringOr(d.kind, Object.hasOwn(state.tasks, id) ? state.tasks[id]!.kind : '');
  return kind ? `${kind} ` : '';
}

/** `feed` with `entry` appended (newest last), keeping at most `limit` entries. Never mutates `feed`. */
export function appendFeed(feed: readonly FeedEntry[], entry: FeedEntry, limit: number): FeedEntry[] {
  const next = feed.length >= limit ? feed.slice(feed.length - limit + 1) : feed.slice();
  next.push(entry);
  return next;
}
