// `/ws/messages?instance=&correlation_id=` (docs/control-plane.md): a snapshot of recent message events, then a
// `message_event` frame per `message.*` event, both with the filters applied. Frames carry metadata only: the
// payload is not in the events this stream is built from.

import { RECENT_MESSAGE_EVENTS, SwitchboardError, type MessageEventInfo } from '@switchboard/protocol';
import type { App } from '../app';
import type { MessageFilter, MessageStore } from '../messages/message-store';
import type { WsConnection } from '../ws/connection';
import { encodeTextFrame } from '../ws/frame-encoding';

export function registerMessagesStream(app: App, store: MessageStore): void {
  const viewers = new Map<WsConnection, MessageFilter>();

  app.log.onAppend((events) => {
    if (viewers.size === 0) return;
    for (const e of events) {
      if (!e.topic.startsWith('message.')) continue;
      const info = e.data as MessageEventInfo;
      const encoded = encodeTextFrame(JSON.stringify(toFrame(info)));
      for (const [conn, filter] of viewers) if (matches(filter, info)) conn.offer(encoded);
    }
  });

  function snapshot(filter: MessageFilter, reason?: 'lagged'): Record<string, unknown> {
    const recent_events = store.recentEvents(filter, RECENT_MESSAGE_EVENTS);
    return reason ? { type: 'snapshot', recent_events, reason } : { type: 'snapshot', recent_events };
  }

  app.streams.add('/ws/messages', {
    idleRule: true,
    open(conn, { url }) {
      const filter: MessageFilter = {
        instance: param(url.searchParams, 'instance'),
        correlation_id: param(url.searchParams, 'correlation_id'),
      };
      viewers.set(conn, filter);
      conn.onClose(() => viewers.delete(conn));
      conn.onResync = () => conn.send(snapshot(filter, 'lagged'));
      conn.send(snapshot(filter));
    },
  });
}

/** The delta frame: exactly the event's metadata fields, in the seed's order. */
function toFrame(e: MessageEventInfo): Record<string, unknown> {
  return {
    type: 'message_event',
    message_id: e.message_id,
    event: e.event,
    from: e.from,
    to: e.to,
    message_type: e.message_type,
    correlation_id: e.correlation_id,
    detail: e.detail,
    timestamp: e.timestamp,
  };
}

export function matches(filter: MessageFilter, e: MessageEventInfo): boolean {
  if (filter.instance !== undefined && e.from !== filter.instance && e.to !== filter.instance) return false;
  if (filter.correlation_id !== undefined && e.correlation_id !== filter.correlation_id) return false;
  return true;
}

function param(q: URLSearchParams, field: string): string | undefined {
  const v = q.get(field);
  if (v === null || v === '') return undefined;
  if (v.length > 256) throw new SwitchboardError('bad_request', `${field} is longer than 256 characters`, { details: { field } });
  return v;
}
