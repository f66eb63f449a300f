// One workspace: repo and branch, git status (ahead/behind, dirty, lines and files changed), its sessions
// and a spawn form.

import type { WorkspaceResponse } from '@switchboard/react';
import { api, seg } from '../../lib/api';
import { useToast } from '../../components/toasts';
import { SessionRow } from './session-row';
import { SpawnForm } from './spawn-form';

export function WorkspaceCard({ workspace: w, now }: { workspace: WorkspaceResponse; now: number }) {
  const toast = useToast();
  const remove = async () => {
    try {
      await api('DELETE', `/api/workspaces/${seg(w.id)}`);
    } catch (error) {
      toast({ kind: 'error', title: `Could not remove ${w.id}`, body: (error as Error).message });
    }
  };
  return (
    <section className="panel workspace" data-workspace={w.id} aria-label={`Workspace ${w.short_repo || w.id}`}>
      <div className="panel-head">
        <h2>
          {w.short_repo || w.id} <span className="muted">· {w.branch || 'detached'}</span>
        </h2>
        <span className="spacer" />
        <button type="button" className="small secondary" onClick={() => void api('POST', `/api/workspaces/${seg(w.id)}/refresh`).catch(() => {})}>
          Refresh git
        </button>
        <button type="button" className="small danger" onClick={() => void remove()}>
          Remove
        </button>
      </div>
      <p className="mono muted ellipsis" title={w.path}>
        {w.path}
      </p>
      <ul className="git" aria-label="Git status" data-testid="git-status">
        <li title="Commits ahead of upstream">↑ {w.git_ahead}</li>
        <li title="Commits behind upstream">↓ {w.git_behind}</li>
        <li className={w.git_dirty ? 'dirty' : 'clean'}>{w.git_dirty ? 'dirty' : 'clean'}</li>
        <li className="added">+{w.git_lines_added}</li>
        <li className="removed">−{w.git_lines_removed}</li>
        <li>{w.git_files_changed} files</li>
      </ul>
      {w.sessions.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Target</th>
                <th scope="col">Nickname</th>
                <th scope="col">State</th>
                <th scope="col">Last output</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {w.sessions.map((s) => (
                <SessionRow key={s.id} session={s} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="empty">No sessions in this workspace.</p>
      )}
      <SpawnForm workspaceId={w.id} />
    </section>
  );
}
