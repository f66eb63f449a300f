// Builders for TUI tests: catalogue events with fixed timestamps, folded through the real shared projections.

import { applyEvent, initialState, type FleetState } from '@switchboard/projections';
import type { FeedEvent } from '../../src/view-model';

const BASE_MS = Date.UTC(2026, 10, 22, 0, 0, 0);

/** The ISO timestamp `n` seconds after a fixed origin, so tests never read the clock. */
export function at(n: number): string {
  return new Date(BASE_MS + n * 1000).toISOString();
}

let nextSeq = 1;

/** An event of `topic` with `data` stamped `at(n)` and a fresh seq. */
export function ev(topic: string, data: Record<string, unknown>, n = 0): FeedEvent {
  return { seq: nextSeq++, topic, ts: at(n), data };
}

/** Fold `events` into an empty fleet state, as the SDK's store does. */
export function fold(events: readonly FeedEvent[], state: FleetState = initialState()): FleetState {
  return events.reduce((s, e) => applyEvent(s, e), state);
}

export const session = (id: string, name = id, n = 0) => ev('session.created', { id, name, target: 'claude' }, n);
export const agent = (id: string, session_id: string, name = id, n = 0) => ev('agent.started', { id, session_id, name }, n);
export const cost = (session_id: string, cost_usd: number, total_cost_usd: number, n = 0) =>
  ev('metrics.cost_updated', { session_id, cost_usd, tokens_in: 100, tokens_out: 50, total_cost_usd }, n);
