// Defaults and wire values of the SDK, named once. Protocol-wide values come from @switchboard/protocol.

export {
  BACKOFF_STEPS_MS,
  CLIENT_PING_INTERVAL_MS,
  CLIENT_SILENCE_TIMEOUT_MS,
  DEFAULT_POLL_LIMIT,
  FAILED_CONNECTS_BEFORE_POLLING,
  SUBPROTOCOL,
} from '@switchboard/protocol';

/** Path of the general stream (docs/protocol.md#wsevents-and-wsagents), appended to an http(s) base URL. */
export const EVENTS_SOCKET_PATH = '/ws/events';
/** Topics subscribed when none are given: every family. */
export const DEFAULT_TOPICS: readonly string[] = ['*'];
/** How often the polling fallback asks `GET /api/events` when the last page had no more. @default 2000 */
export const DEFAULT_POLL_INTERVAL_MS = 2000;
/** A socket that has not opened after this long counts as a failed connect. @default 10000 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Frames kept while disconnected; `send()` answers `'dropped'` past this. @default 1000 */
export const DEFAULT_MAX_QUEUED_FRAMES = 1000;
/** Close code of `close()` (docs/architecture.md). */
export const NORMAL_CLOSURE = 1000;

/** WebSocket `readyState` values, so the SDK does not depend on a global `WebSocket` for them. */
export const READY_STATE = { connecting: 0, open: 1, closing: 2, closed: 3 } as const;

/**
 * Close codes after which reconnecting cannot help: the server refused this client or its frames
 * (docs/protocol.md#shared-websocket-rules: 1003 binary, 1008 malformed, 4400/4401/4403/4404 request-level errors).
 */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([1003, 1008, 4400, 4401, 4403, 4404]);
