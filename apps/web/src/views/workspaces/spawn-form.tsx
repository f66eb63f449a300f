// Spawn a session in a workspace (POST /api/spawn {workspace_id, target, command, nickname?}).

import { useState, type FormEvent } from 'react';
import { api } from '../../lib/api';
import { useToast } from '../../components/toasts';

export function SpawnForm({ workspaceId }: { workspaceId: string }) {
  const toast = useToast();
  const [target, setTarget] = useState('claude');
  const [command, setCommand] = useState('');
  const [nickname, setNickname] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api('POST', '/api/spawn', { workspace_id: workspaceId, target: target.trim(), command, ...(nickname.trim() ? { nickname: nickname.trim() } : {}) });
      setCommand('');
      setNickname('');
    } catch (error) {
      toast({ kind: 'error', title: 'Could not spawn the session', body: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="inline-form compact" onSubmit={(e) => void submit(e)} aria-label={`Spawn a session in ${workspaceId}`}>
      <label className="narrow">
        Target
        <input name="target" value={target} onChange={(e) => setTarget(e.target.value)} required autoComplete="off" />
      </label>
      <label className="grow">
        Command
        <input name="command" value={command} onChange={(e) => setCommand(e.target.value)} required placeholder="claude --resume" autoComplete="off" />
      </label>
      <label>
        Nickname
        <input name="nickname" value={nickname} onChange={(e) => setNickname(e.target.value)} placeholder="optional" autoComplete="off" />
      </label>
      <button type="submit" disabled={busy}>
        Spawn
      </button>
    </form>
  );
}
