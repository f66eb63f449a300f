// `/ws/events` and `/ws/agents` (SPEC §4): subscribe/unsubscribe by topic pattern, snapshot or gap-free replay
// from a cursor, then live events whose frame `type` is the topic.

import {
  MAX_BODY_BYTES,
  SwitchboardError,
  isCursor,
  isValidPattern,
  matchAny,
  splitTopics,
  type Cursor,
} from '@switchboard/protocol';
import { selectState } from '@switchboard/projections';
import type { App } from '../app';
import { EventsFanout, createSubscriber, eventFrameJson, type EventsSubscriber } from '../fanout/events-fanout';
import type { WsConnection } from '../ws/connection';
import { encodeTextFrame } from '../ws/frame-encoding';
import type { ClientFrame, StreamHandler } from '../ws/stream';

/** A gap larger than this many events is answered with a snapshot rather than a replay. */
const MAX_REPLAY_EVENTS = 50_000;

export function registerEventsStream(app: App): EventsFanout {
  const fanout = new EventsFanout();
  app.log.onAppend((events) => {
    if (!fanout.index.hasAny()) return;
    fanout.publish(events);
    app.metrics.samplePublish();
  });
  // Replays may exceed the live queue bound once; beyond this budget a snapshot is cheaper than the gap.
  const replayBudgetBytes = Math.max(app.config.maxQueueBytes * 4, 4 * MAX_BODY_BYTES);
  const subs = new WeakMap<WsConnection, EventsSubscriber>();

  function sendSnapshot(sub: EventsSubscriber, reason?: 'lagged'): void {
    const { log } = app;
    const frame: Record<string, unknown> = {
      type: 'snapshot',
      epoch: log.epoch,
      seq: log.head,
      state: selectState(log.state, sub.patterns),
    };
    if (reason) frame.reason = reason;
    sub.conn.send(frame);
  }

  function subscribe(sub: EventsSubscriber, topics: string[], since: Cursor | undefined): void {
    const { log } = app;
    const fresh = topics.filter((t) => !sub.patterns.has(t));
    const unique = [...new Set(topics)];
    const check = since ? log.check(since) : 'stale';
    let replay: Buffer[] | null = null;
    if (since && check !== 'stale' && log.head - since.seq <= MAX_REPLAY_EVENTS) {
      replay = [];
      let bytes = 0;
      if (fresh.length > 0 && check === 'resumable') {
        for (const e of log.readSince(since.seq, MAX_REPLAY_EVENTS, (topic) => matchAny(fresh, topic))) {
          const f = encodeTextFrame(eventFrameJson(e));
          bytes += f.length;
          if (bytes > replayBudgetBytes) {
            replay = null;
            break;
          }
          replay.push(f);
        }
      }
    }
    if (since) {
      if (replay !== null) app.metrics.counters.resumesRecovered++;
      else app.metrics.counters.resumesNotRecovered++;
    }
    fanout.addPatterns(sub, unique);
    sub.conn.send({ type: 'subscribed', topics: unique, epoch: log.epoch, seq: log.head, recovered: replay !== null });
    if (replay) for (const f of replay) sub.conn.push(f);
    else sendSnapshot(sub);
  }

  function parseTopics(value: unknown, field: string): string[] {
    if (!Array.isArray(value) || value.length === 0 || value.length > 256) {
      throw new SwitchboardError('bad_request', `${field} must be a non-empty array of topic patterns`, { details: { field } });
    }
    for (const t of value) {
      if (!isValidPattern(t)) {
        throw new SwitchboardError('invalid_topic', `${field}: ${JSON.stringify(t).slice(0, 80)} is not a topic pattern (exact name, "family.*" or "*")`, {
          details: { field },
        });
      }
    }
    return value as string[];
  }

  function makeHandler(defaultAll: boolean): StreamHandler {
    return {
      idleRule: !defaultAll,
      open(conn, { url }) {
        const sub = createSubscriber(conn);
        subs.set(conn, sub);
        conn.onClose(() => fanout.removeAll(sub));
        conn.onResync = () => sendSnapshot(sub, 'lagged');
        const q = url.searchParams;
        let topics = splitTopics(q.get('topics'));
        if (topics.length === 0 && defaultAll) topics = ['*'];
        if (topics.length === 0) return;
        const since = parseQueryCursor(q, app.log.epoch);
        subscribe(sub, parseTopics(topics, 'topics'), since);
      },
      frame(conn, frame: ClientFrame) {
        const sub = subs.get(conn)!;
        if (frame.type === 'subscribe') {
          const topics = parseTopics(frame.topics, 'topics');
          if (frame.since !== undefined && frame.since !== null && !isCursor(frame.since)) {
            throw new SwitchboardError('invalid_cursor', 'since must be {"epoch": string, "seq": non-negative integer}', {
              details: { field: 'since' },
            });
          }
          subscribe(sub, topics, (frame.since ?? undefined) as Cursor | undefined);
          return true;
        }
        if (frame.type === 'unsubscribe') {
          const topics = parseTopics(frame.topics, 'topics');
          fanout.removePatterns(sub, topics);
          conn.send({ type: 'unsubscribed', topics: [...new Set(topics)] });
          return true;
        }
        return false;
      },
    };
  }

  app.streams.add('/ws/events', makeHandler(false));
  // Seed 001's client never sends a frame: /ws/agents subscribes to everything and skips the idle rule.
  app.streams.add('/ws/agents', makeHandler(true));
  return fanout;
}

function parseQueryCursor(q: URLSearchParams, currentEpoch: string): Cursor | undefined {
  const epoch = q.get('since_epoch');
  const seqText = q.get('since_seq') ?? q.get('since');
  if (seqText === null && epoch === null) return undefined;
  const seq = Number(seqText);
  if (seqText === null || !Number.isSafeInteger(seq) || seq < 0) {
    throw new SwitchboardError('invalid_cursor', 'since_seq must be a non-negative integer', { details: { field: 'since_seq' } });
  }
  // A seq without an epoch means "in the current log"; the server fills in its own epoch.
  return { epoch: epoch ?? currentEpoch, seq };
}
