// The instances table: name, status, restart policy, pid, port, command and actions; the selected row is the one
// whose log tail is open.

import { StatusBadge } from '../../components/status-badge';
import { timeAgo, timeUntil } from '../../lib/format';
import { useNow } from '../../lib/use-now';
import { InstanceActions } from './instance-actions';
import type { InstanceRow } from './use-instances';

export function InstanceTable({ instances, selected }: { instances: InstanceRow[]; selected: string | null }) {
  const now = useNow();
  if (instances.length === 0) return <p className="empty">No instances. Create one above: a name and a shell command.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="instance-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Restart</th>
            <th scope="col" className="hide-narrow">PID</th>
            <th scope="col">Port</th>
            <th scope="col" className="hide-narrow">Command</th>
            <th scope="col" className="hide-narrow">Started</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {instances.map((i) => (
            <tr key={i.name} data-instance={i.name} data-status={i.status} className={`${selected === i.name ? 'selected' : ''} ${i.archived_at ? 'ended' : ''}`}>
              <th scope="row" className="name">
                {i.name}
                {i.archived_at ? <small className="muted"> archived</small> : null}
              </th>
              <td>
                <StatusBadge status={i.status} />
                {i.status === 'crashed' && i.exit_code != null ? <small className="muted"> exit {i.exit_code}</small> : null}
                {i.status === 'crashed' && i.status_reason === 'crash_loop' ? <small className="danger"> crash loop</small> : null}
              </td>
              <td data-testid="restart-cell">
                <RestartCell instance={i} now={now} />
              </td>
              <td className="num hide-narrow">{i.pid ?? '—'}</td>
              <td className="num">{i.port ?? '—'}</td>
              <td className="mono ellipsis hide-narrow" title={i.command}>
                {i.command ?? ''}
              </td>
              <td className="muted hide-narrow">{i.status === 'running' ? timeAgo(i.started_at, now) : '—'}</td>
              <td>
                <InstanceActions instance={i} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Policy, automatic restarts so far (↻ N) and the countdown to the pending one. */
function RestartCell({ instance: i, now }: { instance: InstanceRow; now: number }) {
  const policy = i.restart ?? 'no';
  const count = i.restart_count ?? 0;
  return (
    <>
      <span className={policy === 'no' ? 'muted' : ''}>{policy}</span>
      {count > 0 ? <small className="muted" title={`${count} automatic restarts`}> ↻{count}</small> : null}
      {i.next_restart_at ? <small className="warn" title={`automatic restart at ${i.next_restart_at}`}> restart {timeUntil(i.next_restart_at, now)}</small> : null}
    </>
  );
}
