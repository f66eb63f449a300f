// One timer for every socket's protocol pings and one for the idle rule, never a timer per connection (docs/protocol.md#shared-websocket-rules):
// a peer that has not answered the previous ping is terminated; a client silent past the idle timeout gets 1001.

import { CLOSE, SwitchboardError } from '@switchboard/protocol';
import type { WsConnection } from './connection';

export class Heartbeat {
  private readonly conns = new Set<WsConnection>();
  private readonly pingTimer: NodeJS.Timeout;
  private readonly idleTimer: NodeJS.Timeout;

  constructor(pingIntervalMs: number, private readonly idleTimeoutMs: number) {
    this.pingTimer = setInterval(() => this.pingAll(), pingIntervalMs);
    this.pingTimer.unref();
    this.idleTimer = setInterval(() => this.reapIdle(), Math.max(50, Math.min(1000, idleTimeoutMs / 4)));
    this.idleTimer.unref();
  }

  add(conn: WsConnection): void {
    this.conns.add(conn);
    conn.ws.on('pong', (payload: Buffer) => conn.onPong(payload));
    conn.onClose(() => this.conns.delete(conn));
  }

  get size(): number {
    return this.conns.size;
  }

  all(): IterableIterator<WsConnection> {
    return this.conns.values();
  }

  private pingAll(): void {
    for (const c of this.conns) {
      if (!c.isAlive) {
        c.terminate();
        continue;
      }
      c.isAlive = false;
      // Written at once, ahead of queued frames (only the bounded bytes in flight precede it), and as a progress
      // probe; ws reports the peer's pong through its 'pong' event.
      c.probe();
    }
  }

  private reapIdle(): void {
    const now = Date.now();
    const cutoff = now - this.idleTimeoutMs;
    for (const c of this.conns) {
      if (c.expiresAtMs !== undefined && c.expiresAtMs <= now && c.isOpen) {
        c.fail(new SwitchboardError('token_expired', 'the token has expired'));
        continue;
      }
      if (c.idleRule && c.lastClientFrameAt < cutoff && c.isOpen) c.close(CLOSE.goingAway, 'idle timeout');
    }
  }

  stop(): void {
    clearInterval(this.pingTimer);
    clearInterval(this.idleTimer);
  }
}
