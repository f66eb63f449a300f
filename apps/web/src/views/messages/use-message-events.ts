// Message events, live from `/ws/messages?instance=&correlation_id=` (docs/control-plane.md): the recent events, then each
// transition. Metadata only; payloads never reach the page. Falls back to polling `GET /api/messages`.

import type { MessageEventInfo } from '@switchboard/protocol';
import { useLiveStream } from '@switchboard/react';
import { api } from '../../lib/api';
import { wsUrl } from '../../lib/stream-url';
import { INITIAL_MESSAGES as INITIAL, reduceMessages, type MessagesState } from './messages-reducer';

export interface MessageFilter {
  instance: string;
  correlation_id: string;
}

interface MessageRecord {
  message_id: string;
  from: string;
  to: string;
  message_type: string;
  correlation_id: string | null;
  status: MessageEventInfo['event'];
  error: string | null;
  updated_at: string;
}

export function useMessageEvents(filter: MessageFilter) {
  const query = { instance: filter.instance || undefined, correlation_id: filter.correlation_id || undefined };
  const url = wsUrl('/ws/messages', query);
  return useLiveStream<MessagesState>(url, () => ({
    url,
    initial: INITIAL,
    reduce: reduceMessages,
    pollIntervalMs: 5000,
    poll: async (_state, signal) => {
      const qs = new URLSearchParams({ limit: '100' });
      if (query.instance) qs.set('instance', query.instance);
      if (query.correlation_id) qs.set('correlation_id', query.correlation_id);
      const body = await api<{ messages: MessageRecord[] }>('GET', `/api/messages?${qs}`, undefined, signal);
      // The REST list has each message's latest state; shown as its latest event, oldest first.
      const events = body.messages
        .map((m) => ({ message_id: m.message_id, event: m.status, from: m.from, to: m.to, message_type: m.message_type, correlation_id: m.correlation_id, detail: m.error, timestamp: m.updated_at }))
        .sort((a, b) => a.timestamp.localeCompare(b.timestamp));
      return { events, loaded: true };
    },
  }));
}
