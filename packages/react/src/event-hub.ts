// Shares one client subscription per topic pattern among every component that listens to it (ref-counted),
// so a list of rows each calling `useEvent('task.*', …)` costs one route in the client, not one per row.

import type { SwitchboardClient, SwitchboardEvent } from '@switchboard/client';

/** A handler held by reference: the hook updates `current` without touching the subscription. */
export interface HandlerRef {
  current: (event: SwitchboardEvent) => void;
}

interface Entry {
  refs: Set<HandlerRef>;
  off: () => void;
}

/** The pattern table of one client. */
export class EventHub {
  readonly #client: SwitchboardClient;
  readonly #entries = new Map<string, Entry>();

  constructor(client: SwitchboardClient) {
    this.#client = client;
  }

  /** Add `ref` under `pattern`; the first one subscribes on the client. Returns the removal (idempotent). */
  add(pattern: string, ref: HandlerRef): () => void {
    let entry = this.#entries.get(pattern);
    if (!entry) {
      const refs = new Set<HandlerRef>();
      const off = this.#client.subscribe(pattern, (event) => dispatch(refs, event));
      entry = { refs, off };
      this.#entries.set(pattern, entry);
    }
    const e = entry;
    e.refs.add(ref);
    return () => {
      if (!e.refs.delete(ref) || e.refs.size > 0) return;
      e.off();
      if (this.#entries.get(pattern) === e) this.#entries.delete(pattern);
    };
  }

  /** Client subscriptions held (one per pattern in use). */
  get size(): number {
    return this.#entries.size;
  }
}

/** Every handler runs even if one throws; the first error is rethrown so the client reports it. */
function dispatch(refs: Set<HandlerRef>, event: SwitchboardEvent): void {
  let failure: { error: unknown } | null = null;
  for (const ref of [...refs]) {
    if (!refs.has(ref)) continue;
    try {
      ref.current(event);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}

const hubs = new WeakMap<SwitchboardClient, EventHub>();

/** The hub of `client`, created on first use. */
export function eventHub(client: SwitchboardClient): EventHub {
  let hub = hubs.get(client);
  if (!hub) hubs.set(client, (hub = new EventHub(client)));
  return hub;
}
