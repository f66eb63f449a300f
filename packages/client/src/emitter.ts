// A small typed event emitter: `on(event, fn)` returns its unsubscribe (STYLE: Naming). No I/O.

export type Listener<T> = (payload: T) => void;

/**
 * Typed emitter over an event map `{ name: payload }`. A listener that throws does not stop the others;
 * its error goes to `onListenerError`.
 */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();
  readonly #onListenerError: (error: unknown, event: keyof Events) => void;

  constructor(onListenerError: (error: unknown, event: keyof Events) => void) {
    this.#onListenerError = onListenerError;
  }

  /** Add `fn` for `event`; returns a function that removes it (safe to call twice). */
  on<K extends keyof Events>(event: K, fn: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    // Wrap so the same function added twice gets two independent subscriptions.
    const entry: Listener<Events[K]> = (p) => fn(p);
    set.add(entry as Listener<never>);
    return () => {
      set.delete(entry as Listener<never>);
    };
  }

  /** Number of listeners of `event`. */
  count(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) return;
    for (const fn of [...set] as Listener<Events[K]>[]) {
      try {
        fn(payload);
      } catch (error) {
        this.#onListenerError(error, event);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
