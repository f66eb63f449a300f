// The client's copy of the server's read models: the shared projections folded over a snapshot and the
// events after it, plus the resume cursor and duplicate protection. Pure: values in, values out.

import { setOwn, type Cursor } from '@switchboard/protocol';
import { applyEvent, initialState, stateKeysFor, type FleetState } from '@switchboard/projections';
import type { SwitchboardEvent } from './event-router';
import { Batcher, type NotifyScheduler } from './notify';

/** Whether an event with `seq` was already applied, given the last applied seq (null: none yet). */
export function isDuplicate(lastSeq: number | null, seq: number): boolean {
  return lastSeq !== null && seq <= lastSeq;
}

/**
 * The state after a snapshot for `topics`: every family the topics reach is replaced by the snapshot's
 * slice (or reset when the snapshot leaves it out); families outside the topics are kept.
 */
export function replaceFamilies(current: FleetState, snapshotState: Record<string, unknown>, topics: Iterable<string>): FleetState {
  const fresh = initialState() as unknown as Record<string, unknown>;
  const next = { ...current } as unknown as Record<string, unknown>;
  for (const key of stateKeysFor(topics)) next[key] = fresh[key];
  // The snapshot's keys come from the wire: a `__proto__` key must not become the state's prototype.
  for (const [key, slice] of Object.entries(snapshotState)) setOwn(next, key, slice);
  return next as unknown as FleetState;
}

/** Called after a batch of changes: the state now and the state the previous call (or the start) saw. */
export type StoreListener = (state: FleetState, previous: FleetState) => void;

/** What `acceptEvent` did with an event. */
export type AcceptResult = 'applied' | 'duplicate';

/**
 * State + cursor. The state object is never mutated: a new identity means a change, so
 * `useSyncExternalStore` can compare by reference. Snapshots and events are applied at once (`state` is always
 * current); listeners are told once per batch, as the `schedule` given says (null: after every change). One that
 * throws goes to `onListenerError` and the others still run.
 */
export class ClientStore {
  #state: FleetState = initialState();
  #epoch: string | null = null;
  #lastSeq: number | null = null;
  readonly #topics: readonly string[];
  readonly #listeners = new Set<StoreListener>();
  readonly #onListenerError: (error: unknown) => void;
  /** The state the listeners last heard about. */
  #notified: FleetState = this.#state;
  #version = 0;
  readonly #batch: Batcher;

  constructor(
    topics: readonly string[],
    onListenerError: (error: unknown) => void = () => {},
    schedule: NotifyScheduler | null = null,
    now: () => number = Date.now,
  ) {
    this.#topics = topics;
    this.#onListenerError = onListenerError;
    this.#batch = new Batcher(() => this.#notify(), schedule, now);
  }

  /** Run `fn(state, previous)` after every batch of changes; returns the unsubscribe. */
  subscribe(fn: StoreListener): () => void {
    const entry: StoreListener = (s, p) => fn(s, p);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  #notify(): void {
    const state = this.#state;
    const previous = this.#notified;
    if (state === previous) return;
    this.#notified = state;
    this.#version++;
    for (const fn of [...this.#listeners]) {
      try {
        fn(state, previous);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }

  get state(): FleetState {
    return this.#state;
  }

  /** Batches told so far: changes once per notification, so a render can key its work on it. */
  get version(): number {
    return this.#version;
  }

  /** Since when (ms) a change waits to be told to the listeners; null when they are up to date. */
  get pendingSince(): number | null {
    return this.#batch.pendingSince;
  }

  /** Tell the listeners now about changes still waiting for their batch (e.g. before closing). */
  flush(): void {
    this.#batch.flush();
  }

  /** Where to resume from: the epoch and the last applied seq; null before the first snapshot/event. */
  get cursor(): Cursor | null {
    return this.#epoch !== null && this.#lastSeq !== null ? { epoch: this.#epoch, seq: this.#lastSeq } : null;
  }

  get epoch(): string | null {
    return this.#epoch;
  }

  /** The server confirmed a resume in `epoch` (`subscribed` with `recovered: true`). */
  confirmEpoch(epoch: string): void {
    if (this.#epoch !== epoch) {
      // A resume is only granted within one epoch; a different one would make our seq meaningless.
      this.#epoch = epoch;
    }
  }

  /** Replace the subscribed families with a snapshot and move the cursor to its (epoch, seq). */
  applySnapshot(snapshot: { epoch: string; seq: number; state: Record<string, unknown> }): void {
    const previous = this.#state;
    this.#state = replaceFamilies(previous, snapshot.state ?? {}, this.#topics);
    this.#epoch = snapshot.epoch;
    this.#lastSeq = snapshot.seq;
    if (this.#state !== previous) this.#batch.request();
  }

  /**
   * Fold one event in unless it is a duplicate (seq ≤ cursor). The cursor advances only after the
   * projection returned, so an event whose reducer throws is not marked as applied.
   */
  acceptEvent(event: SwitchboardEvent): AcceptResult {
    if (isDuplicate(this.#lastSeq, event.seq)) return 'duplicate';
    const previous = this.#state;
    const next = applyEvent(previous, { topic: event.topic, data: event.data, ts: event.ts, seq: event.seq });
    this.#state = next;
    this.#lastSeq = event.seq;
    if (next !== previous) this.#batch.request();
    return 'applied';
  }
}
