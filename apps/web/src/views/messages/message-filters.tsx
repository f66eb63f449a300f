// The instance and correlation filters of the messages view; applied on submit so typing does not reconnect.

import { useEffect, useState, type FormEvent } from 'react';
import type { MessageFilter } from './use-message-events';

export function MessageFilters({ value, onChange }: { value: MessageFilter; onChange: (f: MessageFilter) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onChange({ instance: draft.instance.trim(), correlation_id: draft.correlation_id.trim() });
  };
  const active = value.instance !== '' || value.correlation_id !== '';
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Filter messages">
      <label>
        Instance
        <input name="instance" value={draft.instance} onChange={(e) => setDraft({ ...draft, instance: e.target.value })} placeholder="any" autoComplete="off" />
      </label>
      <label className="grow">
        Correlation id
        <input name="correlation_id" value={draft.correlation_id} onChange={(e) => setDraft({ ...draft, correlation_id: e.target.value })} placeholder="any" autoComplete="off" />
      </label>
      <button type="submit">Apply</button>
      {active ? (
        <button type="button" className="secondary" onClick={() => onChange({ instance: '', correlation_id: '' })}>
          Clear
        </button>
      ) : null}
    </form>
  );
}
