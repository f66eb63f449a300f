// One plan: its steps with live status and output, run and cancel.

import { useStore } from '@switchboard/react';
import type { PlanView } from '@switchboard/projections';
import { getOwn } from '@switchboard/protocol';
import { StatusBadge } from '../../components/status-badge';
import { StreamNote } from '../../components/stream-note';
import { useToast } from '../../components/toasts';
import { Link } from '../../components/link';
import { api, seg } from '../../lib/api';
import { usePlanStream } from './use-plan-stream';

export function PlanDetail({ id }: { id: string }) {
  const toast = useToast();
  const live = usePlanStream(id);
  const known = useStore((s) => getOwn(s.plans, id) as PlanView | undefined);
  const plan = getOwn(live.data, id);
  // The projection knows "cancelled" (the stream says plan_failed); otherwise the stream is the newer source.
  const status = known?.status === 'cancelled' ? 'cancelled' : (plan?.status ?? known?.status);
  const act = async (action: 'run' | 'cancel') => {
    try {
      await api('POST', `/api/plans/${seg(id)}/${action}`);
    } catch (error) {
      toast({ kind: 'error', title: `Could not ${action} the plan`, body: (error as Error).message });
    }
  };
  return (
    <section className="panel plan-detail" aria-labelledby="plan-title" data-testid="plan-detail" data-plan={id} data-status={status ?? 'unknown'}>
      <div className="panel-head">
        <h2 id="plan-title">{known?.name ?? id}</h2>
        {status ? <StatusBadge status={status} /> : null}
        <StreamNote live={live} name="plan" />
        <span className="spacer" />
        <button type="button" className="small" disabled={status !== 'pending'} onClick={() => void act('run')}>
          Run
        </button>
        <button type="button" className="small danger" disabled={status !== 'running' && status !== 'pending'} onClick={() => void act('cancel')}>
          Cancel
        </button>
        <Link href="/plans" className="small-link">
          Close
        </Link>
      </div>
      {plan?.error ? <p className="error-text">{plan.error}</p> : null}
      {!plan ? (
        <p className="empty">Loading…</p>
      ) : (
        <ol className="steps">
          {plan.steps.map((s, i) => (
            <li key={i} className={`step step-${s.status}`} data-step={i} data-status={s.status}>
              <div className="step-head">
                <span className="num">{i + 1}</span>
                <span className="name">{s.name}</span>
                <StatusBadge status={s.status} />
                {known?.steps[i]?.command ? <code className="muted ellipsis">{known.steps[i]!.command}</code> : null}
              </div>
              {s.output || s.error ? (
                <pre className="log step-output" data-testid={`step-output-${i}`}>
                  {s.output}
                  {s.error ? <span className="error-text">{s.output && !s.output.endsWith('\n') ? `\n${s.error}` : s.error}</span> : null}
                </pre>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
