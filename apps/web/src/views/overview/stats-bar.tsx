// The stats bar: sessions, active agents, running tasks and cost, from the client's projections.

import { shallowEqual, useStore } from '@switchboard/react';
import type { FleetState } from '@switchboard/projections';
import { compactNumber, formatCost } from '../../lib/format';

function stats(s: FleetState) {
  const sessions = Object.values(s.sessions);
  const agents = Object.values(s.agents);
  return {
    activeSessions: sessions.filter((x) => x.status === 'active').length,
    sessions: sessions.length,
    activeAgents: agents.filter((a) => a.status === 'running' || a.status === 'waiting_permission').length,
    waiting: agents.filter((a) => a.status === 'waiting_permission').length,
    runningTasks: Object.values(s.tasks).filter((t) => t.status === 'running').length,
    cost: Math.max(s.metrics.total_cost_usd, s.metrics.cost_usd),
    tokens: s.metrics.tokens_in + s.metrics.tokens_out,
  };
}

export function StatsBar() {
  const v = useStore(stats, shallowEqual);
  return (
    <dl className="stats" data-testid="stats-bar">
      <div>
        <dt>Sessions</dt>
        <dd data-testid="stat-sessions">
          {v.activeSessions}
          <small> active / {v.sessions}</small>
        </dd>
      </div>
      <div>
        <dt>Active agents</dt>
        <dd data-testid="stat-agents">
          {v.activeAgents}
          {v.waiting > 0 ? <small> · {v.waiting} waiting</small> : null}
        </dd>
      </div>
      <div>
        <dt>Running tasks</dt>
        <dd data-testid="stat-tasks">{v.runningTasks}</dd>
      </div>
      <div>
        <dt>Cost</dt>
        <dd data-testid="stat-cost">
          {formatCost(v.cost)}
          <small> · {compactNumber(v.tokens)} tokens</small>
        </dd>
      </div>
    </dl>
  );
}
