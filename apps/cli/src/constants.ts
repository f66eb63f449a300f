// Defaults of the `switchboard` CLI, named once. Wire values and server defaults live in @switchboard/protocol.

import { DEFAULT_HOST, DEFAULT_PORT } from '@switchboard/protocol';

/** Server base URL of the client commands when neither --url nor SWITCHBOARD_URL is given. */
export const DEFAULT_SERVER_URL = `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;
/** Demo events per second: lively, yet a dashboard stays readable (README.md#quick-start "realistic live activity"). */
export const DEFAULT_DEMO_RATE = 6;
/** Demo bound on live sessions; the simulator keeps between this minus 2 and this many alive. */
export const DEFAULT_DEMO_MAX_SESSIONS = 6;
/** How often a started simulator ticks. */
export const DEFAULT_DEMO_TICK_INTERVAL_MS = 200;
/** Seconds a demo agent's permission request waits in the inbox before it expires. */
export const DEFAULT_DEMO_APPROVAL_TIMEOUT_S = 90;
/** Largest array `switchboard demo` sends in one `POST /api/events` (bodies are capped at 1 MiB). */
export const DEFAULT_DEMO_MAX_BATCH = 500;
