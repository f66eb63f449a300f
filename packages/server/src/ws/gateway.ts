// The upgrade path shared by every WebSocket endpoint: route by path, the Origin rule, auth, and the frame rules
// of docs/protocol.md#shared-websocket-rules (binary → 1003, malformed → 1008, oversized → 1009 via maxPayload, ping → pong, unknown → error).

import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { CLOSE, SUBPROTOCOL, SwitchboardError } from '@switchboard/protocol';
import type { Principal } from '../auth/principal';
import { WsConnection } from './connection';
import { Heartbeat } from './heartbeat';
import type { RequestGuard } from '../guard/request-guard';
import type { FrameCounters } from '../metrics/counters';
import { freshnessSeconds, pongFor } from './clock-frames';
import type { ClientFrame, StreamContext, StreamHandler, StreamRegistry } from './stream';

export interface GatewayOptions {
  maxFrameBytes: number;
  maxQueueBytes: number;
  maxFramesPerSecond: number;
  maxConnectionsPerIp: number;
  pingIntervalMs: number;
  idleTimeoutMs: number;
  /** Host allowlist and origin policy, shared with REST (docs/security.md). */
  guard: RequestGuard;
  /**
   * The new-connections rate limit per peer, after the token is checked (null: no token or a bad one, counted by
   * address); writes the 429 and returns true when the peer is over budget.
   */
  limitConnect?: (req: IncomingMessage, socket: Duplex, principal: Principal | null) => boolean;
  /** Checks credentials before the upgrade; rejects with a SwitchboardError (401/403) to refuse. Absent: auth is off. */
  authenticate?: (req: IncomingMessage, url: URL) => Promise<Principal>;
  /** Checks the token of an `auth` frame for the stream at `pathname` (docs/protocol.md, "Auth"). */
  reauthenticate?: (token: string, pathname: string) => Promise<Principal>;
  log: (line: string) => void;
  /** Frame tallies for the metrics, shared by every connection. */
  counters?: FrameCounters;
  /** Told of every accepted connection and its close (metrics and the access log). */
  observer?: ConnectionObserver;
  /** Receives the figures of SDK `freshness` reports (seconds); without it such frames are unknown types. */
  onFreshness?: (seconds: number[]) => void;
}

/** Sees each accepted WebSocket open and close; `pattern` is the endpoint's registered path pattern. */
export interface ConnectionObserver {
  opened(pattern: string, conn: WsConnection): void;
  closed(pattern: string, conn: WsConnection, code: number, openedAt: number): void;
}

export class WsGateway {
  private readonly wss: WebSocketServer;
  readonly heartbeat: Heartbeat;
  private draining = false;
  /** Open sockets per client address (docs/security.md connection floods). */
  private readonly perIp = new Map<string, number>();

  constructor(private readonly streams: StreamRegistry, private readonly options: GatewayOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    this.heartbeat = new Heartbeat(options.pingIntervalMs, options.idleTimeoutMs);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', destroyOnError);
    if (this.draining) return reject(socket, new SwitchboardError('unavailable', 'the server is shutting down'));
    const url = new URL(req.url ?? '/', 'http://localhost');
    let found: ReturnType<StreamRegistry['match']>;
    try {
      // Host and origin before anything else, so a rebinding or foreign page learns nothing, not even which paths exist.
      this.options.guard.checkUpgrade(req);
      found = this.streams.match(url.pathname);
      if (!found) throw new SwitchboardError('not_found', `no WebSocket endpoint at ${url.pathname.slice(0, 200)}`);
    } catch (err) {
      return reject(socket, err);
    }
    const route = found;
    const { authenticate } = this.options;
    if (!authenticate) return this.admit(req, socket, head, url, route, null);
    // JWT verification is async: the socket may close or the server start draining meanwhile.
    authenticate(req, url).then(
      (principal) => {
        if (socket.destroyed || !socket.writable) return;
        if (this.draining) return reject(socket, new SwitchboardError('unavailable', 'the server is shutting down'));
        this.admit(req, socket, head, url, route, principal);
      },
      (err) => {
        if (socket.destroyed || !socket.writable) return;
        if (this.options.limitConnect?.(req, socket, null)) return;
        reject(socket, err instanceof SwitchboardError ? err : new SwitchboardError('unauthorized', 'the token could not be checked'));
      },
    );
  }

  private admit(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
    found: { handler: StreamHandler; params: Record<string, string>; pattern: string },
    principal: Principal | null,
  ): void {
    if (this.options.limitConnect?.(req, socket, principal)) return;
    // One peer opening connections without end would exhaust file descriptors for everyone (docs/security.md).
    const ip = req.socket.remoteAddress ?? '';
    if ((this.perIp.get(ip) ?? 0) >= this.options.maxConnectionsPerIp) {
      return reject(socket, new SwitchboardError('too_many_requests', `too many open WebSockets from ${ip}`), { 'Retry-After': '1' });
    }
    this.track(socket, ip);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, socket as Socket, { url, params: found.params, req }, found.handler, principal, found.pattern));
  }

  /** Count the socket against its address until it closes; a method of its own so the listener keeps only `ip`. */
  private track(socket: Duplex, ip: string): void {
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    socket.once('close', () => this.release(ip));
  }

  private release(ip: string): void {
    const n = (this.perIp.get(ip) ?? 1) - 1;
    if (n <= 0) this.perIp.delete(ip);
    else this.perIp.set(ip, n);
  }

  /**
   * Wire up an upgraded socket. Every closure that lives as long as the connection is made in `messageListener`,
   * outside this scope and `handleUpgrade`'s, so none of them keeps the upgrade request, its head buffer or its
   * URL alive (issue 5: about 2 KB of RSS per idle connection).
   */
  private accept(ws: WebSocket, socket: Socket, ctx: StreamContext, handler: StreamHandler, principal: Principal | null, pattern: string): void {
    const conn = new WsConnection(ws, socket, {
      maxQueueBytes: this.options.maxQueueBytes,
      idleRule: handler.idleRule,
      ...(this.options.counters ? { counters: this.options.counters } : {}),
    });
    if (this.options.observer) this.observe(ws, conn, pattern, this.options.observer);
    conn.principal = principal;
    conn.expiresAtMs = principal?.exp !== undefined ? principal.exp * 1000 : undefined;
    conn.path = ctx.url.pathname;
    socket.setNoDelay(true);
    this.heartbeat.add(conn);
    // ws closes with 1009 / 1002 itself; nothing else to do but not crash.
    ws.on('error', ignoreError);
    ws.on('message', this.messageListener(conn, handler));
    try {
      handler.open(conn, ctx);
    } catch (err) {
      if (err instanceof SwitchboardError) return conn.fail(err);
      this.options.log(`stream open failed: ${(err as Error).stack}`);
      conn.fail(new SwitchboardError('internal', 'internal error'));
    }
  }

  private observe(ws: WebSocket, conn: WsConnection, pattern: string, observer: ConnectionObserver): void {
    const openedAt = Date.now();
    observer.opened(pattern, conn);
    ws.once('close', (code: number) => observer.closed(pattern, conn, code, openedAt));
  }

  private messageListener(conn: WsConnection, handler: StreamHandler): (data: WebSocket.RawData, isBinary: boolean) => void {
    const { maxFramesPerSecond, log, onFreshness } = this.options;
    return (data, isBinary) => {
      // A fixed one-second window is enough to stop a flooding peer without a timer per connection.
      const now = Date.now();
      if (now - conn.frameWindowStart >= 1000) {
        conn.frameWindowStart = now;
        conn.framesInWindow = 0;
      }
      if (++conn.framesInWindow > maxFramesPerSecond) return conn.close(CLOSE.tryAgainLater, 'frame rate limit exceeded');
      if (isBinary) return conn.close(CLOSE.unsupportedData, 'binary frames are not supported');
      let frame: unknown;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return conn.close(CLOSE.policyViolation, 'malformed JSON');
      }
      if (typeof frame !== 'object' || frame === null || Array.isArray(frame) || typeof (frame as ClientFrame).type !== 'string') {
        return conn.close(CLOSE.policyViolation, 'a frame must be an object with a string "type"');
      }
      conn.lastClientFrameAt = now;
      const f = frame as ClientFrame;
      if (f.type === 'ping') return conn.push(pongFor(f));
      if (f.type === 'auth') return this.refresh(conn, handler, f);
      if (f.type === 'freshness' && onFreshness) {
        const seconds = freshnessSeconds(f);
        if (seconds === null) return conn.sendError(new SwitchboardError('bad_request', 'a freshness report needs samples_ms: an array of numbers'));
        return onFreshness(seconds);
      }
      let handled = false;
      try {
        handled = handler.frame?.(conn, f) ?? false;
      } catch (err) {
        if (err instanceof SwitchboardError) return conn.sendError(err);
        log(`stream frame handler failed: ${(err as Error).stack}`);
        return conn.fail(new SwitchboardError('internal', 'internal error'));
      }
      if (!handled) conn.sendError(new SwitchboardError('unknown_type', `unknown frame type "${f.type.slice(0, 64)}"`));
    };
  }

  /**
   * `{"type":"auth","token":…}` (docs/protocol.md, "Auth"): a good token becomes the connection's credential — its
   * expiry and its scope — and is answered `auth_ok`; a bad or expired one ends the connection with 4401 (4403 for a
   * valid token that may not read this stream). Without auth configured there is nothing to refresh: an error frame.
   */
  private refresh(conn: WsConnection, handler: StreamHandler, frame: ClientFrame): void {
    const { reauthenticate, log } = this.options;
    if (!reauthenticate) {
      return conn.sendError(new SwitchboardError('bad_request', 'this server runs without tokens; there is nothing to refresh'));
    }
    if (typeof frame.token !== 'string' || frame.token === '' || frame.token.length > 16 * 1024) {
      return conn.fail(new SwitchboardError('unauthorized', 'auth needs a "token" string'));
    }
    // Answers may resolve out of order; only the newest auth frame decides.
    const attempt = ++conn.authAttempts;
    reauthenticate(frame.token, conn.path).then(
      (principal) => {
        if (!conn.isOpen || attempt !== conn.authAttempts) return;
        conn.principal = principal;
        conn.expiresAtMs = principal.exp !== undefined ? principal.exp * 1000 : undefined;
        try {
          handler.rescope?.(conn);
        } catch (err) {
          log(`stream rescope failed: ${(err as Error).stack}`);
          return conn.fail(new SwitchboardError('internal', 'internal error'));
        }
        conn.send({ type: 'auth_ok', exp: principal.exp ?? null });
      },
      (err) => {
        if (!conn.isOpen || attempt !== conn.authAttempts) return;
        conn.fail(err instanceof SwitchboardError ? err : new SwitchboardError('unauthorized', 'the token is not valid'));
      },
    );
  }

  /** Graceful shutdown: refuse new upgrades, close every socket with 1001 and wait (bounded) for them to go. */
  async closeAll(timeoutMs = 2000): Promise<void> {
    this.draining = true;
    this.heartbeat.stop();
    const conns = [...this.heartbeat.all()];
    const gone = conns.map((c) => new Promise<void>((resolve) => {
      if (c.closed) return resolve();
      c.onClose(resolve);
    }));
    for (const c of conns) c.close(CLOSE.goingAway, 'server shutting down');
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.all(gone), timer]);
    for (const c of conns) if (!c.closed) c.terminate();
    this.wss.close();
  }
}

// Shared listeners: a closure per socket would hold the scope it was made in (and with it the upgrade request).
function destroyOnError(this: Duplex): void {
  this.destroy();
}

function ignoreError(): void {}

/** Refuse an upgrade with the registry's HTTP status and JSON body, as REST would answer (docs/errors.md). */
function reject(socket: Duplex, err: unknown, headers: Record<string, string> = {}): void {
  const e = err instanceof SwitchboardError ? err : new SwitchboardError('internal', 'internal server error', { cause: err });
  const body = JSON.stringify(e.toJSON());
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
