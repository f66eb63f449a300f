// A stream's state: frames of a StreamSocket folded by a reducer, with the REST polling fallback of the control-plane contract
// (after 3 failed connects in a row, poll until a socket opens again). No React here.

import { FAILED_CONNECTS_BEFORE_POLLING } from '@switchboard/protocol';
import { DEFAULT_STREAM_POLL_INTERVAL_MS } from './constants';
import { StreamSocket, type StreamFrame, type StreamSocketInfo, type StreamSocketOptions } from './stream-socket';

export interface LiveStreamOptions<S> extends StreamSocketOptions {
  initial: S;
  /** Fold one server frame into the state; return the same state when nothing changed. */
  reduce: (state: S, frame: StreamFrame) => S;
  /** Read the state over REST while the socket is down (the fallback); omit for no fallback. */
  poll?: (state: S, signal: AbortSignal) => Promise<S>;
  /** @default 5000 */
  pollIntervalMs?: number;
  /** Failed connects in a row before polling. @default 3 */
  failuresBeforePolling?: number;
  /** Called on every open socket with a `send`, e.g. to (re)send subscriptions. */
  onOpen?: (send: (frame: StreamFrame) => boolean) => void;
}

export interface LiveStreamSnapshot<S> extends StreamSocketInfo {
  data: S;
  /** The REST fallback is running ("Live updates unavailable — polling"). */
  polling: boolean;
  /** Last polling failure, cleared by the next success. */
  pollError: string | null;
}

/** Socket + reducer + fallback; `snapshot` is a new object after every change. */
export class LiveStream<S> {
  readonly socket: StreamSocket;
  readonly #o: LiveStreamOptions<S>;
  #snapshot: LiveStreamSnapshot<S>;
  #pollTimer: ReturnType<typeof setTimeout> | null = null;
  #pollAbort: AbortController | null = null;
  readonly #listeners = new Set<() => void>();

  constructor(options: LiveStreamOptions<S>) {
    this.#o = options;
    this.socket = new StreamSocket(options);
    this.#snapshot = { ...this.socket.info, data: options.initial, polling: false, pollError: null };
    this.socket.onFrame((frame) => this.#update({ data: options.reduce(this.#snapshot.data, frame) }));
    this.socket.onInfo(() => this.#socketChanged());
    this.socket.onOpen(() => options.onOpen?.((frame) => this.socket.send(frame)));
  }

  get snapshot(): LiveStreamSnapshot<S> {
    return this.#snapshot;
  }

  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  start(): void {
    this.socket.start();
  }

  close(): void {
    this.socket.close();
    this.#stopPolling();
  }

  /** Send on the open socket; false when none is open. */
  send(frame: StreamFrame): boolean {
    return this.socket.send(frame);
  }

  /** Replace the state with `fn(state)` (optimistic updates, REST answers). */
  mutate(fn: (state: S) => S): void {
    this.#update({ data: fn(this.#snapshot.data) });
  }

  #update(patch: Partial<LiveStreamSnapshot<S>>): void {
    const next = { ...this.#snapshot, ...patch };
    if (Object.keys(patch).every((k) => Object.is(next[k as keyof typeof next], this.#snapshot[k as keyof typeof next]))) return;
    this.#snapshot = next;
    for (const fn of [...this.#listeners]) fn();
  }

  #socketChanged(): void {
    const info = this.socket.info;
    this.#update({ ...info });
    const threshold = this.#o.failuresBeforePolling ?? FAILED_CONNECTS_BEFORE_POLLING;
    if (info.status === 'open' || info.status === 'closed') this.#stopPolling();
    else if (this.#o.poll && info.status === 'reconnecting' && info.failures >= threshold && !this.#snapshot.polling) this.#startPolling();
  }

  #startPolling(): void {
    this.#update({ polling: true });
    void this.#pollOnce();
  }

  #stopPolling(): void {
    if (this.#pollTimer) clearTimeout(this.#pollTimer);
    this.#pollTimer = null;
    this.#pollAbort?.abort();
    this.#pollAbort = null;
    this.#update({ polling: false, pollError: null });
  }

  async #pollOnce(): Promise<void> {
    const abort = new AbortController();
    this.#pollAbort = abort;
    try {
      const data = await this.#o.poll!(this.#snapshot.data, abort.signal);
      if (abort.signal.aborted) return;
      this.#update({ data, pollError: null });
    } catch (error) {
      if (abort.signal.aborted) return;
      this.#update({ pollError: (error as Error)?.message ?? String(error) });
    }
    if (!this.#snapshot.polling) return;
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = null;
      void this.#pollOnce();
    }, this.#o.pollIntervalMs ?? DEFAULT_STREAM_POLL_INTERVAL_MS);
  }
}
