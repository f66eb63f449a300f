// The polling fallback (docs/architecture.md): while no WebSocket works, read `GET /api/events` from the cursor every
// interval (at once again when the page says has_more) and reload the snapshot when the cursor is lost.

import type { Cursor, PollResponse, SnapshotResponse } from '@switchboard/protocol';
import type { SwitchboardEvent } from './event-router';
import type { RestClient } from './rest';
import type { Scheduler } from './scheduler';

export interface PollerOptions {
  rest: Pick<RestClient, 'pollEvents' | 'fetchSnapshot'>;
  scheduler: Scheduler;
  topics: readonly string[];
  /** Pause between polls when the last page had no more. @default 2000 (DEFAULT_POLL_INTERVAL_MS) */
  intervalMs: number;
  /** Events per page. @default 1000 (DEFAULT_POLL_LIMIT) */
  limit: number;
  /** Where to read from; null means "no state yet": load the snapshot first. */
  cursor: () => Cursor | null;
  onSnapshot: (snapshot: SnapshotResponse) => void;
  onEvent: (event: SwitchboardEvent) => void;
  /** A poll failed. Return `'stop'` to end polling (e.g. auth errors); otherwise it retries after the interval. */
  onError: (error: unknown) => 'retry' | 'stop';
}

/** Runs one polling loop at a time; `stop()` makes every in-flight answer stale and cancels its timer. */
export class Poller {
  readonly #o: PollerOptions;
  #generation = 0;
  #running = false;
  #abort: AbortController | null = null;
  #cancelTimer: (() => void) | null = null;

  constructor(options: PollerOptions) {
    this.#o = options;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Start polling now; no-op when already running. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    const generation = ++this.#generation;
    void this.#poll(generation);
  }

  /** Stop polling; answers still in flight are dropped, so they can never overwrite newer socket state. */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#generation++;
    this.#abort?.abort();
    this.#abort = null;
    this.#cancelTimer?.();
    this.#cancelTimer = null;
  }

  #schedule(generation: number, ms: number): void {
    this.#cancelTimer = this.#o.scheduler.after(ms, () => {
      this.#cancelTimer = null;
      void this.#poll(generation);
    });
  }

  async #poll(generation: number): Promise<void> {
    const stale = () => generation !== this.#generation;
    const abort = new AbortController();
    this.#abort = abort;
    const { rest, topics } = this.#o;
    let nextMs = this.#o.intervalMs;
    try {
      const cursor = this.#o.cursor();
      let page: PollResponse | null = null;
      if (cursor) {
        page = await rest.pollEvents({ cursor, topics, limit: this.#o.limit }, abort.signal);
        if (stale()) return;
      }
      if (!page || !page.recovered) {
        // No cursor yet, or the server cannot resume it (other epoch, or older than retention).
        const snapshot = await rest.fetchSnapshot(topics, abort.signal);
        if (stale()) return;
        this.#o.onSnapshot(snapshot);
      } else {
        for (const e of page.events) {
          if (stale()) return;
          this.#o.onEvent({ seq: e.seq, topic: e.topic, ts: e.ts, data: e.data });
        }
        // An empty page that claims more would spin; wait the interval then.
        if (page.has_more && page.events.length > 0) nextMs = 0;
      }
    } catch (error) {
      if (stale()) return;
      if (this.#o.onError(error) === 'stop') {
        this.stop();
        return;
      }
    } finally {
      if (this.#abort === abort) this.#abort = null;
    }
    if (!stale()) this.#schedule(generation, nextMs);
  }
}
