// `/ws/events` and `/ws/agents` (docs/protocol.md#wsevents-and-wsagents): subscribe/unsubscribe by topic pattern, snapshot or gap-free replay
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
import { mayUseTopics, requireTopics, snapshotPatterns } from '../auth/scope';
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
  // Cluster mode: a connection whose resume waits for this node to catch up handles its later frames after it.
  const waiting = new WeakMap<WsConnection, Promise<void>>();

  /** Run `step` after whatever this connection is waiting for; its errors reach the client like a frame's. */
  function after(conn: WsConnection, step: () => void | Promise<void>): void {
    const prev = waiting.get(conn);
    const run = prev ? prev.then(step) : step();
    if (!run) return;
    const tracked: Promise<void> = run
      .catch((err: unknown) => {
        if (err instanceof SwitchboardError) conn.sendError(err);
        else {
          app.logLine(`events stream: ${(err as Error).stack ?? String(err)}`);
          conn.fail(new SwitchboardError('internal', 'internal error'));
        }
      })
      .finally(() => {
        if (waiting.get(conn) === tracked) waiting.delete(conn);
      });
    waiting.set(conn, tracked);
  }

  /**
   * Subscribe, but in cluster mode first let this node catch up to a cursor of its own epoch that is ahead of it
   * (the client read further on another node): bounded by `resumeWaitMs`, then a retryable `unavailable` that
   * closes the socket (4503) so the client reconnects, rather than a snapshot older than what it already has.
   */
  function subscribeWhenCaughtUp(sub: EventsSubscriber, topics: string[], since: Cursor | undefined): void | Promise<void> {
    const { log } = app;
    if (!since || !log.replicated || (since.epoch === log.epoch && since.seq <= log.head)) return subscribe(sub, topics, since);
    // Also a cursor of the cluster's newer epoch, when this node has not yet noticed the shared log was lost.
    return log.catchUpTo(since, app.config.resumeWaitMs).then((outcome) => {
      if (sub.conn.closed) return;
      if (outcome === 'behind') {
        sub.conn.fail(new SwitchboardError('unavailable', `this node has not caught up to seq ${since.seq} yet; reconnect and resume again`));
        return;
      }
      subscribe(sub, topics, since);
    });
  }

  function sendSnapshot(sub: EventsSubscriber, reason?: 'lagged'): void {
    const { log } = app;
    const frame: Record<string, unknown> = {
      type: 'snapshot',
      epoch: log.epoch,
      seq: log.head,
      // A `topics` claim narrows the snapshot to the families it covers whole (auth/scope.ts).
      state: selectState(log.state, sub.conn.principal?.topics ? snapshotPatterns(sub.conn.principal, sub.patterns) : sub.patterns),
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
        // "Everything" for a token with a `topics` claim is the claim.
        if (topics.length === 0 && defaultAll) topics = conn.principal?.topics ? [...conn.principal.topics] : ['*'];
        if (topics.length === 0) return;
        const since = parseQueryCursor(q, app.log.epoch);
        const parsed = parseTopics(topics, 'topics');
        // At open this throws, so the connection ends with 4403: it asked for nothing it may have.
        requireTopics(conn.principal, parsed, 'subscribe to');
        after(conn, () => subscribeWhenCaughtUp(sub, parsed, since));
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
          // Here the error frame leaves the connection and its other subscriptions as they were.
          requireTopics(conn.principal, topics, 'subscribe to');
          after(conn, () => subscribeWhenCaughtUp(sub, topics, (frame.since ?? undefined) as Cursor | undefined));
          return true;
        }
        if (frame.type === 'unsubscribe') {
          const topics = parseTopics(frame.topics, 'topics');
          after(conn, () => {
            fanout.removePatterns(sub, topics);
            conn.send({ type: 'unsubscribed', topics: [...new Set(topics)] });
          });
          return true;
        }
        return false;
      },
      rescope(conn) {
        const sub = subs.get(conn)!;
        const dropped = [...sub.patterns].filter((p) => !mayUseTopics(conn.principal, p));
        if (dropped.length === 0) return;
        fanout.removePatterns(sub, dropped);
        conn.send({ type: 'unsubscribed', topics: dropped, reason: 'scope' });
      },
    };
  }

  app.streams.add('/ws/events', makeHandler(false));
  // The 3D-client contract's client never sends a frame: /ws/agents subscribes to everything and skips the idle rule.
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
