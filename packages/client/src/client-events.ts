// The typed map of what a SwitchboardClient emits (`client.on(name, fn)`). Payloads are objects so fields
// can be added without breaking listeners.

import type { FleetState } from '@switchboard/projections';
import type { StateChange } from './connection-state';
import type { SwitchboardEvent } from './event-router';

/** A snapshot replaced the subscribed families. */
export interface SnapshotEvent {
  epoch: string;
  seq: number;
  /** The snapshot's state as sent (only the subscribed families). */
  state: Partial<FleetState> & Record<string, unknown>;
  /** `socket`: after `subscribed` or mid-stream; `poll`: loaded by the polling fallback. */
  source: 'socket' | 'poll';
  /** `lagged`: the server dropped deltas this client could not take and sent this instead (docs/protocol.md#shared-websocket-rules). */
  reason?: 'lagged';
}

/** The server answered a `subscribe`. */
export interface SubscribedEvent {
  topics: string[];
  epoch: string;
  seq: number;
  /** true: the events after our cursor follow; false: a snapshot follows. */
  recovered: boolean;
}

/** Where an error was noticed. */
export type ClientErrorSource =
  /** An error frame from the server (`code` is the server's). */
  | 'server'
  /** A frame the SDK could not understand. */
  | 'protocol'
  /** A polling request failed (it is retried unless the error is an auth error). */
  | 'poll'
  /** The WebSocket could not be created (no implementation, bad URL for the platform). */
  | 'socket'
  /** A projection reducer threw on an event. */
  | 'projection'
  /** An event handler or listener threw. */
  | 'handler'
  /** `getToken()` failed, or gave no newer token, when the open socket's token was due for a refresh. */
  | 'token';

export interface ClientError {
  source: ClientErrorSource;
  /** snake_case code: the server's for `server`/`poll`, else one of the SDK's (`invalid_frame`, `handler_threw`, …). */
  code: string;
  message: string;
  /** The underlying error or frame. */
  error: unknown;
}

/** A reconnect attempt was scheduled. */
export interface RetryEvent {
  /** 1-based reconnect attempt. */
  attempt: number;
  delayMs: number;
  /** Failed connects in a row. */
  failures: number;
}

/** Everything `client.on()` accepts. */
export interface ClientEvents {
  /** The connection status changed. */
  state: StateChange;
  snapshot: SnapshotEvent;
  subscribed: SubscribedEvent;
  /** Every new event, after it was applied to `client.state`. */
  event: SwitchboardEvent;
  error: ClientError;
  retry: RetryEvent;
}
