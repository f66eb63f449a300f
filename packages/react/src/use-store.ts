// `useStore(selector)`: read the client's projections (`client.state`) through `useSyncExternalStore`.

import { useCallback, useRef, useSyncExternalStore } from 'react';
import type { SwitchboardClient } from '@switchboard/client';
import type { FleetState } from '@switchboard/projections';
import { useOptionalClient } from './context';

/** Equality of two selections; the component re-renders only when it says they differ. */
export type EqualityFn<T> = (a: T, b: T) => boolean;

/**
 * Select a value from `client.state` and re-render when it changes. The client tells its listeners once per batch
 * (an animation frame by default, see the client's `notify` option), so a component renders at most once per frame
 * however many events arrive. The selection is cached per batch (`client.stateVersion`) and per state, so inline
 * selectors are safe; a selector that builds a new array or object should pass `shallowEqual`.
 *
 * @example
 * const sessions = useStore((s) => Object.values(s.sessions), shallowEqual);
 * const cost = useStore((s) => s.metrics.total_cost_usd);
 */
export function useStore<T>(selector: (state: FleetState) => T, isEqual: EqualityFn<T> = Object.is, client?: SwitchboardClient): T {
  const fromContext = useOptionalClient();
  const target = client ?? fromContext;
  if (!target) throw new Error('switchboard react: useStore needs a <SwitchboardProvider> or a client argument');
  const last = useRef<{ version: number; state: FleetState; selector: (state: FleetState) => T; selection: T } | null>(null);
  const getSnapshot = (): T => {
    // Between two batches the selection stands even if more events were applied: every component then renders the
    // same batch, and React's consistency re-checks cost nothing.
    const version = target.stateVersion;
    const prev = last.current;
    if (prev && prev.version === version && prev.selector === selector) return prev.selection;
    const state = target.getState();
    if (prev && prev.state === state && prev.selector === selector) {
      prev.version = version;
      return prev.selection;
    }
    const next = selector(state);
    const selection = prev && isEqual(prev.selection, next) ? prev.selection : next;
    last.current = { version, state, selector, selection };
    return selection;
  };
  const subscribe = useCallback((onChange: () => void) => target.onStateChange(() => onChange()), [target]);
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}

/** Equal when both are arrays with `Object.is` elements, or objects with the same keys and `Object.is` values. */
export function shallowEqual<T>(a: T, b: T): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k) || !Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
