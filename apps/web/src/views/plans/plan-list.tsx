// Every plan the server knows (the `plans` projection of the client), newest first.

import { shallowEqual, useStore } from '@switchboard/react';
import type { FleetState, PlanView } from '@switchboard/projections';
import { Link } from '../../components/link';
import { StatusBadge } from '../../components/status-badge';
import { seg } from '../../lib/api';
import { timeAgo } from '../../lib/format';
import { useNow } from '../../lib/use-now';

export function PlanList({ selected }: { selected: string | null }) {
  const plans = useStore(
    (s: FleetState) => (Object.values(s.plans) as unknown as PlanView[]).sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, 100),
    shallowEqual,
  );
  const now = useNow();
  if (plans.length === 0) return <p className="empty">No plans yet.</p>;
  return (
    <ul className="rows" data-testid="plan-list">
      {plans.map((p) => {
        const done = p.steps.filter((s) => s.status === 'completed').length;
        return (
          <li key={p.id} className={`row plan ${selected === p.id ? 'selected' : ''}`} data-plan={p.id} data-status={p.status}>
            <Link href={`/plans/${seg(p.id)}`} className="name" aria-current={selected === p.id ? 'true' : undefined}>
              {p.name}
            </Link>
            <StatusBadge status={p.status} />
            <span className="muted num">
              {done}/{p.steps.length} steps
            </span>
            <span className="muted time">{timeAgo(p.created_at, now)}</span>
          </li>
        );
      })}
    </ul>
  );
}
