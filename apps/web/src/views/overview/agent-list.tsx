// Agents at work: running or waiting for permission, with their last action.

import { memo } from 'react';
import { useStore } from '@switchboard/react';
import type { AgentView, FleetState } from '@switchboard/projections';
import { StatusBadge } from '../../components/status-badge';
import { memoLast } from '../../lib/memo';

const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));

/** Recomputed only when the agents slice changed, not for every task or cost event. */
const activeAgents = memoLast((agents: FleetState['agents'], limit: number): AgentView[] =>
  Object.values(agents)
    .filter((a) => a.status === 'running' || a.status === 'waiting_permission')
    .sort((a, b) => b.updated_at.localeCompare(a.updated_at))
    .slice(0, limit),
);

const AgentRow = memo(function AgentRow({ agent: a }: { agent: AgentView }) {
  return (
    <li className="row agent" data-agent={a.id}>
      <span className="name">{a.name || a.id}</span>
      <StatusBadge status={a.status} />
      <span className="muted ellipsis">{text(a.status === 'waiting_permission' ? a.detail : a.last_action ?? a.detail)}</span>
    </li>
  );
});

export function AgentList({ limit = 12 }: { limit?: number }) {
  const agents = useStore((s: FleetState) => activeAgents(s.agents, limit));
  return (
    <section className="panel" aria-labelledby="agents-title">
      <h2 id="agents-title">Agents</h2>
      {agents.length === 0 ? (
        <p className="empty">No agent is running.</p>
      ) : (
        <ul className="rows" data-testid="agent-list">
          {agents.map((a) => (
            <AgentRow key={a.id} agent={a} />
          ))}
        </ul>
      )}
    </section>
  );
}
