// Defaults of the React bindings, named once.

/** Events kept by `useWebSocket` (newest last). @default 100 */
export const DEFAULT_MAX_EVENTS = 100;
/**
 * A pooled socket or client released by its last user is closed only after this delay, so React StrictMode's
 * mount → unmount → mount (and a quick re-mount on navigation) reuses it instead of opening a second socket.
 * @default 50
 */
export const RELEASE_DELAY_MS = 50;
/** Path of the workspace-dashboard dashboard stream (alias of `/ws/dashboard`, docs/workspaces-and-plans.md). */
export const SESSIONS_SOCKET_PATH = '/ws/sessions';
/** REST read behind `useSessionsWebSocket`'s polling fallback (docs/workspaces-and-plans.md). */
export const SESSIONS_REST_PATH = '/api/sessions';
/** Polling period of stream fallbacks when no interval is given (the control-plane contract: "original intervals"). @default 5000 */
export const DEFAULT_STREAM_POLL_INTERVAL_MS = 5000;
