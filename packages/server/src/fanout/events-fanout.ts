// The hot loop: every appended event is encoded once (JSON and WebSocket header) and the same bytes are offered
// to each matching `/ws/events` subscriber's bounded queue, which the flusher writes once per tick per socket.
// A multi-event append (a REST batch) is also concatenated once: a subscriber that matches every event of it gets
// that one shared buffer, so its cost is one queue entry and one write rather than one per event (issue 5).

import type { StoredEvent } from '../store/event-store';
import type { WsConnection } from '../ws/connection';
import { encodeTextFrame } from '../ws/frame-encoding';
import { SubscriptionIndex, type Indexed } from './subscription-index';

export interface EventsSubscriber extends Indexed {
  conn: WsConnection;
  patterns: Set<string>;
  /** The append this subscriber was last counted for, and how many of its events it matched. */
  batch: number;
  batchHits: number;
}

/** A subscriber with no patterns yet (every field set up front, so all subscribers share one shape). */
export function createSubscriber(conn: WsConnection): EventsSubscriber {
  return { conn, patterns: new Set(), mark: -1, batch: 0, batchHits: 0 };
}

/** `{"type":topic,"seq":N,"ts":"…","data":…}` built from the stored JSON, so data is never re-serialized. */
export function eventFrameJson(e: StoredEvent): string {
  return `{"type":${JSON.stringify(e.topic)},"seq":${e.seq},"ts":"${e.ts}","data":${e.dataJson}}`;
}

export class EventsFanout {
  readonly index = new SubscriptionIndex<EventsSubscriber>();
  /** Frames offered and dropped (lagged), for metrics. */
  delivered = 0;
  dropped = 0;
  /** Visit pass counter: the index's dedupe mark, unique per forEachMatch call. */
  private pass = 0;
  private batchSeq = 0;

  publish(events: readonly StoredEvent[]): void {
    if (!this.index.hasAny() || events.length === 0) return;
    if (events.length === 1) return this.publishOne(events[0]!);
    const batch = ++this.batchSeq;
    const touched: EventsSubscriber[] = [];
    const frames: Array<Buffer | undefined> = new Array(events.length);
    for (let k = 0; k < events.length; k++) {
      let matched = false;
      this.index.forEachMatch(events[k]!.topic, ++this.pass, (sub) => {
        matched = true;
        if (sub.batch !== batch) {
          sub.batch = batch;
          sub.batchHits = 0;
          touched.push(sub);
        }
        sub.batchHits++;
      });
      if (matched) frames[k] = encodeTextFrame(eventFrameJson(events[k]!));
    }
    let shared: Buffer | undefined;
    let partial = false;
    for (const sub of touched) {
      if (sub.batchHits !== events.length) {
        partial = true;
        continue;
      }
      shared ??= Buffer.concat(frames as Buffer[]);
      this.count(sub.conn.offer(shared, events.length), events.length);
    }
    if (!partial) return;
    // Subscribers that match only some events of the append get theirs one by one, still in log order.
    for (let k = 0; k < events.length; k++) {
      const frame = frames[k];
      if (!frame) continue;
      this.index.forEachMatch(events[k]!.topic, ++this.pass, (sub) => {
        if (sub.batch === batch && sub.batchHits !== events.length) this.count(sub.conn.offer(frame), 1);
      });
    }
  }

  private publishOne(e: StoredEvent): void {
    let frame: Buffer | undefined;
    this.index.forEachMatch(e.topic, ++this.pass, (sub) => {
      frame ??= encodeTextFrame(eventFrameJson(e));
      this.count(sub.conn.offer(frame), 1);
    });
  }

  private count(offered: boolean, frames: number): void {
    if (offered) this.delivered += frames;
    else this.dropped += frames;
  }

  addPatterns(sub: EventsSubscriber, patterns: Iterable<string>): void {
    for (const p of patterns) {
      if (sub.patterns.has(p)) continue;
      sub.patterns.add(p);
      this.index.add(sub, p);
    }
  }

  removePatterns(sub: EventsSubscriber, patterns: Iterable<string>): void {
    for (const p of patterns) {
      if (!sub.patterns.delete(p)) continue;
      this.index.remove(sub, p);
    }
  }

  removeAll(sub: EventsSubscriber): void {
    this.removePatterns(sub, [...sub.patterns]);
  }
}
