// The workspace-dashboard contract's hook: `useSessionsWebSocket()` → `{ workspaces, connected }` over `/ws/sessions`, which pushes the
// whole workspaces array (the `GET /api/sessions` shape) on connect and after every change (docs/workspaces-and-plans.md).

import type { WebSocketConstructor } from '@switchboard/client';
import { SESSIONS_REST_PATH, SESSIONS_SOCKET_PATH } from './constants';
import { useOptionalClient } from './context';
import { serverBase, streamUrl } from './stream-url';
import type { StreamFrame } from './stream-socket';
import { useLiveStream } from './use-live-stream';

/** A session of a workspace, as the workspace-dashboard contract sends it. */
export interface SessionResponse {
  id: string;
  target: string;
  nickname: string;
  running: boolean;
  created_at: string;
  last_output_at: string | null;
  nudge_state?: string;
  nudge_summary?: string;
  [key: string]: unknown;
}

/** A workspace with its git status and sessions, as the workspace-dashboard contract sends it. */
export interface WorkspaceResponse {
  id: string;
  repo: string;
  branch: string;
  short_repo?: string;
  path: string;
  session_count: number;
  sessions: SessionResponse[];
  git_ahead: number;
  git_behind: number;
  git_dirty: boolean;
  git_lines_added: number;
  git_lines_removed: number;
  git_files_changed: number;
  [key: string]: unknown;
}

export interface SessionsState {
  workspaces: WorkspaceResponse[];
  /** The server settings of the `config` frame (no secrets); null until it arrived. */
  config: Record<string, unknown> | null;
}

export interface UseSessionsWebSocketOptions {
  /** Server base or stream URL. @default the provider client's server, else the page's origin */
  url?: string;
  token?: string;
  /** @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor;
  /** @default globalThis.fetch */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /** Polling period of the REST fallback. @default 5000 */
  pollIntervalMs?: number;
  /** Reconnect delay before attempt n. @default backoffDelay (1, 2, 4, 8, 16, 30 s with jitter) */
  backoff?: (attempt: number, random: number) => number;
}

export interface UseSessionsWebSocketResult extends SessionsState {
  /** A socket is open: the workspace-dashboard contract's health indicator. */
  connected: boolean;
  status: ReturnType<typeof useLiveStream>['status'];
  /** The REST fallback is running after 3 failed connects. */
  polling: boolean;
  retryAt: number | null;
}

const INITIAL: SessionsState = { workspaces: [], config: null };

/** Replace the whole state from each frame (the workspace-dashboard contract: "replace entire workspaces state"). */
export function reduceSessionsFrame(state: SessionsState, frame: StreamFrame): SessionsState {
  if (frame.type === 'sessions' && Array.isArray(frame.workspaces)) return { ...state, workspaces: frame.workspaces as WorkspaceResponse[] };
  if (frame.type === 'config' && typeof frame.config === 'object' && frame.config !== null) {
    return { ...state, config: frame.config as Record<string, unknown> };
  }
  return state;
}

/**
 * Workspaces and sessions, live. Reconnects with backoff; after 3 failed connects polls `GET /api/sessions`
 * until the socket is back. One socket per server, however many components call it.
 *
 * @example
 * const { workspaces, connected } = useSessionsWebSocket();
 */
export function useSessionsWebSocket(options: UseSessionsWebSocketOptions = {}): UseSessionsWebSocketResult {
  const base = serverBase(options.url, useOptionalClient());
  const url = options.url && /^wss?:.*\/ws\//.test(options.url) ? options.url : streamUrl(base, SESSIONS_SOCKET_PATH, {}, options.token);
  const live = useLiveStream<SessionsState>(url, () => ({
    url,
    WebSocket: options.WebSocket,
    backoff: options.backoff,
    initial: INITIAL,
    reduce: reduceSessionsFrame,
    pollIntervalMs: options.pollIntervalMs,
    poll: async (state, signal) => {
      const f = options.fetch ?? globalThis.fetch;
      const res = await f(`${base}${SESSIONS_REST_PATH}`, {
        signal,
        headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      });
      if (!res.ok) throw new Error(`GET ${SESSIONS_REST_PATH}: HTTP ${res.status}`);
      return { ...state, workspaces: (await res.json()) as WorkspaceResponse[] };
    },
  }));
  return {
    workspaces: live.data.workspaces,
    config: live.data.config,
    connected: live.status === 'open',
    status: live.status,
    polling: live.polling,
    retryAt: live.retryAt,
  };
}
