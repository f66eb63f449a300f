// Create a plan: a name and one step per line (`name: command`, or just a command).

import { useState, type FormEvent } from 'react';
import type { PlanView } from '@switchboard/projections';
import { api, seg } from '../../lib/api';
import { navigate } from '../../lib/router';
import { useToast } from '../../components/toasts';
import { parseSteps } from './parse-steps';

export function PlanForm() {
  const toast = useToast();
  const [name, setName] = useState('');
  const [steps, setSteps] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent, run: boolean) => {
    e.preventDefault();
    setBusy(true);
    try {
      const plan = await api<PlanView>('POST', '/api/plans', { name: name.trim(), steps: parseSteps(steps) });
      if (run) await api('POST', `/api/plans/${seg(plan.id)}/run`);
      setName('');
      setSteps('');
      navigate(`/plans/${seg(plan.id)}`);
    } catch (error) {
      toast({ kind: 'error', title: 'Could not create the plan', body: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="plan-form" onSubmit={(e) => void submit(e, true)} aria-label="Create plan">
      <label>
        Plan name
        <input name="plan-name" value={name} onChange={(e) => setName(e.target.value)} required placeholder="release" autoComplete="off" />
      </label>
      <label>
        <span>
          Steps, one per line (<code>name: command</code>)
        </span>
        <textarea name="steps" value={steps} onChange={(e) => setSteps(e.target.value)} required rows={4} placeholder={'lint: npm run lint\ntest: npm test'} className="mono" />
      </label>
      <div className="actions">
        <button type="submit" disabled={busy}>
          Create and run
        </button>
        <button type="button" className="secondary" disabled={busy || !name.trim() || !steps.trim()} onClick={(e) => void submit(e, false)}>
          Create only
        </button>
      </div>
    </form>
  );
}
