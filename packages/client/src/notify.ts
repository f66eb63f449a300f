// When listeners hear about changes: events are applied the moment they arrive, but telling a UI about each one
// makes it render per event, which a busy fleet (1 000+ events/s) turns into a page that falls further behind every
// second (docs/architecture.md, "Keeping up with a busy fleet"). A batcher coalesces changes into one notification
// per animation frame, tick or interval.

import { systemTimers, type Timers } from './scheduler';

/**
 * Schedule `flush` once, soon; returns its cancel. Inject one in tests to run batches by hand:
 * `notify: (flush) => { pending.push(flush); return () => {} }`.
 */
export type NotifyScheduler = (flush: () => void) => () => void;

/**
 * How often change listeners are told:
 * - `'frame'`: at most once per animation frame (`requestAnimationFrame`); where there is none (Node), as `'tick'`.
 * - `'tick'`: once per macrotask turn (a zero-delay timer), after every frame read in that turn.
 * - a number: at most once per that many milliseconds (the first change of a batch waits that long).
 * - `'sync'`: after every change, as it happens.
 * - a `NotifyScheduler`: your own.
 */
export type NotifyMode = 'frame' | 'tick' | 'sync' | number | NotifyScheduler;

interface FrameHost {
  requestAnimationFrame?: (fn: () => void) => number;
  cancelAnimationFrame?: (handle: number) => void;
}

/** The scheduler of `mode`; null for `'sync'`. Throws a TypeError for a mode that cannot work. */
export function notifyScheduler(mode: NotifyMode, timers: Timers = systemTimers, host: FrameHost = globalThis as FrameHost): NotifyScheduler | null {
  if (typeof mode === 'function') return mode;
  if (mode === 'sync') return null;
  if (mode === 'frame') {
    const raf = host.requestAnimationFrame;
    const caf = host.cancelAnimationFrame;
    if (typeof raf === 'function' && typeof caf === 'function') {
      return (flush) => {
        const handle = raf.call(host, () => flush());
        return () => caf.call(host, handle);
      };
    }
    return notifyScheduler('tick', timers, host);
  }
  const ms = mode === 'tick' ? 0 : mode;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new TypeError(`switchboard client: notify must be 'frame', 'tick', 'sync', a non-negative number of ms or a function, got ${String(mode)}`);
  }
  return (flush) => {
    const handle = timers.setTimeout(flush, ms);
    return () => timers.clearTimeout(handle);
  };
}

/**
 * Runs `run` once per batch: `request()` any number of times, `run` happens once at the scheduler's next slot
 * (at once with a null scheduler). `pendingSince` says since when a run is owed, for "behind by" indicators.
 *
 * @example
 * const batch = new Batcher(() => listeners.forEach((l) => l()), notifyScheduler('frame'));
 * socket.onmessage = (m) => { apply(m); batch.request(); };
 */
export class Batcher {
  readonly #run: () => void;
  readonly #schedule: NotifyScheduler | null;
  readonly #now: () => number;
  #cancel: (() => void) | null = null;
  /** Identifies the scheduled run, so a stale callback (after a flush or cancel) does nothing. */
  #slot: object | null = null;
  #since: number | null = null;

  constructor(run: () => void, schedule: NotifyScheduler | null, now: () => number = Date.now) {
    this.#run = run;
    this.#schedule = schedule;
    this.#now = now;
  }

  /** Ask for a run; coalesced with every other request until it happens. */
  request(): void {
    if (!this.#schedule) {
      this.#run();
      return;
    }
    if (this.#since !== null) return;
    this.#since = this.#now();
    const slot = {};
    this.#slot = slot;
    const cancel = this.#schedule(() => {
      if (this.#slot !== slot) return;
      this.#cancel = null; // it ran: nothing left to cancel
      this.flush();
    });
    // A scheduler may call back synchronously, before it returned its cancel.
    if (this.#slot === slot) this.#cancel = cancel;
  }

  /** Run now if a run is owed (e.g. before closing), instead of at the scheduled slot. */
  flush(): void {
    if (this.#since === null) return;
    this.cancel();
    this.#run();
  }

  /** Drop an owed run. */
  cancel(): void {
    const cancel = this.#cancel;
    this.#cancel = null;
    this.#slot = null;
    this.#since = null;
    cancel?.();
  }

  /** When the owed run was first requested (ms); null when none is owed. */
  get pendingSince(): number | null {
    return this.#since;
  }
}
