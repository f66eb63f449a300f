// `/ws/dashboard` and its alias `/ws/sessions` (docs/workspaces-and-plans.md): a `config` frame, then the full the workspace-dashboard contract
// workspaces array as a `sessions` frame on connect and after every `workspace.*` change, debounced per connection
// (at most one frame per 500 ms, the last change always sent). Client frames other than ping are ignored.

import { listWorkspaces } from '@switchboard/projections';
import type { App } from '../app';
import type { ServerConfig } from '../config';
import type { WsConnection } from '../ws/connection';
import { encodeTextFrame } from '../ws/frame-encoding';
import type { StreamHandler } from '../ws/stream';

/** Minimum gap between two `sessions` frames on one connection (the workspace-dashboard contract "Debouncing"). @default 500 */
export const DASHBOARD_DEBOUNCE_MS = 500;

interface DashboardConn {
  lastSentAt: number;
  timer?: NodeJS.Timeout;
}

/**
 * The seed's broadcaster: registered connections get the sessions state after each change. Per connection, the
 * first change after a quiet period is sent at once and later ones within the window collapse into one trailing
 * frame built when it fires, so the state sent is always the newest.
 */
export class DashboardBroadcaster {
  private readonly conns = new Map<WsConnection, DashboardConn>();
  private cache?: { slice: object; frame: Buffer };

  constructor(private readonly app: App, private readonly debounceMs = DASHBOARD_DEBOUNCE_MS) {}

  /** Connections currently registered. */
  get size(): number {
    return this.conns.size;
  }

  /** Register a connection and send it the current state. */
  register(conn: WsConnection): void {
    const st: DashboardConn = { lastSentAt: 0 };
    this.conns.set(conn, st);
    conn.onClose(() => this.unregister(conn));
    // After a lag the queued frames were dropped; the newest state replaces them all.
    conn.onResync = () => this.sendNow(conn, st, true);
    this.sendNow(conn, st, true);
  }

  unregister(conn: WsConnection): void {
    const st = this.conns.get(conn);
    if (!st) return;
    clearTimeout(st.timer);
    this.conns.delete(conn);
  }

  /** Something in the workspaces changed: schedule a frame on every connection. */
  changed(): void {
    for (const [conn, st] of this.conns) this.schedule(conn, st);
  }

  private schedule(conn: WsConnection, st: DashboardConn): void {
    if (st.timer) return;
    const wait = st.lastSentAt + this.debounceMs - Date.now();
    if (wait <= 0) return this.sendNow(conn, st, false);
    st.timer = setTimeout(() => {
      st.timer = undefined;
      this.sendNow(conn, st, false);
    }, wait);
  }

  private sendNow(conn: WsConnection, st: DashboardConn, control: boolean): void {
    if (!conn.isOpen) return;
    clearTimeout(st.timer);
    st.timer = undefined;
    st.lastSentAt = Date.now();
    // Deltas may be dropped under backpressure (then onResync sends the newest state); the first frame may not.
    if (control) conn.push(this.frame());
    else conn.offer(this.frame());
  }

  /** The encoded `sessions` frame of the current state, built once per state and shared by every connection. */
  private frame(): Buffer {
    const slice = this.app.log.state.workspaces;
    if (this.cache?.slice !== slice) {
      this.cache = { slice, frame: encodeTextFrame(JSON.stringify({ type: 'sessions', workspaces: listWorkspaces(slice) })) };
    }
    return this.cache.frame;
  }

  close(): void {
    for (const st of this.conns.values()) clearTimeout(st.timer);
    this.conns.clear();
  }
}

/** Server settings a dashboard may show (never the token, the Redis URL or the data dir). */
export function dashboardConfig(config: ServerConfig, nodeId?: string): Record<string, unknown> {
  return {
    git_interval_seconds: config.gitIntervalSeconds,
    idle_timeout_seconds: config.idleTimeoutSeconds,
    max_queue_bytes: config.maxQueueBytes,
    max_frame_bytes: config.maxFrameBytes,
    auth_required: Boolean(config.token),
    cluster: Boolean(config.redisUrl),
    // The bus's id: without --node-id a cluster node goes by its host name.
    node_id: nodeId ?? config.nodeId ?? null,
    debounce_ms: DASHBOARD_DEBOUNCE_MS,
  };
}

/** Register `/ws/dashboard`, `/ws/sessions` and `GET /api/dashboard/stream` (connection count). */
export function registerDashboardStream(app: App): DashboardBroadcaster {
  const broadcaster = new DashboardBroadcaster(app);
  // The projection keeps its slice object when an event changes nothing, so identity tells a real change.
  let seen = app.log.state.workspaces;
  app.log.onAppend(() => {
    const now = app.log.state.workspaces;
    if (now === seen) return;
    seen = now;
    broadcaster.changed();
  });
  const handler: StreamHandler = {
    idleRule: false,
    open(conn) {
      // The workspace-dashboard contract's hook runs `setWorkspaces(data.workspaces)` on every message, the config frame included: carrying
      // the workspaces here too keeps that unchanged client from ever holding `undefined`.
      conn.send({ type: 'config', config: dashboardConfig(app.config, app.cluster?.nodeId), workspaces: listWorkspaces(app.log.state.workspaces) });
      broadcaster.register(conn);
    },
    // docs/workspaces-and-plans.md: client frames other than ping (answered by the gateway) are ignored.
    frame: () => true,
  };
  app.streams.add('/ws/dashboard', handler);
  app.streams.add('/ws/sessions', handler);
  app.router.get('/api/dashboard/stream', () => ({ body: { connections: broadcaster.size } }));
  app.onClose(() => broadcaster.close());
  return broadcaster;
}
