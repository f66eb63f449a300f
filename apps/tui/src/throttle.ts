// Coalesces bursts of calls into at most one run per interval (leading and trailing edge), with injectable timers.

/** The subset of timers the throttle uses; tests inject fake ones. */
export interface ThrottleTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const systemTimers: ThrottleTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  now: () => Date.now(),
};

export interface Throttle {
  /** Ask for a run: it happens as soon as `intervalMs` has passed since the previous run, never twice in one interval. */
  schedule(): void;
  /** Whether a run is scheduled and has not happened yet. */
  readonly pending: boolean;
  /** Drop a scheduled run. Later `schedule()` calls work again. */
  cancel(): void;
}

/**
 * Throttle `fn` to at most one run per `intervalMs`. Every `schedule()` is honoured by a run that starts after it
 * (the trailing edge is never lost), and the run is always asynchronous, so scheduling from inside an event
 * handler never re-enters the caller.
 *
 * @example
 * const render = createThrottle(() => setView(store.view()), 100);
 * client.on('event', () => render.schedule());
 */
export function createThrottle(fn: () => void, intervalMs: number, timers: ThrottleTimers = systemTimers): Throttle {
  let lastRunAt = -Infinity;
  let handle: unknown = null;
  const run = () => {
    handle = null;
    lastRunAt = timers.now();
    fn();
  };
  return {
    schedule() {
      if (handle !== null) return;
      const wait = Math.max(0, lastRunAt + intervalMs - timers.now());
      handle = timers.setTimeout(run, wait);
    },
    get pending() {
      return handle !== null;
    },
    cancel() {
      if (handle === null) return;
      timers.clearTimeout(handle);
      handle = null;
    },
  };
}
