// Sending and moving messages (docs/control-plane.md): the payload goes to the message store only; the log gets a `message.*`
// event with the metadata, which reaches `/ws/messages` and `/ws/events`. Request fields are validated here.

import { randomUUID } from 'node:crypto';
import { SwitchboardError, type MessageEventInfo, type MessageEventName } from '@switchboard/protocol';
import type { EventLog } from '../log/event-log';
import { canTransition } from './message-transitions';
import type { MessageStore } from './message-store';

/** Longest `from`, `to`, `message_type` and `correlation_id`. @default 256 */
export const MAX_MESSAGE_FIELD_LENGTH = 256;
/** Longest failure `error`. @default 4096 */
export const MAX_MESSAGE_ERROR_LENGTH = 4096;

const TOPIC: Record<MessageEventName, string> = {
  sent: 'message.sent',
  delivered: 'message.delivered',
  acknowledged: 'message.acknowledged',
  failed: 'message.failed',
};

export class MessageService {
  /** `nodeId`: cluster mode, recorded in `message.sent` as the node holding the payload and the state. */
  constructor(private readonly log: EventLog, readonly store: MessageStore, private readonly nodeId?: string) {}

  /** Validate and send; returns the new message id. */
  send(body: unknown): string {
    const b = asObject(body);
    const from = requiredName(b.from, 'from');
    const to = requiredName(b.to, 'to');
    const messageType = requiredName(b.message_type, 'message_type');
    const correlationId = b.correlation_id === undefined || b.correlation_id === null ? null : requiredName(b.correlation_id, 'correlation_id');
    if (!Object.hasOwn(b, 'payload')) throw invalid('payload', 'payload is required (any JSON value)');
    const ev: MessageEventInfo = {
      message_id: randomUUID(),
      event: 'sent',
      from,
      to,
      message_type: messageType,
      correlation_id: correlationId,
      detail: null,
      timestamp: new Date().toISOString(),
    };
    this.store.insert(ev, JSON.stringify(b.payload));
    this.log.append([{ topic: TOPIC.sent, data: this.nodeId ? { ...ev, node_id: this.nodeId } : ev }]);
    return ev.message_id;
  }

  /** Move message `id` to `to`; 404 when unknown, 409 when the move is not allowed from its current state. */
  transition(id: string, to: Exclude<MessageEventName, 'sent'>, detail: string | null = null): MessageEventInfo {
    const msg = this.store.getMeta(id);
    if (!msg) throw new SwitchboardError('message_not_found', `No message with id '${id.slice(0, 64)}'`);
    if (!canTransition(msg.status, to)) {
      throw new SwitchboardError('invalid_state', `Message '${id}' is ${msg.status}; it cannot become ${to}`);
    }
    const ev: MessageEventInfo = {
      message_id: id,
      event: to,
      from: msg.from,
      to: msg.to,
      message_type: msg.message_type,
      correlation_id: msg.correlation_id,
      detail,
      timestamp: new Date().toISOString(),
    };
    this.store.transition(ev);
    this.log.append([{ topic: TOPIC[to], data: ev }]);
    return ev;
  }

  /** Parse the body of `POST /api/messages/:id/fail`. */
  static parseFailBody(body: unknown): string {
    const b = asObject(body);
    if (typeof b.error !== 'string' || b.error.length === 0 || b.error.length > MAX_MESSAGE_ERROR_LENGTH) {
      throw invalid('error', `error must be a non-empty string of at most ${MAX_MESSAGE_ERROR_LENGTH} characters`);
    }
    return b.error;
  }
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'body must be a JSON object');
  return body as Record<string, unknown>;
}

function requiredName(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_MESSAGE_FIELD_LENGTH) {
    throw invalid(field, `${field} must be a non-empty string of at most ${MAX_MESSAGE_FIELD_LENGTH} characters`);
  }
  return v;
}

function invalid(field: string, message: string): SwitchboardError {
  return new SwitchboardError('validation_failed', message, { details: { field } });
}
