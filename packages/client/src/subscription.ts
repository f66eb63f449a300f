// The client's subscription to `/ws/events` (docs/protocol.md#wsevents-and-wsagents): builds the `subscribe` frame from the cursor and
// turns `subscribed`, `snapshot` and event frames (or polled pages) into store updates and handler calls.
// No I/O: the client feeds it frames and sends what it builds.

import type { SubscribeFrame } from '@switchboard/protocol';
import type { ClientError, ClientEvents, SnapshotEvent } from './client-events';
import type { ServerFrame } from './connection';
import type { EventRouter, SwitchboardEvent } from './event-router';
import type { BehindMeter } from './behind-meter';
import type { ClientStore } from './store';

export interface SubscriptionOptions {
  topics: readonly string[];
  store: ClientStore;
  router: EventRouter;
  emit: <K extends 'snapshot' | 'subscribed' | 'event'>(event: K, payload: ClientEvents[K]) => void;
  emitError: (source: ClientError['source'], code: string, message: string, error: unknown) => void;
  /** Told about every applied event and snapshot, with the time from `now`. */
  behind?: BehindMeter;
  now?: () => number;
}

/**
 * Resume logic. The cursor advances only after an event was applied; events at or below it are
 * duplicates and dropped; after `subscribed` with `recovered: false`, events wait for the snapshot.
 */
export class Subscription {
  readonly #o: SubscriptionOptions;
  /** `subscribed` said recovered:false: events wait for the snapshot that must come next. */
  #awaitingSnapshot = false;
  #held: SwitchboardEvent[] = [];

  constructor(options: SubscriptionOptions) {
    this.#o = options;
  }

  /** The frame that opens every socket: our topics, and `since` when there is a cursor to resume from. */
  subscribeFrame(): SubscribeFrame {
    const frame: SubscribeFrame = { type: 'subscribe', topics: [...this.#o.topics] };
    const cursor = this.#o.store.cursor;
    if (cursor) frame.since = cursor;
    return frame;
  }

  /** A new socket (or none): forget what the previous one was waiting for. */
  reset(): void {
    this.#awaitingSnapshot = false;
    this.#held = [];
  }

  onSubscribed(frame: ServerFrame): void {
    const epoch = String(frame.epoch);
    const recovered = frame.recovered === true;
    if (recovered) this.#o.store.confirmEpoch(epoch);
    this.#awaitingSnapshot = !recovered;
    this.#o.emit('subscribed', {
      topics: Array.isArray(frame.topics) ? (frame.topics as string[]) : [...this.#o.topics],
      epoch,
      seq: Number(frame.seq),
      recovered,
    });
  }

  /** A `snapshot` frame, after `subscribed` or mid-stream with `reason: "lagged"`. */
  onSnapshotFrame(frame: ServerFrame, isLive: () => boolean): void {
    if (typeof frame.epoch !== 'string' || typeof frame.seq !== 'number' || typeof frame.state !== 'object' || frame.state === null) {
      this.#o.emitError('protocol', 'invalid_frame', 'snapshot without epoch, seq or state', frame);
      return;
    }
    this.applySnapshot({
      epoch: frame.epoch,
      seq: frame.seq,
      state: frame.state as SnapshotEvent['state'],
      source: 'socket',
      ...(frame.reason === 'lagged' ? { reason: 'lagged' as const } : {}),
    });
    if (!this.#awaitingSnapshot) return;
    this.#awaitingSnapshot = false;
    const held = this.#held;
    this.#held = [];
    // Held events at or below the snapshot's seq are dropped as duplicates. A handler may close the client.
    for (const e of held) if (isLive()) this.acceptEvent(e);
  }

  /** A frame whose `type` is a topic. */
  onEventFrame(frame: ServerFrame): void {
    if (typeof frame.seq !== 'number' || !Number.isSafeInteger(frame.seq)) {
      this.#o.emitError('protocol', 'invalid_frame', `frame of type "${frame.type}" has no integer seq`, frame);
      return;
    }
    const event: SwitchboardEvent = { seq: frame.seq, topic: frame.type, ts: String(frame.ts ?? ''), data: frame.data };
    if (this.#awaitingSnapshot) this.#held.push(event);
    else this.acceptEvent(event);
  }

  /** Replace the subscribed families and move the cursor (socket or polling snapshot). */
  applySnapshot(snapshot: SnapshotEvent): void {
    this.#o.store.applySnapshot(snapshot);
    this.#o.behind?.caughtUp();
    this.#o.emit('snapshot', snapshot);
  }

  /** Apply, then advance the cursor, then notify: handlers always see `client.state` including their event. */
  acceptEvent(event: SwitchboardEvent): void {
    let result;
    try {
      result = this.#o.store.acceptEvent(event);
    } catch (error) {
      this.#o.emitError('projection', 'projection_failed', `reducer threw on ${event.topic} #${event.seq}: ${(error as Error)?.message}`, error);
      return;
    }
    if (result === 'duplicate') return;
    this.#o.behind?.event(event.ts, (this.#o.now ?? Date.now)());
    this.#o.emit('event', event);
    this.#o.router.dispatch(event);
  }
}
