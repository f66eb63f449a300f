// Tasks with progress bars (seed 001's agent activity): running first, then the latest finished ones.

import { shallowEqual, useStore } from '@switchboard/react';
import type { FleetState, TaskView } from '@switchboard/projections';
import { ProgressBar } from '../../components/progress-bar';
import { StatusBadge } from '../../components/status-badge';

const order = (a: TaskView, b: TaskView) =>
  (a.status === 'running' ? 0 : 1) - (b.status === 'running' ? 0 : 1) || b.updated_at.localeCompare(a.updated_at);

export function TaskList({ limit = 8 }: { limit?: number }) {
  const tasks = useStore((s: FleetState) => Object.values(s.tasks).sort(order).slice(0, limit), shallowEqual);
  return (
    <section className="panel" aria-labelledby="tasks-title">
      <h2 id="tasks-title">Tasks</h2>
      {tasks.length === 0 ? (
        <p className="empty">No tasks yet.</p>
      ) : (
        <ul className="rows" data-testid="task-list">
          {tasks.map((t) => (
            <li key={t.id} className="task" data-task={t.id} data-status={t.status}>
              <div className="task-head">
                <span className="name">{t.id}</span>
                <span className="muted">{t.kind}</span>
                <StatusBadge status={t.status} />
                <span className="num">{Math.round(t.percent)}%</span>
              </div>
              <ProgressBar percent={t.percent} status={t.status} label={`${t.id} progress`} />
              {t.error || t.message ? <div className={t.error ? 'error-text' : 'muted'}>{t.error ?? t.message}</div> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
