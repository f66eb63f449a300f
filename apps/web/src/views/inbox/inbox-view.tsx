// The fleet-wide inbox (docs/protocol.md, "Approvals"): every pending approval across sessions, longest-waiting
// first, with a ticking wait time; approve, deny or deny with a reason, one or several at once; and the recent
// decisions with who made them, live from every open dashboard.

import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useToast } from '../../components/toasts';
import { clockTime, shortId } from '../../lib/format';
import { useNow } from '../../lib/use-now';
import { decideMany, type Decision } from './decide';
import { markAllRead } from './inbox-unread';
import { useRecentDecisions, usePendingApprovals, type InboxRow } from './use-inbox';

/** `12s`, `4m 05s`, `3h 12m`: how long a request has waited. */
export function waitedFor(iso: string, now: number): string {
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function InboxView() {
  const pending = usePendingApprovals();
  const decided = useRecentDecisions();
  const toast = useToast();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  // The approvals a "deny with reason" form is open for: one row's id, or every selected one.
  const [reasonFor, setReasonFor] = useState<string[] | null>(null);

  // Everything in the inbox is seen while it is on screen, including what arrives meanwhile.
  useEffect(() => markAllRead(), [pending.length]);
  // Selections of approvals that are no longer pending (decided here or elsewhere) fall away.
  const pendingIds = useMemo(() => new Set(pending.map((a) => a.id)), [pending]);
  const live = [...selected].filter((id) => pendingIds.has(id));

  const decide = async (ids: string[], decision: Decision, reason?: string) => {
    if (ids.length === 0) return;
    setBusy(true);
    try {
      const r = await decideMany(ids, decision, reason);
      const verb = decision === 'allow' ? 'Approved' : 'Denied';
      if (r.decided.length > 0) toast({ kind: 'success', title: `${verb} ${r.decided.length === 1 ? '1 request' : `${r.decided.length} requests`}`, body: reason });
      if (r.conflicts.length > 0) toast({ kind: 'info', title: `${r.conflicts.length} already decided`, body: 'Someone else answered first, or the request expired.' });
      for (const f of r.failed) toast({ kind: 'error', title: `Could not decide ${shortId(f.id)}`, body: f.message });
      setSelected((prev) => new Set([...prev].filter((id) => !ids.includes(id))));
      setReasonFor(null);
    } finally {
      setBusy(false);
    }
  };

  const toggle = (id: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const allSelected = pending.length > 0 && live.length === pending.length;

  return (
    <div className="view inbox">
      <section className="panel" aria-labelledby="inbox-title">
        <div className="panel-head">
          <h2 id="inbox-title">Inbox</h2>
          <span className="muted" data-testid="pending-count">
            {pending.length === 0 ? 'nothing waiting' : `${pending.length} waiting`}
          </span>
          <span className="spacer" />
          {live.length > 0 ? (
            <div className="actions" role="group" aria-label="Selected requests" data-testid="bulk-actions">
              <span className="muted">{live.length} selected</span>
              <button type="button" className="small" disabled={busy} onClick={() => void decide(live, 'allow')}>
                Approve selected
              </button>
              <button type="button" className="small danger" disabled={busy} onClick={() => void decide(live, 'deny')}>
                Deny selected
              </button>
              <button type="button" className="small danger" disabled={busy} onClick={() => setReasonFor(live)}>
                Deny selected with reason…
              </button>
            </div>
          ) : null}
        </div>
        {reasonFor ? <ReasonForm count={reasonFor.length} busy={busy} onCancel={() => setReasonFor(null)} onDeny={(reason) => void decide(reasonFor.filter((id) => pendingIds.has(id)), 'deny', reason)} /> : null}
        {pending.length === 0 ? (
          <p className="empty">No agent is waiting for a decision. Requests from every session appear here as they arrive.</p>
        ) : (
          <PendingTable
            rows={pending}
            selected={selected}
            allSelected={allSelected}
            busy={busy}
            onToggle={toggle}
            onToggleAll={() => setSelected(allSelected ? new Set() : new Set(pending.map((a) => a.id)))}
            onDecide={(id, decision) => void decide([id], decision)}
            onDenyWithReason={(id) => setReasonFor([id])}
          />
        )}
      </section>
      <section className="panel" aria-labelledby="decided-title">
        <h2 id="decided-title">Recently decided</h2>
        {decided.length === 0 ? <p className="empty">No decisions yet.</p> : <DecidedList rows={decided} />}
      </section>
    </div>
  );
}

function who(a: InboxRow): string {
  return a.agent_name ?? a.agent_id ?? '—';
}

function PendingTable(props: {
  rows: InboxRow[];
  selected: ReadonlySet<string>;
  allSelected: boolean;
  busy: boolean;
  onToggle: (id: string) => void;
  onToggleAll: () => void;
  onDecide: (id: string, decision: Decision) => void;
  onDenyWithReason: (id: string) => void;
}) {
  const now = useNow();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="inbox-table">
        <thead>
          <tr>
            <th scope="col">
              <input type="checkbox" aria-label="Select all requests" checked={props.allSelected} onChange={props.onToggleAll} />
            </th>
            <th scope="col">Waiting</th>
            <th scope="col">Tool</th>
            <th scope="col">Input</th>
            <th scope="col">Agent</th>
            <th scope="col" className="hide-narrow">Session</th>
            <th scope="col">Decide</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((a) => (
            <tr key={a.id} data-approval={a.id} className={props.selected.has(a.id) ? 'selected' : ''}>
              <td>
                <input type="checkbox" aria-label={`Select ${a.tool} for ${who(a)}`} checked={props.selected.has(a.id)} onChange={() => props.onToggle(a.id)} />
              </td>
              <td className="num waited" title={`asked at ${clockTime(a.requested_at)}, expires at ${clockTime(a.expires_at)}`} data-testid="waited">
                {waitedFor(a.requested_at, now)}
              </td>
              <th scope="row" className="mono">{a.tool}</th>
              <td className="mono ellipsis summary" title={a.summary}>
                {a.summary || <span className="muted">no input shown</span>}
              </td>
              <td className="ellipsis">{who(a)}</td>
              <td className="ellipsis hide-narrow muted">{a.session_name ?? a.session_id ?? '—'}</td>
              <td>
                <div className="actions">
                  <button type="button" className="small approve" disabled={props.busy} onClick={() => props.onDecide(a.id, 'allow')} aria-label={`Approve ${a.tool} for ${who(a)}`}>
                    Approve
                  </button>
                  <button type="button" className="small danger" disabled={props.busy} onClick={() => props.onDecide(a.id, 'deny')} aria-label={`Deny ${a.tool} for ${who(a)}`}>
                    Deny
                  </button>
                  <button type="button" className="small danger" disabled={props.busy} onClick={() => props.onDenyWithReason(a.id)} aria-label={`Deny ${a.tool} for ${who(a)} with a reason`}>
                    Deny…
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ReasonForm({ count, busy, onCancel, onDeny }: { count: number; busy: boolean; onCancel: () => void; onDeny: (reason: string) => void }) {
  const [reason, setReason] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onDeny(reason.trim());
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Deny with a reason">
      <label className="grow">
        Reason for denying {count === 1 ? 'this request' : `${count} requests`}
        <input autoFocus value={reason} maxLength={1000} onChange={(e) => setReason(e.target.value)} placeholder="e.g. not on the main branch" />
      </label>
      <button type="submit" className="danger" disabled={busy}>
        Deny
      </button>
      <button type="button" className="secondary" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

function DecidedList({ rows }: { rows: InboxRow[] }) {
  return (
    <ul className="rows" data-testid="decided-list">
      {rows.map((a) => (
        <li key={a.id} className="row decided" data-approval={a.id} data-decision={a.decision}>
          <span className="name">
            <span className="mono">{a.tool}</span> <span className="muted">{a.summary}</span>
          </span>
          <span className={`badge badge-${a.decision === 'allow' ? 'completed' : a.decision === 'deny' ? 'failed' : 'ended'}`}>{a.decision}</span>
          <span className="muted" data-testid="decided-by">
            by {a.decided_by}
          </span>
          <span className="muted ellipsis">{a.reason ?? ''}</span>
          <span className="muted time">{a.decided_at ? clockTime(a.decided_at) : ''}</span>
        </li>
      ))}
    </ul>
  );
}
