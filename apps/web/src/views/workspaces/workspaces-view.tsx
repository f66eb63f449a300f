// Workspaces (the workspace-dashboard contract): git status and sessions, live from `/ws/sessions`, with spawn, dispose and nicknames.

import { useSessionsWebSocket } from '@switchboard/react';
import { StreamNote } from '../../components/stream-note';
import { TOKEN } from '../../lib/settings';
import { useNow } from '../../lib/use-now';
import { AddWorkspaceForm } from './add-workspace-form';
import { WorkspaceCard } from './workspace-card';

export function WorkspacesView() {
  const { workspaces, status, polling, connected } = useSessionsWebSocket({ token: TOKEN });
  const now = useNow();
  return (
    <div className="view workspaces">
      <section className="panel" aria-labelledby="workspaces-title">
        <div className="panel-head">
          <h2 id="workspaces-title">Workspaces</h2>
          <StreamNote live={{ status, polling, error: null }} name="workspaces" />
          <span className="spacer" />
          <span className="muted">
            {workspaces.length} workspaces · {workspaces.reduce((n, w) => n + w.sessions.length, 0)} sessions
          </span>
        </div>
        <AddWorkspaceForm />
        {workspaces.length === 0 ? <p className="empty">{connected || polling ? 'No workspaces yet. Add a git checkout above.' : 'Loading…'}</p> : null}
      </section>
      {workspaces.map((w) => (
        <WorkspaceCard key={w.id} workspace={w} now={now} />
      ))}
    </div>
  );
}
