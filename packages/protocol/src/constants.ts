// Wire values and defaults of the Switchboard protocol, named once (README.md#quick-start, docs/protocol.md#events, docs/protocol.md#shared-websocket-rules, docs/protocol.md#wsevents-and-wsagents).

/** Default HTTP/WebSocket port. @default 8000 */
export const DEFAULT_PORT = 8000;
/** Default bind address: loopback, so a token-less server is never exposed (docs/security.md). */
export const DEFAULT_HOST = '127.0.0.1';
/** Seconds without an application frame before `/ws/events` closes with 1001. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 90;
/** Per-connection outbound queue bound in bytes (docs/protocol.md#shared-websocket-rules). */
export const DEFAULT_MAX_QUEUE_BYTES = 1024 * 1024;
/** Largest client frame accepted; bigger closes with 1009. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
/** Largest REST body accepted; bigger answers 413. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Deepest nesting of arrays and objects a REST body may have; deeper answers 400 (docs/protocol.md). */
export const MAX_BODY_DEPTH = 64;
/** Client frames one connection may send per second before it is closed with 1013 (docs/security.md). */
export const DEFAULT_MAX_FRAMES_PER_SECOND = 500;
/** Open WebSockets one client address may hold; more are refused with HTTP 429 (docs/security.md). */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 10_000;
/**
 * HTTP requests per second one peer (token subject, else client address) may send before getting 429 (docs/security.md).
 * Generous on purpose: on one machine every local client — the dashboard, `switchboard demo` (at most one request
 * in flight, five a second), agents publishing through REST — is the same peer, 127.0.0.1, and must stay far
 * below it; a flood is thousands a second.
 */
export const DEFAULT_RATE_LIMIT_PER_SECOND = 500;
/** HTTP requests a quiet peer may send at once: a dashboard load with its assets, a batch of scripted calls. */
export const DEFAULT_RATE_LIMIT_BURST = 1000;
/**
 * New WebSockets per second one peer may open before upgrades get 429 (docs/security.md). A dashboard opens a handful, an
 * SDK client one and reconnects with backoff; after a restart every local client reconnects within seconds.
 */
export const DEFAULT_CONNECT_RATE_PER_SECOND = 100;
/** New WebSockets a quiet peer may open at once. */
export const DEFAULT_CONNECT_BURST = 500;
/** Interval of server protocol pings; a peer that misses one is terminated at the next. */
export const DEFAULT_PING_INTERVAL_MS = 30_000;
/** Events kept in the log before compaction. */
export const DEFAULT_RETENTION_EVENTS = 100_000;
/** Default git refresh period for workspaces (docs/workspaces-and-plans.md). */
export const DEFAULT_GIT_INTERVAL_SECONDS = 30;
/** Most events one `GET /api/events` answers. */
export const MAX_POLL_LIMIT = 10_000;
/** Default `limit` of `GET /api/events`. */
export const DEFAULT_POLL_LIMIT = 1000;
/** SDK keepalive: ping this often... */
export const CLIENT_PING_INTERVAL_MS = 30_000;
/** ...and reconnect after this long without any server frame. */
export const CLIENT_SILENCE_TIMEOUT_MS = 90_000;
/** Consecutive failed connects before the SDK falls back to REST polling. */
export const FAILED_CONNECTS_BEFORE_POLLING = 3;
/** Backoff steps in ms before jitter; the last one is the cap (docs/architecture.md). */
export const BACKOFF_STEPS_MS = [1000, 2000, 4000, 8000, 16000, 30000] as const;
/** WebSocket subprotocol announced by the SDK. */
export const SUBPROTOCOL = 'switchboard.v1';
