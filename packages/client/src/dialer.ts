// Opens one tagged Connection per connect attempt. A new attempt (or `supersede()`) makes every older one
// stale, including one still waiting for the WebSocket implementation to load.

import { Connection, type ConnectionHandlers } from './connection';
import type { Scheduler } from './scheduler';
import { loadWebSocket, type WebSocketConstructor } from './websocket';

export interface DialerOptions {
  /** @default globalThis.WebSocket, else the `ws` package */
  WebSocket?: WebSocketConstructor;
  /** The full socket URL, token included; asked again for every attempt (a `getToken()` may give a new token). */
  url: () => string | Promise<string>;
  protocols: readonly string[];
  scheduler: Scheduler;
  /** @default 10000 (DEFAULT_CONNECT_TIMEOUT_MS) */
  connectTimeoutMs: number;
}

/** Why no socket could even be created (as opposed to one that failed to connect). */
export interface DialFailure {
  code: 'websocket_unavailable' | 'websocket_failed' | 'token_unavailable';
  error: unknown;
}

export class Dialer {
  readonly #o: DialerOptions;
  #tag = 0;

  constructor(options: DialerOptions) {
    this.#o = options;
  }

  /** Whether `c` belongs to the newest attempt. */
  isCurrent(c: Connection): boolean {
    return c.id === this.#tag;
  }

  /** Make every attempt so far stale. */
  supersede(): void {
    this.#tag++;
  }

  /**
   * Start an attempt. `adopt` receives the connection synchronously, before any socket callback can run.
   * Resolves with a failure when no socket could be created, or null (created, or superseded meanwhile).
   */
  async dial(handlers: ConnectionHandlers, adopt: (c: Connection) => void): Promise<DialFailure | null> {
    const tag = ++this.#tag;
    let Ctor: WebSocketConstructor;
    try {
      Ctor = await loadWebSocket(this.#o.WebSocket);
    } catch (error) {
      return tag === this.#tag ? { code: 'websocket_unavailable', error } : null;
    }
    if (tag !== this.#tag) return null;
    let url: string;
    try {
      url = await this.#o.url();
    } catch (error) {
      return tag === this.#tag ? { code: 'token_unavailable', error } : null;
    }
    if (tag !== this.#tag) return null;
    let socket;
    try {
      socket = new Ctor(url, [...this.#o.protocols]);
    } catch (error) {
      return { code: 'websocket_failed', error };
    }
    adopt(new Connection(tag, socket, handlers, { scheduler: this.#o.scheduler, ms: this.#o.connectTimeoutMs }));
    return null;
  }
}
