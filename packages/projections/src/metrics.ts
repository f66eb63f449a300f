// The `metrics` slice: fleet-wide cost and token totals, with a per-session breakdown of at most MAX_SESSION_COSTS.

import { MAX_SESSION_COSTS } from './constants';
import { dataOf, numberField, stringField } from './event-data';
import { copySlice, getRecord, setOwn } from './records';
import type { CostTotals, MetricsView, SliceReducer } from './state';

/**
 * Fold one `metrics.cost_updated` event: `cost_usd`, `tokens_in` and `tokens_out` are increments added to the
 * totals and, when `session_id` is present, to `by_session[session_id]`; `total_cost_usd` is the producer's
 * authoritative running total and replaces ours. Other `metrics.*` topics leave the slice as it is.
 */
export const reduceMetrics: SliceReducer<MetricsView> = (slice, event) => {
  if (event.topic !== 'metrics.cost_updated') return slice;
  const d = dataOf(event);
  if (!d) return slice;
  const delta: CostTotals = {
    cost_usd: numberField(d, 'cost_usd') ?? 0,
    tokens_in: numberField(d, 'tokens_in') ?? 0,
    tokens_out: numberField(d, 'tokens_out') ?? 0,
  };
  const total = numberField(d, 'total_cost_usd') ?? slice.total_cost_usd;
  const sessionId = stringField(d, 'session_id');
  const isZero = delta.cost_usd === 0 && delta.tokens_in === 0 && delta.tokens_out === 0;
  if (isZero && total === slice.total_cost_usd && event.ts === slice.updated_at
    && (sessionId === undefined || Object.hasOwn(slice.by_session, sessionId))) {
    return slice;
  }
  return {
    cost_usd: slice.cost_usd + delta.cost_usd,
    tokens_in: slice.tokens_in + delta.tokens_in,
    tokens_out: slice.tokens_out + delta.tokens_out,
    total_cost_usd: total,
    by_session: sessionId === undefined || (isZero && Object.hasOwn(slice.by_session, sessionId))
      ? slice.by_session
      : charge(slice.by_session, sessionId, delta),
    updated_at: event.ts,
  };
};

/**
 * Add `delta` to one session and move it last, so the first keys are the sessions charged least recently: the ones
 * dropped past the cap, in the same copy. The session just charged is never dropped. Integer-like session ids sort
 * first in JS objects whatever their recency; the cut is still a function of the object alone (JSON keeps key
 * order), so server and client drop the same entries.
 */
function charge(bySession: Record<string, CostTotals>, sessionId: string, delta: CostTotals): Record<string, CostTotals> {
  const prev = getRecord(bySession, sessionId);
  const others = Object.keys(bySession).length - (prev ? 1 : 0);
  let toDrop = others + 1 - MAX_SESSION_COSTS;
  const next = copySlice(bySession, (key) => key === sessionId || toDrop-- > 0);
  setOwn(next, sessionId, {
    cost_usd: (prev?.cost_usd ?? 0) + delta.cost_usd,
    tokens_in: (prev?.tokens_in ?? 0) + delta.tokens_in,
    tokens_out: (prev?.tokens_out ?? 0) + delta.tokens_out,
  });
  return next;
}
