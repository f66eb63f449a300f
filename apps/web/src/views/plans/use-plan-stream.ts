// Live steps and output of plans, from this tab's `/ws/{session_id}` (docs/workspaces-and-plans.md): subscribe per plan,
// answered with the plan's `plan_state`, then `step_status`, `step_output`, `plan_completed`, `plan_failed` — so the
// state when a plan is opened comes in order on the same socket, with no REST read to race it. The fallback polls
// `GET /api/dashboard/plan/:id/poll` (its X-Poll-Interval: 2 s).

import { useEffect } from 'react';
import type { PlanStatus, PlanStepStatus } from '@switchboard/projections';
import { useLiveStream } from '@switchboard/react';
import { api, seg } from '../../lib/api';
import { wsUrl } from '../../lib/stream-url';
import { fromRest, reducePlans, type PlansLive } from './plans-reducer';

/** This tab's session id on the plan stream. */
const SESSION_ID = `dashboard-${Math.random().toString(36).slice(2, 10)}`;
/** Plans this tab follows; resubscribed on every new socket. */
const followed = new Set<string>();

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
  const { send } = live;
  useEffect(() => {
    if (!planId) return;
    // A socket opening later subscribes everything followed (onOpen), and each subscribe brings the plan's state.
    followed.add(planId);
    send({ type: 'subscribe', plan_id: planId });
    return () => {
      followed.delete(planId);
      send({ type: 'unsubscribe', plan_id: planId });
    };
    // `send` is a new function each render; re-run on the plan only.
  }, [planId]);
  return live;
}
