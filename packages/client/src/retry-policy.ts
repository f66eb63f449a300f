// Decides what follows a failed connect or a dropped socket: wait and retry (with backoff), fall back to
// polling, or give up. Pure: counters in, decision out; the client owns the timers.

import { backoffDelay } from '@switchboard/protocol';
import { FAILED_CONNECTS_BEFORE_POLLING } from './constants';

/** `(attempt, random) → ms`; attempt is 1-based, random in [0, 1). */
export type BackoffFn = (attempt: number, random: number) => number;

export type RetryDecision =
  | {
      action: 'retry';
      /** 1-based reconnect attempt this delay leads to. */
      attempt: number;
      delayMs: number;
      /** Failed connects in a row, counting this one (0 after a drop of a healthy socket). */
      failures: number;
      /** Whether polling should run while waiting (`failures` reached the threshold). */
      poll: boolean;
    }
  | { action: 'give_up'; attempts: number };

export interface RetryPolicyOptions {
  /** Reconnect attempts in a row before giving up. @default Infinity */
  maxReconnectAttempts?: number;
  /** Failed connects in a row before polling. @default 3 (FAILED_CONNECTS_BEFORE_POLLING) */
  failuresBeforePolling?: number;
  /** @default backoffDelay from @switchboard/protocol (1, 2, 4, 8, 16, 30 s with jitter) */
  backoff?: BackoffFn;
  /** @default Math.random */
  random?: () => number;
}

/**
 * Counts reconnect attempts and failed connects since the last healthy socket. A socket is healthy once
 * the server sent a frame (`reset()`), not merely once it opened: a server that accepts and closes at
 * once must still back off (docs/architecture.md).
 */
export class RetryPolicy {
  #attempts = 0;
  #failures = 0;
  readonly #max: number;
  readonly #pollAfter: number;
  readonly #backoff: BackoffFn;
  readonly #random: () => number;

  constructor(options: RetryPolicyOptions = {}) {
    this.#max = options.maxReconnectAttempts ?? Infinity;
    this.#pollAfter = options.failuresBeforePolling ?? FAILED_CONNECTS_BEFORE_POLLING;
    this.#backoff = options.backoff ?? backoffDelay;
    this.#random = options.random ?? Math.random;
  }

  /** Reconnect attempts made since the last healthy socket. */
  get attempts(): number {
    return this.#attempts;
  }

  /** Failed connects in a row. */
  get failures(): number {
    return this.#failures;
  }

  /** The current socket got a server frame: backoff and failure counts start over. */
  reset(): void {
    this.#attempts = 0;
    this.#failures = 0;
  }

  /**
   * A socket ended. `failed` is true when it never got a server frame (a failed connect), false for a
   * drop of a healthy socket. Returns what to do next and counts the attempt it schedules.
   */
  next(failed: boolean): RetryDecision {
    if (failed) this.#failures++;
    if (this.#attempts >= this.#max) return { action: 'give_up', attempts: this.#attempts };
    this.#attempts++;
    const delayMs = Math.max(0, this.#backoff(this.#attempts, this.#random()));
    return {
      action: 'retry',
      attempt: this.#attempts,
      delayMs,
      failures: this.#failures,
      poll: this.#failures >= this.#pollAfter,
    };
  }
}
