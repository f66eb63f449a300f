// Sessions, active first and newest first; ended ones grayed out. Shows each session's agents and cost.

import { memo } from 'react';
import { useStore } from '@switchboard/react';
import type { FleetState, SessionView } from '@switchboard/projections';
import { getOwn, setOwn } from '@switchboard/protocol';
import { formatCost, timeAgo } from '../../lib/format';
import { memoLast } from '../../lib/memo';
import { useNow } from '../../lib/use-now';

const byActivity = (a: SessionView, b: SessionView) =>
  a.status === b.status ? b.created_at.localeCompare(a.created_at) : a.status === 'active' ? -1 : 1;

/** Recomputed only when the sessions slice changed. */
const shownSessions = memoLast((sessions: FleetState['sessions'], limit: number): SessionView[] => Object.values(sessions).sort(byActivity).slice(0, limit));

/** Working agents per session; recomputed only when the agents slice changed. */
const agentCountsOf = memoLast((agents: FleetState['agents']): Record<string, number> => {
  const counts: Record<string, number> = {};
  // Session ids are producer input: `toString` or `__proto__` must count like any id.
  for (const a of Object.values(agents)) if (a.status === 'running' || a.status === 'waiting_permission') setOwn(counts, a.session_id, (getOwn(counts, a.session_id) ?? 0) + 1);
  return counts;
});

const SessionRow = memo(function SessionRow({ session: s, agents, cost, ago }: { session: SessionView; agents: number; cost: number; ago: string }) {
  return (
    <li className={`row session ${s.status === 'ended' ? 'ended' : ''}`} data-session={s.id} data-status={s.status}>
      <span className="name" title={s.id}>
        {s.name || s.id}
      </span>
      <span className="muted">{s.target}</span>
      <span className="muted">{agents ? `${agents} agents` : s.status === 'ended' ? 'ended' : 'idle'}</span>
      <span className="num">{formatCost(cost)}</span>
      <span className="muted time">{ago}</span>
    </li>
  );
});

export function SessionList({ limit = 30 }: { limit?: number }) {
  const sessions = useStore((s: FleetState) => shownSessions(s.sessions, limit));
  const agentCounts = useStore((s: FleetState) => agentCountsOf(s.agents));
  const costs = useStore((s: FleetState) => s.metrics.by_session);
  const now = useNow();
  return (
    <section className="panel" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      {sessions.length === 0 ? (
        <p className="empty">No sessions yet.</p>
      ) : (
        <ul className="rows" data-testid="session-list">
          {sessions.map((s) => (
            <SessionRow
              key={s.id}
              session={s}
              agents={getOwn(agentCounts, s.id) ?? 0}
              cost={getOwn(costs, s.id)?.cost_usd ?? 0}
              ago={timeAgo(s.ended_at ?? s.created_at, now)}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
