// The options of `createClient`, their defaults, and the checks that turn bad ones into clear errors.

import { backoffDelay, isValidPattern } from '@switchboard/protocol';
import {
  CLIENT_PING_INTERVAL_MS,
  CLIENT_SILENCE_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_QUEUED_FRAMES,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_POLL_LIMIT,
  DEFAULT_TOPICS,
  FAILED_CONNECTS_BEFORE_POLLING,
  SUBPROTOCOL,
} from './constants';
import type { PageTarget } from './page-lifecycle';
import type { GetToken } from './token-source';
import type { FetchFn } from './rest';
import type { BackoffFn } from './retry-policy';
import type { NotifyMode } from './notify';
import type { Timers } from './scheduler';
import type { WebSocketConstructor } from './websocket';

export interface ClientOptions {
  /**
   * Server base URL: `http://127.0.0.1:8000` (the stream is then `ws://127.0.0.1:8000/ws/events`), or a
   * ws(s) URL (`ws://host:8000`, or `ws://host:8000/ws/agents` used as is). Relative URLs resolve against
   * `location.href` in browsers.
   */
  url: string;
  /** Topic patterns to subscribe to on the server: exact, `family.*` or `*`. @default ['*'] */
  topics?: readonly string[];
  /** Token for servers started with `--token` (docs/security.md): `?token=` on the socket, `Authorization: Bearer` on REST. */
  token?: string;
  /**
   * Where tokens come from instead of `token`: called for every connect attempt and REST call, and shortly before
   * the open socket's token expires (60 s, or a fifth of its life for short ones), whose answer refreshes the socket
   * in place with an `auth` frame (docs/protocol.md, "Auth"). With it, a close 4401 reconnects instead of ending.
   */
  getToken?: GetToken;
  /** Reconnect attempts in a row before giving up (→ `closed`, reason `retries_exhausted`). @default Infinity */
  maxReconnectAttempts?: number;
  /** Failed connects in a row before REST polling takes over (docs/architecture.md). @default 3 */
  failuresBeforePolling?: number;
  /** WebSocket constructor. @default globalThis.WebSocket, else the `ws` package (Node 20) */
  WebSocket?: WebSocketConstructor;
  /** Subprotocols offered on the socket. @default ['switchboard.v1'] */
  protocols?: readonly string[];
  /** @default globalThis.fetch */
  fetch?: FetchFn;
  /** Random source in [0, 1) for backoff jitter. @default Math.random */
  random?: () => number;
  /** Backoff before reconnect attempt n. @default backoffDelay (1, 2, 4, 8, 16, 30 s, jitter × 0.5–1) */
  backoff?: BackoffFn;
  /** Timers and clock. @default the platform's setTimeout/clearTimeout and Date.now */
  timers?: Timers;
  /** Application ping interval while open. @default 30000 */
  pingIntervalMs?: number;
  /** Drop the socket and reconnect after this long without a server frame. @default 90000 */
  silenceTimeoutMs?: number;
  /**
   * Report the measured freshness (publish → received) to the server this often, for its
   * `switchboard_client_freshness_seconds`; 0 turns the reports off. Figures start after the first keepalive ping
   * (`pingIntervalMs`), which gives the clock offset. @default 5000
   */
  freshnessReportMs?: number;
  /** A socket not open after this long counts as a failed connect. @default 10000 */
  connectTimeoutMs?: number;
  /** Polling interval when the last page had no more. @default 2000 */
  pollIntervalMs?: number;
  /** Events per polling page. @default 1000 */
  pollLimit?: number;
  /** Frames kept by `send()` while disconnected. @default 1000 */
  maxQueuedFrames?: number;
  /** Connect in `createClient`; otherwise call `connect()`. @default true */
  autoConnect?: boolean;
  /**
   * Where page lifecycle events come from: `pagehide`/`beforeunload` close the client, `online` retries
   * at once. `null` disables it. @default `window` in browsers, none in Node
   */
  pageTarget?: PageTarget | null;
  /**
   * How often `onStateChange` listeners (and so `useStore`) hear about changes. Events are applied to `state` as
   * they arrive either way; `'frame'` tells listeners at most once per animation frame, so a UI renders once per
   * frame however many events came in it. `'tick'`: once per macrotask turn; a number: at most once per that many
   * ms; `'sync'`: after every change; or a function `(flush) => cancel` that schedules the call itself.
   * @default 'frame' (a zero-delay timer where there is no requestAnimationFrame, as in Node)
   */
  notify?: NotifyMode;
}

export type ResolvedOptions = Required<Omit<ClientOptions, 'token' | 'getToken' | 'WebSocket' | 'fetch' | 'timers' | 'pageTarget' | 'notify'>> &
  Pick<ClientOptions, 'token' | 'getToken' | 'WebSocket' | 'fetch' | 'timers'> & { pageTarget: PageTarget | null; notify: NotifyMode };

function positive(name: string, value: number, allowZero = false): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!allowZero && value === 0)) {
    throw new TypeError(`switchboard client: option ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${value}`);
  }
  return value;
}

function defaultPageTarget(): PageTarget | null {
  const w = (globalThis as { window?: PageTarget }).window;
  return w && typeof w.addEventListener === 'function' ? w : null;
}

/** Fill defaults and reject options that cannot work (programmer errors, thrown at `createClient`). */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  if (!options || typeof options.url !== 'string') {
    throw new TypeError('switchboard client: createClient({ url }) needs a url such as http://127.0.0.1:8000');
  }
  const topics = [...(options.topics ?? DEFAULT_TOPICS)];
  if (topics.length === 0) throw new TypeError('switchboard client: topics must not be empty; use ["*"] for everything');
  for (const t of topics) {
    if (!isValidPattern(t)) throw new TypeError(`switchboard client: invalid topic pattern ${JSON.stringify(t)}`);
  }
  if (options.getToken !== undefined && typeof options.getToken !== 'function') {
    throw new TypeError('switchboard client: getToken must be a function returning the token (or a promise of it)');
  }
  return {
    url: options.url,
    topics,
    token: options.token,
    getToken: options.getToken,
    maxReconnectAttempts: positive('maxReconnectAttempts', options.maxReconnectAttempts ?? Infinity, true),
    failuresBeforePolling: positive('failuresBeforePolling', options.failuresBeforePolling ?? FAILED_CONNECTS_BEFORE_POLLING),
    WebSocket: options.WebSocket,
    protocols: [...(options.protocols ?? [SUBPROTOCOL])],
    fetch: options.fetch,
    random: options.random ?? Math.random,
    backoff: options.backoff ?? backoffDelay,
    timers: options.timers,
    pingIntervalMs: positive('pingIntervalMs', options.pingIntervalMs ?? CLIENT_PING_INTERVAL_MS),
    silenceTimeoutMs: positive('silenceTimeoutMs', options.silenceTimeoutMs ?? CLIENT_SILENCE_TIMEOUT_MS),
    freshnessReportMs: options.freshnessReportMs === 0 ? 0 : positive('freshnessReportMs', options.freshnessReportMs ?? 5000),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS),
    pollIntervalMs: positive('pollIntervalMs', options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS),
    pollLimit: positive('pollLimit', options.pollLimit ?? DEFAULT_POLL_LIMIT),
    maxQueuedFrames: positive('maxQueuedFrames', options.maxQueuedFrames ?? DEFAULT_MAX_QUEUED_FRAMES, true),
    autoConnect: options.autoConnect ?? true,
    pageTarget: options.pageTarget === undefined ? defaultPageTarget() : options.pageTarget,
    notify: options.notify ?? 'frame',
  };
}
