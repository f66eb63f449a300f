// One WebSocket attempt. Parses frames and reports them until it is detached; after that every callback
// of the underlying socket is ignored, so a superseded socket can never touch the client's state. A socket
// that does not open within the connect timeout is closed and reported like any failed connect.

import { NORMAL_CLOSURE, READY_STATE } from './constants';
import type { Scheduler } from './scheduler';
import type { WebSocketLike } from './websocket';

/** A parsed server frame: a JSON object with a string `type`. */
export type ServerFrame = { type: string } & Record<string, unknown>;

export interface ConnectionHandlers {
  onOpen(connection: Connection): void;
  onFrame(connection: Connection, frame: ServerFrame): void;
  /** A frame that is not JSON text holding an object with a string `type`. */
  onInvalidFrame(connection: Connection, reason: string): void;
  /**
   * The socket closed; `opened` tells a failed handshake from a drop. `code` is null when it never
   * closed by itself because the connect timed out (`timedOut`).
   */
  onClose(connection: Connection, info: CloseInfo): void;
}

export interface CloseInfo {
  code: number | null;
  reason: string;
  opened: boolean;
  timedOut: boolean;
}

export interface ConnectTimeout {
  scheduler: Scheduler;
  /** @default 10000 (DEFAULT_CONNECT_TIMEOUT_MS) */
  ms: number;
}

const noop = () => {};

/** Wraps one socket, tagged with the attempt `id` that created it. */
export class Connection {
  readonly id: number;
  readonly #socket: WebSocketLike;
  #handlers: ConnectionHandlers | null;
  #opened = false;
  #framesReceived = 0;
  #cancelTimeout: (() => void) | null = null;

  constructor(id: number, socket: WebSocketLike, handlers: ConnectionHandlers, timeout?: ConnectTimeout) {
    this.id = id;
    this.#socket = socket;
    this.#handlers = handlers;
    socket.onopen = () => {
      this.#opened = true;
      this.#clearTimeout();
      this.#handlers?.onOpen(this);
    };
    socket.onmessage = (event) => this.#message(event.data);
    socket.onclose = (event) => this.#ended({ code: event.code, reason: event.reason ?? '', opened: this.#opened, timedOut: false });
    if (timeout) {
      this.#cancelTimeout = timeout.scheduler.after(timeout.ms, () => {
        this.#cancelTimeout = null;
        if (this.#opened || !this.#handlers) return;
        const h = this.#handlers;
        this.detach();
        h.onClose(this, { code: null, reason: 'connect timeout', opened: false, timedOut: true });
      });
    }
    // An error is always followed by a close event, which carries what we need.
    socket.onerror = noop;
  }

  /** Whether the handshake completed. */
  get opened(): boolean {
    return this.#opened;
  }

  /** Server frames received so far (valid or not). */
  get framesReceived(): number {
    return this.#framesReceived;
  }

  /** Whether this attempt still reports to the client. */
  get attached(): boolean {
    return this.#handlers !== null;
  }

  /** Whether `send` would write now. */
  isOpen(): boolean {
    return this.#handlers !== null && this.#socket.readyState === READY_STATE.open;
  }

  /** Write one text frame; false when the socket is not open. */
  send(text: string): boolean {
    if (!this.isOpen()) return false;
    this.#socket.send(text);
    return true;
  }

  /**
   * Stop reporting and close the socket. `terminate` destroys the TCP socket when the implementation
   * can (`ws`): used when the peer is silent and a close handshake would only wait on it.
   */
  detach(options: { code?: number; reason?: string; terminate?: boolean } = {}): void {
    this.#handlers = null;
    this.#clearTimeout();
    const s = this.#socket;
    // Keep no-op handlers rather than null: `ws` throws on an 'error' event nobody listens to, which it
    // emits when a socket still CONNECTING is closed.
    s.onopen = noop;
    s.onmessage = noop;
    s.onclose = noop;
    s.onerror = noop;
    if (s.readyState === READY_STATE.closed) return;
    try {
      if (options.terminate && typeof s.terminate === 'function') s.terminate();
      else s.close(options.code ?? NORMAL_CLOSURE, options.reason);
    } catch {
      // Closing an already-failing socket can throw in some implementations; it is gone either way.
    }
  }

  #ended(info: CloseInfo): void {
    const h = this.#handlers;
    this.#handlers = null;
    this.#clearTimeout();
    h?.onClose(this, info);
  }

  #clearTimeout(): void {
    this.#cancelTimeout?.();
    this.#cancelTimeout = null;
  }

  #message(data: unknown): void {
    const h = this.#handlers;
    if (!h) return;
    this.#framesReceived++;
    if (typeof data !== 'string') {
      h.onInvalidFrame(this, 'binary frame');
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      h.onInvalidFrame(this, 'malformed JSON');
      return;
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame) || typeof (frame as { type?: unknown }).type !== 'string') {
      h.onInvalidFrame(this, 'frame is not an object with a string type');
      return;
    }
    h.onFrame(this, frame as ServerFrame);
  }
}
