// Agents at work: running or waiting for permission, with their last action.

import { shallowEqual, useStore } from '@switchboard/react';
import type { AgentView, FleetState } from '@switchboard/projections';
import { StatusBadge } from '../../components/status-badge';

const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));

export function AgentList({ limit = 12 }: { limit?: number }) {
  const agents = useStore(
    (s: FleetState) =>
      Object.values(s.agents)
        .filter((a: AgentView) => a.status === 'running' || a.status === 'waiting_permission')
        .sort((a, b) => b.updated_at.localeCompare(a.updated_at))
        .slice(0, limit),
    shallowEqual,
  );
  return (
    <section className="panel" aria-labelledby="agents-title">
      <h2 id="agents-title">Agents</h2>
      {agents.length === 0 ? (
        <p className="empty">No agent is running.</p>
      ) : (
        <ul className="rows" data-testid="agent-list">
          {agents.map((a) => (
            <li key={a.id} className="row agent" data-agent={a.id}>
              <span className="name">{a.name || a.id}</span>
              <StatusBadge status={a.status} />
              <span className="muted ellipsis">{text(a.status === 'waiting_permission' ? a.detail : a.last_action ?? a.detail)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
