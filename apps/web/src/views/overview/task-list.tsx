// Tasks with progress bars (the 3D-client contract's agent activity): running first, then the latest finished ones.

import { memo } from 'react';
import { useStore } from '@switchboard/react';
import type { FleetState, TaskView } from '@switchboard/projections';
import { ProgressBar } from '../../components/progress-bar';
import { StatusBadge } from '../../components/status-badge';
import { memoLast } from '../../lib/memo';

const order = (a: TaskView, b: TaskView) =>
  (a.status === 'running' ? 0 : 1) - (b.status === 'running' ? 0 : 1) || b.updated_at.localeCompare(a.updated_at);

/** Recomputed only when the tasks slice changed. */
const shownTasks = memoLast((tasks: FleetState['tasks'], limit: number): TaskView[] => Object.values(tasks).sort(order).slice(0, limit));

const TaskRow = memo(function TaskRow({ task: t }: { task: TaskView }) {
  return (
    <li className="task" data-task={t.id} data-status={t.status}>
      <div className="task-head">
        <span className="name">{t.id}</span>
        <span className="muted">{t.kind}</span>
        <StatusBadge status={t.status} />
        <span className="num">{Math.round(t.percent)}%</span>
      </div>
      <ProgressBar percent={t.percent} status={t.status} label={`${t.id} progress`} />
      {t.error || t.message ? <div className={t.error ? 'error-text' : 'muted'}>{t.error ?? t.message}</div> : null}
    </li>
  );
});

export function TaskList({ limit = 8 }: { limit?: number }) {
  const tasks = useStore((s: FleetState) => shownTasks(s.tasks, limit));
  return (
    <section className="panel" aria-labelledby="tasks-title">
      <h2 id="tasks-title">Tasks</h2>
      {tasks.length === 0 ? (
        <p className="empty">No tasks yet.</p>
      ) : (
        <ul className="rows" data-testid="task-list">
          {tasks.map((t) => (
            <TaskRow key={t.id} task={t} />
          ))}
        </ul>
      )}
    </section>
  );
}
