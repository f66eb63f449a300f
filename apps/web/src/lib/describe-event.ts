// One readable line per event for the activity feed: who did what, from the catalogue's fields (docs/protocol.md#events).

import type { SwitchboardEvent } from '@switchboard/client';

const s = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** `planner: Edit src/app.ts`, `index-7 42%`, `agent-1 → agent-2 task.handoff delivered`. */
export function describeEvent(e: SwitchboardEvent): string {
  const d = (e.data ?? {}) as Record<string, unknown>;
  const family = e.topic.split('.')[0];
  switch (family) {
    case 'session':
      return [s(d.name) || s(d.id), s(d.target)].filter(Boolean).join(' · ');
    case 'agent':
      return [s(d.name) || s(d.id), s(d.detail ?? d.action)].filter(Boolean).join(': ');
    case 'swarm':
      return [s(d.goal), Array.isArray(d.agents) ? `${d.agents.length} agents` : ''].filter(Boolean).join(' · ') || s(d.id);
    case 'metrics':
      return `+$${Number(d.cost_usd ?? 0).toFixed(4)} · total $${Number(d.total_cost_usd ?? 0).toFixed(2)}`;
    case 'task':
      return [s(d.id), d.percent !== undefined ? `${s(d.percent)}%` : '', s(d.error ?? d.message)].filter(Boolean).join(' ');
    case 'document':
      return s(d.name) || s(d.id);
    case 'search':
      return `“${s(d.query)}” → ${s(d.results)} results`;
    case 'instance':
      return [s(d.name), s(d.status)].filter(Boolean).join(' ');
    case 'message':
      return `${s(d.from)} → ${s(d.to)} ${s(d.message_type)}`;
    case 'plan':
      return [s(d.name) || s(d.plan_id ?? d.id), typeof d.step_index === 'number' ? `step ${d.step_index + 1}` : '', s(d.status ?? d.error)].filter(Boolean).join(' ');
    case 'workspace':
      return s(d.path ?? d.id);
    case 'approval':
      return e.topic === 'approval.decided'
        ? [s(d.decision), d.decided_by ? `by ${s(d.decided_by)}` : '', s(d.reason)].filter(Boolean).join(' ')
        : [s(d.agent_id), s(d.tool), s(d.summary)].filter(Boolean).join(': ');
    default:
      return s(d).slice(0, 160);
  }
}
