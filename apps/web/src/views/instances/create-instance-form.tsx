// Create an instance: name (docs/control-plane.md pattern), shell command, optional port.

import { useState, type FormEvent } from 'react';
import { api } from '../../lib/api';
import { useToast } from '../../components/toasts';

export function CreateInstanceForm() {
  const toast = useToast();
  const [name, setName] = useState('');
  const [command, setCommand] = useState('');
  const [port, setPort] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api('POST', '/api/instances', { name: name.trim(), command, ...(port ? { port: Number(port) } : {}) });
      toast({ kind: 'success', title: `Created ${name.trim()}` });
      setName('');
      setCommand('');
      setPort('');
    } catch (error) {
      toast({ kind: 'error', title: 'Could not create the instance', body: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Create instance">
      <label>
        Name
        <input name="name" value={name} onChange={(e) => setName(e.target.value)} required pattern="[a-z0-9][a-z0-9\-]{0,62}" placeholder="agent-1" autoComplete="off" />
      </label>
      <label className="grow">
        Command
        <input name="command" value={command} onChange={(e) => setCommand(e.target.value)} required placeholder="python agent.py" autoComplete="off" />
      </label>
      <label className="narrow">
        Port
        <input name="port" value={port} onChange={(e) => setPort(e.target.value)} inputMode="numeric" pattern="[0-9]*" placeholder="—" />
      </label>
      <button type="submit" disabled={busy}>
        Create
      </button>
    </form>
  );
}
