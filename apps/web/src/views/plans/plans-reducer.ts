// Live plans, folded from `/ws/{session_id}` frames (docs/workspaces-and-plans.md; `plan_state` answers each subscribe) and
// the polling fallback's reads. Pure.

import type { PlanStatus, PlanStepStatus, PlanView } from '@switchboard/projections';
import { getOwn } from '@switchboard/protocol';
import type { StreamFrame } from '@switchboard/react';

export interface LiveStep {
  name: string;
  status: PlanStepStatus;
  output: string;
  error: string | null;
}

export interface LivePlan {
  status: PlanStatus;
  steps: LiveStep[];
  error: string | null;
  /** Timestamp of the newest frame or read applied. */
  updated: string;
}

export type PlansLive = Record<string, LivePlan>;

const blank = (): LivePlan => ({ status: 'running', steps: [], error: null, updated: '' });

function withStep(plan: LivePlan, index: number, patch: Partial<LiveStep>): LivePlan {
  const steps = plan.steps.slice();
  for (let i = steps.length; i <= index; i++) steps[i] = { name: `step ${i + 1}`, status: 'pending', output: '', error: null };
  steps[index] = { ...steps[index]!, ...patch };
  return { ...plan, steps };
}

export function reducePlans(state: PlansLive, f: StreamFrame): PlansLive {
  const id = typeof f.plan_id === 'string' ? f.plan_id : null;
  if (!id) return state;
  // Own keys only: a frame's plan_id is outside input (a session's frames can be sent over REST).
  let plan = getOwn(state, id) ?? blank();
  const index = typeof f.step_index === 'number' ? f.step_index : -1;
  switch (f.type) {
    // The whole plan as of the subscription; the frames after it continue from there.
    case 'plan_state': {
      if (typeof f.status !== 'string' || !Array.isArray(f.steps)) return state;
      const steps = (f.steps as Array<Record<string, unknown>>).map((st, i) => ({
        name: typeof st.step_name === 'string' ? st.step_name : `step ${i + 1}`,
        status: st.status as PlanStepStatus,
        output: typeof st.output === 'string' ? st.output : '',
        error: (st.error as string | null) ?? null,
      }));
      plan = { status: f.status as PlanStatus, steps, error: (f.error as string | null) ?? null, updated: plan.updated };
      break;
    }
    case 'step_status':
      if (index < 0) return state;
      plan = withStep(plan, index, {
        ...(typeof f.step_name === 'string' ? { name: f.step_name } : {}),
        status: f.status as PlanStepStatus,
        error: (f.error as string | null) ?? null,
        // A finished step's status carries its whole output (the stream's resync too); replace, don't append.
        ...(typeof f.output === 'string' ? { output: f.output } : {}),
      });
      if (plan.status === 'pending') plan = { ...plan, status: 'running' };
      break;
    case 'step_output':
      if (index < 0 || typeof f.output !== 'string') return state;
      plan = withStep(plan, index, { output: (plan.steps[index]?.output ?? '') + f.output });
      break;
    case 'plan_completed':
      plan = { ...plan, status: 'completed' };
      break;
    case 'plan_failed':
      plan = { ...plan, status: plan.status === 'cancelled' ? 'cancelled' : 'failed', error: (f.error as string | null) ?? null };
      break;
    default:
      return state;
  }
  return { ...state, [id]: { ...plan, updated: typeof f.timestamp === 'string' ? f.timestamp : plan.updated } };
}

/** A plan read over REST, unless the stream already holds something newer. */
export function fromRest(state: PlansLive, id: string, plan: Pick<PlanView, 'status' | 'steps' | 'error' | 'updated_at'>): PlansLive {
  const current = getOwn(state, id);
  if (current && current.updated > plan.updated_at) return state;
  return {
    ...state,
    [id]: {
      status: plan.status,
      error: plan.error,
      updated: plan.updated_at,
      steps: plan.steps.map((s) => ({ name: s.name, status: s.status, output: s.output, error: s.error })),
    },
  };
}
