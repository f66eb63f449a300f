// Live steps and output of plans, from this tab's `/ws/{session_id}` (SPEC §8, seed 004): subscribe per plan,
// then `step_status`, `step_output`, `plan_completed`, `plan_failed`. The plan's state when it is opened comes
// from `GET /api/plans/:id`; the fallback polls `GET /api/dashboard/plan/:id/poll` (its X-Poll-Interval: 2 s).

import { useEffect } from 'react';
import type { PlanStatus, PlanStepStatus, PlanView } from '@switchboard/projections';
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
