// Shared builders for projection tests: events with deterministic timestamps, folding, and deep freezing.

import type { ProjectedEvent, SliceReducer } from '../src/state';

const BASE_MS = Date.UTC(2026, 10, 22, 0, 0, 0);

/** The ISO timestamp `n` seconds after a fixed origin, so tests never read the clock. */
export function at(n: number): string {
  return new Date(BASE_MS + n * 1000).toISOString();
}

/** An event of `topic` with `data`, stamped `at(n)`. */
export function ev(topic: string, data: unknown, n = 0): ProjectedEvent {
  return { topic, data, ts: at(n) };
}

/** Fold `events` into `initial` with one slice reducer. */
export function fold<S>(reducer: SliceReducer<S>, initial: S, events: readonly ProjectedEvent[]): S {
  let s = initial;
  for (const e of events) s = reducer(s, e);
  return s;
}

/** Freeze `value` and everything reachable from it, so any mutation throws (ES modules run in strict mode). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
