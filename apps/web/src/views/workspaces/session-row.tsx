// One session of a workspace: running state, nickname (editable in place), last output, dispose.

import { useState, type FormEvent } from 'react';
import type { SessionResponse } from '@switchboard/react';
import { api, seg } from '../../lib/api';
import { timeAgo } from '../../lib/format';
import { useToast } from '../../components/toasts';
import { StatusBadge } from '../../components/status-badge';

export function SessionRow({ session, now }: { session: SessionResponse; now: number }) {
  const toast = useToast();
  const [editing, setEditing] = useState(false);
  const [nickname, setNickname] = useState(session.nickname);
  const call = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (error) {
      toast({ kind: 'error', title: `Could not ${what}`, body: (error as Error).message });
    }
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    await call('rename the session', () => api('PATCH', `/api/sessions/${seg(session.id)}`, { nickname: nickname.trim() }));
    setEditing(false);
  };
  return (
    <tr data-session={session.id}>
      <th scope="row" className="mono">
        {session.id}
      </th>
      <td>{session.target}</td>
      <td>
        {editing ? (
          <form onSubmit={(e) => void save(e)} className="inline-edit">
            <input aria-label={`Nickname of ${session.id}`} value={nickname} onChange={(e) => setNickname(e.target.value)} autoFocus />
            <button type="submit" className="small">
              Save
            </button>
            <button type="button" className="small secondary" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setNickname(session.nickname);
              setEditing(true);
            }}
            aria-label={`Rename ${session.id}`}
          >
            {session.nickname || <span className="muted">set nickname</span>}
          </button>
        )}
      </td>
      <td>
        <StatusBadge status={session.running ? 'running' : 'stopped'} />
      </td>
      <td className="muted">{timeAgo(session.last_output_at, now)}</td>
      <td>
        <button type="button" className="small danger" onClick={() => void call('dispose the session', () => api('POST', `/api/sessions/${seg(session.id)}/dispose`))}>
          Dispose
        </button>
      </td>
    </tr>
  );
}
