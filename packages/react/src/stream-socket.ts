// A reconnecting JSON WebSocket for the streams outside the SDK (docs/control-plane.md, docs/workspaces-and-plans.md: /ws/instances, logs,
// messages, /ws/sessions, /ws/{session_id}): backoff 1, 2, 4, 8, 16, 30 s with jitter, reset on the first
// server frame; ping every 30 s (the control-plane idle rule); reconnect after 90 s of silence; stop on close
// codes after which retrying cannot help. No React here.

import { DEFAULT_CONNECT_TIMEOUT_MS, FATAL_CLOSE_CODES, type WebSocketConstructor, type WebSocketLike } from '@switchboard/client';
import { CLIENT_PING_INTERVAL_MS, CLIENT_SILENCE_TIMEOUT_MS, backoffDelay } from '@switchboard/protocol';

/** `closed` is final only after `close()` or a fatal close code (then `error` says why). */
export type StreamStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A server frame: a JSON object with a string `type`. */
export type StreamFrame = { type: string } & Record<string, unknown>;

export interface StreamSocketInfo {
  status: StreamStatus;
  /** Failed connects in a row; reset by the first server frame. */
  failures: number;
  /** Epoch ms of the next attempt while reconnecting; null otherwise. */
  retryAt: number | null;
  /** Why the stream stopped for good: the server's error frame code, or `closed_<code>`. */
  error: { code: string; message: string } | null;
}

export interface StreamSocketOptions {
  /** ws(s) URL of the stream, query included. */
  url: string;
  /**
   * The URL of each (re)connect, when it varies, e.g. a log tail adding the position it reached so the server
   * resumes there (docs/control-plane.md "Exact log resume"). @default () => url
   */
  connectUrl?: () => string;
  /** @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor;
  /** @default backoffDelay from @switchboard/protocol */
  backoff?: (attempt: number, random: number) => number;
  /** @default Math.random */
  random?: () => number;
  /** @default 30000 */
  pingIntervalMs?: number;
  /** @default 90000 */
  silenceTimeoutMs?: number;
  /** A socket not open after this long is a failed connect. @default 10000 */
  connectTimeoutMs?: number;
}

const OPEN = 1;

/** One logical stream; at most one socket at a time. Call `start()` to connect and `close()` to stop. */
export class StreamSocket {
  readonly url: string;
  readonly #o: Required<Omit<StreamSocketOptions, 'WebSocket'>> & { WebSocket?: WebSocketConstructor };
  #info: StreamSocketInfo = { status: 'idle', failures: 0, retryAt: null, error: null };
  #socket: WebSocketLike | null = null;
  #gotFrame = false;
  #attempt = 0;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #pingTimer: ReturnType<typeof setInterval> | null = null;
  #lastFrameAt = 0;
  readonly #frameListeners = new Set<(frame: StreamFrame) => void>();
  readonly #infoListeners = new Set<() => void>();
  readonly #openListeners = new Set<() => void>();

  constructor(options: StreamSocketOptions) {
    this.url = options.url;
    this.#o = {
      url: options.url,
      connectUrl: options.connectUrl ?? (() => options.url),
      WebSocket: options.WebSocket,
      backoff: options.backoff ?? backoffDelay,
      random: options.random ?? Math.random,
      pingIntervalMs: options.pingIntervalMs ?? CLIENT_PING_INTERVAL_MS,
      silenceTimeoutMs: options.silenceTimeoutMs ?? CLIENT_SILENCE_TIMEOUT_MS,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    };
  }

  get info(): StreamSocketInfo {
    return this.#info;
  }

  /** Every server frame but `pong`. Returns the unsubscribe. */
  onFrame(fn: (frame: StreamFrame) => void): () => void {
    this.#frameListeners.add(fn);
    return () => this.#frameListeners.delete(fn);
  }

  /** `info` changed. */
  onInfo(fn: () => void): () => void {
    this.#infoListeners.add(fn);
    return () => this.#infoListeners.delete(fn);
  }

  /** A socket opened (also after every reconnect): resend subscriptions here. */
  onOpen(fn: () => void): () => void {
    this.#openListeners.add(fn);
    return () => this.#openListeners.delete(fn);
  }

  /** Connect, unless already running. A stream closed by a fatal code can be started again. */
  start(): void {
    if (this.#info.status !== 'idle' && this.#info.status !== 'closed') return;
    this.#set({ status: 'connecting', failures: 0, retryAt: null, error: null });
    this.#connect();
  }

  /** Send a frame now; false when no socket is open (callers resend from `onOpen`). */
  send(frame: StreamFrame): boolean {
    const s = this.#socket;
    if (!s || s.readyState !== OPEN || this.#info.status !== 'open') return false;
    s.send(JSON.stringify(frame));
    return true;
  }

  /** Close with 1000 and stop every timer. */
  close(): void {
    this.#teardown(1000);
    if (this.#info.status !== 'closed') this.#set({ ...this.#info, status: 'closed', retryAt: null });
  }

  #set(info: StreamSocketInfo): void {
    this.#info = info;
    for (const fn of [...this.#infoListeners]) fn();
  }

  #after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  #connect(): void {
    const Ctor = this.#o.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) {
      this.#set({ ...this.#info, status: 'closed', error: { code: 'websocket_unavailable', message: 'no WebSocket implementation; pass the WebSocket option' } });
      return;
    }
    let socket: WebSocketLike;
    try {
      socket = new Ctor(this.#o.connectUrl());
    } catch (error) {
      this.#set({ ...this.#info, status: 'closed', error: { code: 'websocket_failed', message: (error as Error).message } });
      return;
    }
    this.#socket = socket;
    this.#gotFrame = false;
    let opened = false;
    let errorFrame: { code: string; message: string } | null = null;
    const timeout = setTimeout(() => {
      if (!opened && this.#socket === socket) this.#ended(socket, null, null);
    }, this.#o.connectTimeoutMs);
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      opened = true;
      clearTimeout(timeout);
      this.#lastFrameAt = Date.now();
      this.#set({ ...this.#info, status: 'open', retryAt: null });
      this.#startKeepalive(socket);
      for (const fn of [...this.#openListeners]) fn();
    };
    socket.onmessage = (event) => {
      if (this.#socket !== socket || typeof event.data !== 'string') return;
      this.#lastFrameAt = Date.now();
      let frame: unknown;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (typeof frame !== 'object' || frame === null || typeof (frame as StreamFrame).type !== 'string') return;
      if (!this.#gotFrame) {
        // The first server frame proves the stream works: backoff and failures start over (docs/architecture.md).
        this.#gotFrame = true;
        this.#attempt = 0;
        if (this.#info.failures !== 0) this.#set({ ...this.#info, failures: 0 });
      }
      const f = frame as StreamFrame;
      if (f.type === 'pong') return;
      if (f.type === 'error') errorFrame = { code: String(f.code ?? 'error'), message: String(f.message ?? '') };
      for (const fn of [...this.#frameListeners]) fn(f);
    };
    socket.onclose = (event) => {
      clearTimeout(timeout);
      if (this.#socket === socket) this.#ended(socket, event.code, errorFrame);
    };
    socket.onerror = () => {};
  }

  #startKeepalive(socket: WebSocketLike): void {
    this.#stopKeepalive();
    const period = Math.min(this.#o.pingIntervalMs, this.#o.silenceTimeoutMs);
    this.#pingTimer = setInterval(() => {
      if (this.#socket !== socket) return;
      if (Date.now() - this.#lastFrameAt >= this.#o.silenceTimeoutMs) {
        this.#ended(socket, null, null);
        return;
      }
      this.send({ type: 'ping' });
    }, period);
  }

  #stopKeepalive(): void {
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = null;
  }

  /** The current socket is over: stop for good on a fatal code, otherwise back off and retry. */
  #ended(socket: WebSocketLike, closeCode: number | null, errorFrame: { code: string; message: string } | null): void {
    const failed = !this.#gotFrame;
    this.#detach(socket, 1000);
    if (closeCode !== null && FATAL_CLOSE_CODES.has(closeCode)) {
      this.#set({ ...this.#info, status: 'closed', retryAt: null, error: errorFrame ?? { code: `closed_${closeCode}`, message: `the server closed the stream (${closeCode})` } });
      return;
    }
    this.#attempt++;
    const delayMs = Math.max(0, this.#o.backoff(this.#attempt, this.#o.random()));
    this.#set({ status: 'reconnecting', failures: this.#info.failures + (failed ? 1 : 0), retryAt: Date.now() + delayMs, error: null });
    this.#after(delayMs, () => this.#connect());
  }

  #detach(socket: WebSocketLike, code: number): void {
    this.#stopKeepalive();
    if (this.#socket === socket) this.#socket = null;
    // No-op handlers rather than null: `ws` throws on an 'error' nobody listens to, which it emits when a
    // socket still connecting is closed.
    socket.onopen = () => {};
    socket.onmessage = () => {};
    socket.onclose = () => {};
    socket.onerror = () => {};
    try {
      if (socket.readyState <= OPEN) socket.close(code);
    } catch {
      // A socket still connecting may refuse close() in some implementations; it is dropped either way.
    }
  }

  #teardown(code: number): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    if (this.#socket) this.#detach(this.#socket, code);
  }
}
