// Frames of the general stream `/ws/events` (docs/protocol.md#wsevents-and-wsagents) and the shared rules (docs/protocol.md#shared-websocket-rules).

import type { Cursor } from './cursor';
import type { ErrorCode } from './errors';

export interface PingFrame { type: 'ping' }
export interface PongFrame { type: 'pong' }

export interface SubscribeFrame {
  type: 'subscribe';
  topics: string[];
  since?: Cursor;
}
export interface UnsubscribeFrame {
  type: 'unsubscribe';
  topics: string[];
}
export type EventsClientFrame = SubscribeFrame | UnsubscribeFrame | PingFrame;

export interface SubscribedFrame {
  type: 'subscribed';
  topics: string[];
  epoch: string;
  seq: number;
  /** true: every matching event after `since` follows in order; false: a snapshot follows. */
  recovered: boolean;
}
export interface UnsubscribedFrame {
  type: 'unsubscribed';
  topics: string[];
}
export interface SnapshotFrame<S = Record<string, unknown>> {
  type: 'snapshot';
  epoch: string;
  seq: number;
  state: S;
  /** Present when the snapshot replaces deltas a slow connection could not take. */
  reason?: 'lagged';
}
export interface ErrorFrame {
  type: 'error';
  code: ErrorCode | string;
  message: string;
}

/** Control frames the server sends on `/ws/events`; event frames carry the topic as `type`. */
export type EventsServerControlFrame = SubscribedFrame | UnsubscribedFrame | SnapshotFrame | ErrorFrame | PongFrame;

/** `GET /api/events` answer (the polling fallback). */
export interface PollResponse<E = unknown> {
  epoch: string;
  /** Newest seq of the log (not of the page). */
  seq: number;
  /** false: the cursor cannot be resumed (other epoch or older than retention); reload the snapshot. */
  recovered: boolean;
  events: Array<{ seq: number; id: string; topic: string; ts: string; data: E }>;
  has_more: boolean;
}

/** `GET /api/snapshot` answer. */
export interface SnapshotResponse<S = Record<string, unknown>> {
  epoch: string;
  seq: number;
  state: S;
}

/** `POST /api/events` answers. */
export interface PublishOneResponse { epoch: string; seq: number; id: string }
export interface PublishManyResponse { epoch: string; seqs: number[] }
