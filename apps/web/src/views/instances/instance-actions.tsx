// The buttons of one instance row: start / stop / restart / archive (or unarchive) / logs.

import { useState } from 'react';
import { api, seg } from '../../lib/api';
import { navigate } from '../../lib/router';
import { useToast } from '../../components/toasts';
import type { InstanceRow } from './use-instances';

type Action = 'start' | 'stop' | 'restart' | 'archive' | 'unarchive';

export function InstanceActions({ instance }: { instance: InstanceRow }) {
  const toast = useToast();
  const [busy, setBusy] = useState<Action | null>(null);
  const run = async (action: Action) => {
    setBusy(action);
    try {
      await api('POST', `/api/instances/${seg(instance.name)}/${action}`);
    } catch (error) {
      toast({ kind: 'error', title: `Could not ${action} ${instance.name}`, body: (error as Error).message });
    } finally {
      setBusy(null);
    }
  };
  const running = instance.status === 'running' || instance.status === 'starting';
  const archived = instance.archived_at !== null;
  const button = (action: Action, label: string, disabled: boolean) => (
    <button type="button" className="small" disabled={disabled || busy !== null} onClick={() => void run(action)} aria-label={`${label} ${instance.name}`}>
      {busy === action ? '…' : label}
    </button>
  );
  return (
    <div className="actions">
      {button('start', 'Start', running || archived)}
      {button('stop', 'Stop', !running)}
      {button('restart', 'Restart', archived)}
      {archived ? button('unarchive', 'Unarchive', false) : button('archive', 'Archive', running)}
      <button type="button" className="small" onClick={() => navigate(`/instances/${seg(instance.name)}`)} aria-label={`Logs of ${instance.name}`}>
        Logs
      </button>
    </div>
  );
}
