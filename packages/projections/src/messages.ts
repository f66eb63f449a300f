// The `messages` slice (docs/control-plane.md): the current state of each inter-agent message, folded from `message.*`
// events. Metadata only: payloads never reach an event, so they cannot reach a projection either.

import type { MessageEventName } from '@switchboard/protocol';
import { evictOldest } from './evict';
import { dataOf, stringField } from './event-data';
import { getRecord, putRecord } from './records';
import type { FleetState, SliceReducer } from './state';

/** Acknowledged or failed messages kept; beyond this the least recently finished goes. @default 1000 */
export const MAX_FINISHED_MESSAGES = 1000;
/** Messages kept in all, finished or not (a peer that never acknowledges must not grow the slice forever). @default 10000 */
export const MAX_MESSAGES = 10_000;

export type MessageView = {
  message_id: string;
  from: string;
  to: string;
  message_type: string;
  correlation_id: string | null;
  /** The last event: `sent`, `delivered`, `acknowledged` or `failed`. */
  status: MessageEventName;
  /** Detail of the last event (the error of a failure). */
  detail: string | null;
  sent_at: string;
  updated_at: string;
  /** Cluster mode: the node that took the message and holds its payload and state. Absent on one node. */
  node_id?: string;
};

export type Messages = Record<string, MessageView>;

const TOPIC_STATUS: Record<string, MessageEventName> = {
  'message.sent': 'sent',
  'message.delivered': 'delivered',
  'message.acknowledged': 'acknowledged',
  'message.failed': 'failed',
};

/**
 * Fold one `message.*` event (data: message_id, from, to, message_type, correlation_id, detail). `sent` adds the
 * message; the others move its status, creating it from the event's metadata when it is unknown (evicted, or a
 * log that starts mid-conversation).
 */
export const reduceMessages: SliceReducer<Messages> = (slice, event) => {
  const status = Object.hasOwn(TOPIC_STATUS, event.topic) ? TOPIC_STATUS[event.topic] : undefined;
  const d = dataOf(event);
  const id = d && stringField(d, 'message_id');
  if (!status || !d || !id) return slice;
  const prev = getRecord(slice, id);
  const next = putRecord(slice, id, {
    message_id: id,
    from: prev?.from ?? stringField(d, 'from') ?? '',
    to: prev?.to ?? stringField(d, 'to') ?? '',
    message_type: prev?.message_type ?? stringField(d, 'message_type') ?? '',
    correlation_id: prev?.correlation_id ?? stringField(d, 'correlation_id') ?? null,
    status,
    detail: stringField(d, 'detail') ?? null,
    sent_at: prev?.sent_at ?? event.ts,
    updated_at: event.ts,
    ...nodeOf(prev, d),
  });
  if (next === slice) return slice;
  const bounded = evictOldest(next, MAX_FINISHED_MESSAGES, isFinished, updatedAt);
  return evictOldest(bounded, MAX_MESSAGES, () => true, updatedAt);
};

/** `reduceMessages` over the opaque slice type FleetState declares for server-owned families (for REDUCERS). */
export const messagesSliceReducer: SliceReducer<FleetState['messages']> = (slice, event) => reduceMessages(slice as Messages, event);

/** The messages slice with its view type (FleetState keeps server-owned slices opaque). */
export function messagesOf(state: Pick<FleetState, 'messages'>): Messages {
  return state.messages as Messages;
}

function nodeOf(prev: MessageView | undefined, d: Record<string, unknown>): { node_id?: string } {
  const node = prev?.node_id ?? stringField(d, 'node_id');
  return node ? { node_id: node } : {};
}

function isFinished(m: MessageView): boolean {
  return m.status === 'acknowledged' || m.status === 'failed';
}

function updatedAt(m: MessageView): string {
  return m.updated_at;
}
