// Every timer the client starts goes through one Scheduler, so `close()` can cancel them all and tests
// can inject a clock. No timer survives `cancelAll()`.

/** Injectable time source: the subset of the platform timers the SDK uses. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds on a monotonic-enough clock. @default Date.now */
  now(): number;
}

/** The platform's timers. */
export const systemTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  now: () => Date.now(),
};

/** Tracks live timers so they can be cancelled together. */
export class Scheduler {
  readonly #timers: Timers;
  readonly #live = new Set<unknown>();

  constructor(timers: Timers = systemTimers) {
    this.#timers = timers;
  }

  now(): number {
    return this.#timers.now();
  }

  /** Run `fn` once after `ms`; returns a cancel function (safe to call after it ran). */
  after(ms: number, fn: () => void): () => void {
    const handle = this.#timers.setTimeout(() => {
      this.#live.delete(handle);
      fn();
    }, Math.max(0, ms));
    this.#live.add(handle);
    return () => {
      if (this.#live.delete(handle)) this.#timers.clearTimeout(handle);
    };
  }

  /** Run `fn` every `ms` (a chain of timeouts, so a slow `fn` never overlaps itself); returns a cancel function. */
  every(ms: number, fn: () => void): () => void {
    let cancel: () => void = () => {};
    let stopped = false;
    const tick = () => {
      fn();
      if (!stopped) cancel = this.after(ms, tick);
    };
    cancel = this.after(ms, tick);
    return () => {
      stopped = true;
      cancel();
    };
  }

  /** Number of timers scheduled and not yet run or cancelled. */
  get size(): number {
    return this.#live.size;
  }

  cancelAll(): void {
    for (const handle of this.#live) this.#timers.clearTimeout(handle);
    this.#live.clear();
  }
}
