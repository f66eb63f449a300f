// Instances (the control-plane contract's SPA): create, a live table with lifecycle actions, and the log tail of the selected one.

import { useEffect, useState } from 'react';
import { StreamNote } from '../../components/stream-note';
import { CreateInstanceForm } from './create-instance-form';
import { InstanceTable } from './instance-table';
import { LogPanel } from './log-panel';
import { useInstances } from './use-instances';

export function InstancesView({ selected }: { selected: string | null }) {
  const live = useInstances();
  // The box follows the click at once; the server's snapshot then confirms (or corrects) it.
  const [showArchived, setShowArchived] = useState(live.data.include_archived);
  useEffect(() => setShowArchived(live.data.include_archived), [live.data.include_archived]);
  const rows = Object.values(live.data.instances).sort((a, b) => a.name.localeCompare(b.name));
  return (
    <div className="view instances">
      <section className="panel" aria-labelledby="instances-title">
        <div className="panel-head">
          <h2 id="instances-title">Instances</h2>
          <StreamNote live={live} name="instances" />
          <span className="spacer" />
          <label className="check">
            <input
              type="checkbox"
              checked={showArchived}
              onChange={(e) => {
                setShowArchived(e.target.checked);
                live.setIncludeArchived(e.target.checked);
              }}
            />
            Show archived
          </label>
        </div>
        <CreateInstanceForm />
        {live.data.loaded ? <InstanceTable instances={rows} selected={selected} /> : <p className="empty">Loading…</p>}
      </section>
      {selected ? <LogPanel key={selected} name={selected} /> : null}
    </div>
  );
}
