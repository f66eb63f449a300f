// Client keepalive (docs/protocol.md#shared-websocket-rules, docs/architecture.md): an application ping every interval, so the server's idle timeout never
// fires, and a silence watchdog that reports when the server has sent nothing for too long.

import type { Scheduler } from './scheduler';

export interface KeepaliveOptions {
  scheduler: Scheduler;
  /** Send `{"type":"ping"}` this often. @default 30000 (CLIENT_PING_INTERVAL_MS) */
  pingIntervalMs: number;
  /** Report silence after this long without a server frame. @default 90000 (CLIENT_SILENCE_TIMEOUT_MS) */
  silenceTimeoutMs: number;
  sendPing: () => void;
  onSilence: (silentMs: number) => void;
}

/**
 * One per open socket. `touch()` on every server frame is a single assignment: the watchdog re-arms
 * itself for the remaining time when it wakes up, instead of resetting a timer per frame.
 */
export class Keepalive {
  readonly #o: KeepaliveOptions;
  #lastFrameAt = 0;
  #cancelPing: (() => void) | null = null;
  #cancelWatchdog: (() => void) | null = null;

  constructor(options: KeepaliveOptions) {
    this.#o = options;
  }

  start(): void {
    this.stop();
    this.#lastFrameAt = this.#o.scheduler.now();
    this.#cancelPing = this.#o.scheduler.every(this.#o.pingIntervalMs, this.#o.sendPing);
    this.#arm(this.#o.silenceTimeoutMs);
  }

  /** A frame arrived from the server. */
  touch(): void {
    this.#lastFrameAt = this.#o.scheduler.now();
  }

  stop(): void {
    this.#cancelPing?.();
    this.#cancelWatchdog?.();
    this.#cancelPing = this.#cancelWatchdog = null;
  }

  #arm(ms: number): void {
    this.#cancelWatchdog = this.#o.scheduler.after(ms, () => {
      this.#cancelWatchdog = null;
      const silent = this.#o.scheduler.now() - this.#lastFrameAt;
      if (silent >= this.#o.silenceTimeoutMs) {
        this.stop();
        this.#o.onSilence(silent);
      } else {
        this.#arm(this.#o.silenceTimeoutMs - silent);
      }
    });
  }
}
