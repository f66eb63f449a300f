// Register a git checkout as a workspace (POST /api/workspaces {path}).

import { useState, type FormEvent } from 'react';
import { api } from '../../lib/api';
import { useToast } from '../../components/toasts';

export function AddWorkspaceForm() {
  const toast = useToast();
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api('POST', '/api/workspaces', { path: path.trim() });
      setPath('');
    } catch (error) {
      toast({ kind: 'error', title: 'Could not add the workspace', body: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Add workspace">
      <label className="grow">
        Git checkout path
        <input name="path" value={path} onChange={(e) => setPath(e.target.value)} required placeholder="/home/me/src/project" autoComplete="off" />
      </label>
      <button type="submit" disabled={busy}>
        Add workspace
      </button>
    </form>
  );
}
