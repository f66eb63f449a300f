// The stats bar: sessions, active agents, running tasks and cost, from the client's projections.

import { shallowEqual, useStore } from '@switchboard/react';
import type { FleetState } from '@switchboard/projections';
import { compactNumber, formatCost } from '../../lib/format';
import { memoLast } from '../../lib/memo';

// Each count is kept per slice, so a cost event does not recount agents and an agent event does not recount tasks.
const sessionCounts = memoLast((sessions: FleetState['sessions']) => {
  let active = 0;
  let all = 0;
  for (const x of Object.values(sessions)) {
    all++;
    if (x.status === 'active') active++;
  }
  return { active, all };
});

const agentCounts = memoLast((agents: FleetState['agents']) => {
  let active = 0;
  let waiting = 0;
  for (const a of Object.values(agents)) {
    if (a.status === 'running') active++;
    else if (a.status === 'waiting_permission') {
      active++;
      waiting++;
    }
  }
  return { active, waiting };
});

const runningTasks = memoLast((tasks: FleetState['tasks']) => {
  let n = 0;
  for (const t of Object.values(tasks)) if (t.status === 'running') n++;
  return n;
});

function stats(s: FleetState) {
  const sessions = sessionCounts(s.sessions);
  const agents = agentCounts(s.agents);
  return {
    activeSessions: sessions.active,
    sessions: sessions.all,
    activeAgents: agents.active,
    waiting: agents.waiting,
    runningTasks: runningTasks(s.tasks),
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
