// Live steps and output of plans, from this tab's `/ws/{session_id}` (SPEC §8, seed 004): subscribe per plan,
// then `step_status`, `step_output`, `plan_completed`, `plan_failed`. The plan's state when it is opened comes
// from `GET /api/plans/:id`; the fallback polls `GET /api/dashboard/plan/:id/poll` (its X-Poll-Interval: 2 s).

import { useEffect } from 'react';
import type { PlanStatus, PlanStepStatus, PlanView } from '@switchboard/projections';
import { useLiveStream, type StreamFrame } from '@switchboard/react';
import { api, seg } from '../../lib/api';
import { wsUrl } from '../../lib/stream-url';

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

/** This tab's session id on the plan stream. */
const SESSION_ID = `dashboard-${Math.random().toString(36).slice(2, 10)}`;
/** Plans this tab follows; resubscribed on every new socket. */
const followed = new Set<string>();

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
  let plan = state[id] ?? blank();
  const index = typeof f.step_index === 'number' ? f.step_index : -1;
  switch (f.type) {
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
function fromRest(state: PlansLive, id: string, plan: Pick<PlanView, 'status' | 'steps' | 'error' | 'updated_at'>): PlansLive {
  const current = state[id];
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

interface PollBody {
  steps: Array<{ step_name: string; status: PlanStepStatus; output: string; error: string | null }>;
  overall_status: PlanStatus;
  last_update: string;
}

/** Follow `planId` (null: none) and return the live plans of this tab. */
export function usePlanStream(planId: string | null) {
  const url = wsUrl(`/ws/${SESSION_ID}`);
  const live = useLiveStream<PlansLive>(url, () => ({
    url,
    initial: {},
    reduce: reducePlans,
    pollIntervalMs: 2000,
    onOpen: (send) => {
      for (const id of followed) send({ type: 'subscribe', plan_id: id });
    },
    poll: async (state, signal) => {
      let next = state;
      for (const id of followed) {
        const body = await api<PollBody>('GET', `/api/dashboard/plan/${seg(id)}/poll`, undefined, signal);
        next = fromRest(next, id, {
          status: body.overall_status,
          error: null,
          updated_at: body.last_update,
          steps: body.steps.map((s) => ({ name: s.step_name, command: '', status: s.status, output: s.output, error: s.error, started_at: null, finished_at: null })),
        });
      }
      return next;
    },
  }));
  const { send, mutate, status } = live;
  useEffect(() => {
    if (!planId) return;
    followed.add(planId);
    send({ type: 'subscribe', plan_id: planId });
    const abort = new AbortController();
    api<PlanView>('GET', `/api/plans/${seg(planId)}`, undefined, abort.signal)
      .then((plan) => mutate((s) => fromRest(s, planId, plan)))
      .catch(() => {
        // Unknown plan or server away: the view says so from the list; the stream fills in when it can.
      });
    return () => {
      abort.abort();
      followed.delete(planId);
      send({ type: 'unsubscribe', plan_id: planId });
    };
    // `send`/`mutate` are new functions each render; re-run on the plan and on (re)open only, to reload after a gap.
  }, [planId, status === 'open']);
  return live;
}
