// Routes events to handlers by topic pattern (`*`, `family.*`, exact). Pure: no I/O.

import { isValidPattern, matchTopic } from '@switchboard/protocol';

/** An event as handlers see it (docs/protocol.md#wsevents-and-wsagents frame, with `type` named `topic`). */
export interface SwitchboardEvent<D = unknown> {
  seq: number;
  topic: string;
  /** ISO 8601 UTC timestamp assigned by the server. */
  ts: string;
  data: D;
}

export type EventHandler<D = unknown> = (event: SwitchboardEvent<D>) => void;

interface Route {
  pattern: string;
  handler: EventHandler;
}

/**
 * Pattern → handlers. Many handlers per pattern; each `add` returns its own unsubscribe. Handlers run in
 * the order they were added; one that throws is reported to `onHandlerError` and the others still run.
 */
export class EventRouter {
  // Insertion-ordered; a Set of route objects lets one handler be added twice and removed once.
  readonly #routes = new Set<Route>();
  readonly #onHandlerError: (error: unknown, event: SwitchboardEvent, pattern: string) => void;

  constructor(onHandlerError: (error: unknown, event: SwitchboardEvent, pattern: string) => void) {
    this.#onHandlerError = onHandlerError;
  }

  /** Route events matching `pattern` to `handler`. Throws on an invalid pattern (a programmer error). */
  add(pattern: string, handler: EventHandler): () => void {
    if (!isValidPattern(pattern)) {
      throw new TypeError(`switchboard client: invalid topic pattern ${JSON.stringify(pattern)}; use "*", "family.*" or an exact topic`);
    }
    const route: Route = { pattern, handler };
    this.#routes.add(route);
    return () => {
      this.#routes.delete(route);
    };
  }

  /** Number of routes, all patterns together. */
  get size(): number {
    return this.#routes.size;
  }

  /** Call every handler whose pattern matches `event.topic`; returns how many ran. */
  dispatch(event: SwitchboardEvent): number {
    let ran = 0;
    for (const route of [...this.#routes]) {
      if (!this.#routes.has(route) || !matchTopic(route.pattern, event.topic)) continue;
      ran++;
      try {
        route.handler(event);
      } catch (error) {
        this.#onHandlerError(error, event, route.pattern);
      }
    }
    return ran;
  }

  clear(): void {
    this.#routes.clear();
  }
}
