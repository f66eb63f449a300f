// The whole fleet state: initial value, the root reducer, and the per-family view a snapshot sends.

import { familiesOf, familyOf } from '@switchboard/protocol';
import { REDUCERS } from './reducers';
import { ALSO_FOLDED_BY, stateKeyOf, type FleetState, type ProjectedEvent, type StateKey } from './state';

/** A fresh, empty fleet state: what a new log projects to. */
export function initialState(): FleetState {
  return {
    sessions: {},
    agents: {},
    swarms: {},
    metrics: { cost_usd: 0, tokens_in: 0, tokens_out: 0, total_cost_usd: 0, by_session: {}, updated_at: null },
    tasks: {},
    documents: {},
    searches: {},
    instances: {},
    messages: {},
    plans: {},
    workspaces: {},
    approvals: {},
  };
}

/** Root reducer: folds one event into the slice of its family; the state object is reused when nothing changed. */
export function applyEvent(state: FleetState, event: ProjectedEvent): FleetState {
  const family = familyOf(event.topic);
  const key = stateKeyOf(family);
  if (!key) return state;
  let next = foldInto(state, key, event);
  if (Object.hasOwn(ALSO_FOLDED_BY, family)) for (const other of ALSO_FOLDED_BY[family]!) next = foldInto(next, other, event);
  return next;
}

function foldInto(state: FleetState, key: StateKey, event: ProjectedEvent): FleetState {
  const reducer = REDUCERS[key] as ((s: unknown, e: ProjectedEvent) => unknown) | undefined;
  if (!reducer) return state;
  // A state saved before a slice existed (an older data directory, an older server's snapshot) lacks it.
  const before = state[key] ?? (initialState()[key] as unknown);
  const after = reducer(before, event);
  if (after === before) return state;
  return { ...state, [key]: after } as FleetState;
}

/** Fold many events. */
export function applyEvents(state: FleetState, events: Iterable<ProjectedEvent>): FleetState {
  let s = state;
  for (const e of events) s = applyEvent(s, e);
  return s;
}

/** State keys reachable from subscription patterns (`agent.*` → `agents`; `*` → all). */
export function stateKeysFor(patterns: Iterable<string>): StateKey[] {
  const fams = familiesOf(patterns);
  if (fams === '*') return Object.keys(initialState()) as StateKey[];
  const keys = new Set<StateKey>();
  for (const f of fams) {
    const k = stateKeyOf(f);
    if (k) keys.add(k);
  }
  return [...keys];
}

/** The part of the state a snapshot for `patterns` carries. */
export function selectState(state: FleetState, patterns: Iterable<string>): Partial<FleetState> {
  const out: Partial<FleetState> = {};
  for (const k of stateKeysFor(patterns)) (out as Record<string, unknown>)[k] = state[k];
  return out;
}
