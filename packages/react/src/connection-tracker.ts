// Follows one client's `state` and `retry` events and keeps an immutable summary of them, shaped for
// `useSyncExternalStore`: a new object only when something changed.

import type { ConnectionStatus, StateReason, SwitchboardClient } from '@switchboard/client';

/** What a connection indicator needs to know. */
export interface ConnectionInfo {
  status: ConnectionStatus;
  /** Epoch ms of the next socket attempt while reconnecting or polling; null otherwise. */
  retryAt: number | null;
  /** Failed connects in a row (3 → polling, docs/architecture.md). */
  failures: number;
  /** Reason of the last status change; null before the first one was seen. */
  reason: StateReason | null;
}

/** A summary plus its change notification. */
export interface ConnectionTracker {
  get(): ConnectionInfo;
  subscribe(onChange: () => void): () => void;
}

const trackers = new WeakMap<SwitchboardClient, ConnectionTracker>();

/** The tracker of `client`, created on first use (it then listens for the client's whole life). */
export function connectionTracker(client: SwitchboardClient, now: () => number = Date.now): ConnectionTracker {
  let tracker = trackers.get(client);
  if (tracker) return tracker;
  let info: ConnectionInfo = { status: client.status, retryAt: null, failures: 0, reason: null };
  const listeners = new Set<() => void>();
  const set = (next: ConnectionInfo) => {
    info = next;
    for (const fn of [...listeners]) fn();
  };
  client.on('state', ({ to, reason }) => {
    const waiting = to === 'reconnecting' || to === 'polling';
    set({ status: to, reason, retryAt: waiting ? info.retryAt : null, failures: to === 'open' ? 0 : failuresOf(reason, info.failures) });
  });
  client.on('retry', ({ delayMs, failures }) => set({ ...info, retryAt: now() + delayMs, failures }));
  tracker = {
    get: () => (info.status === client.status ? info : (info = { ...info, status: client.status })),
    subscribe: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
  trackers.set(client, tracker);
  return tracker;
}

function failuresOf(reason: StateReason, previous: number): number {
  return 'failures' in reason ? reason.failures : previous;
}
