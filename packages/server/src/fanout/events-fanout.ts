// The hot loop: every appended event is encoded once (JSON and WebSocket header) and the same bytes are offered
// to each matching `/ws/events` subscriber's bounded queue, which the flusher writes once per tick per socket.

import type { StoredEvent } from '../store/event-store';
import type { WsConnection } from '../ws/connection';
import { encodeTextFrame } from '../ws/frame-encoding';
import { SubscriptionIndex, type Indexed } from './subscription-index';

export interface EventsSubscriber extends Indexed {
  conn: WsConnection;
  patterns: Set<string>;
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

  publish(events: readonly StoredEvent[]): void {
    if (!this.index.hasAny()) return;
    for (const e of events) {
      let frame: Buffer | undefined;
      this.index.forEachMatch(e.topic, e.seq, (sub) => {
        frame ??= encodeTextFrame(eventFrameJson(e));
        if (sub.conn.offer(frame)) this.delivered++;
        else this.dropped++;
      });
    }
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
