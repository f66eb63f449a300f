// What a WebSocket endpoint implements, and the table that maps upgrade paths to endpoints.

import type { IncomingMessage } from 'node:http';
import type { WsConnection } from './connection';

export interface ClientFrame {
  type: string;
  [key: string]: unknown;
}

export interface StreamContext {
  url: URL;
  params: Record<string, string>;
  req: IncomingMessage;
}

export interface StreamHandler {
  /** Whether the idle rule applies (docs/protocol.md#shared-websocket-rules: /ws/events and the control-plane endpoints). */
  idleRule: boolean;
  /** Called once the upgrade completed; may send the first frames or fail the connection. */
  open(conn: WsConnection, ctx: StreamContext): void;
  /** Handle a client frame other than `ping`; return false for an unknown type (→ error frame). */
  frame?(conn: WsConnection, frame: ClientFrame): boolean;
  /** Called after an `auth` frame replaced `conn.principal`: drop what the new scope no longer covers. */
  rescope?(conn: WsConnection): void;
}

interface Entry {
  pattern: string;
  parts: string[];
  handler: StreamHandler;
}

interface Fallback {
  prefix: string[];
  param: string;
  handler: StreamHandler;
  /** Names under the prefix that are never the param, beyond those of registered streams (lowercase). */
  reserved: ReadonlySet<string>;
  /** Throws a registry error (refusing the upgrade) for a value the param cannot be. */
  validate?: (value: string) => void;
}

export class StreamRegistry {
  private readonly entries: Entry[] = [];
  private fallback?: Fallback;

  /** Register an exact path with optional `:params`, e.g. `/ws/instances/:name/logs`. */
  add(pattern: string, handler: StreamHandler): this {
    this.entries.push({ pattern, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  /**
   * The catch-all `/ws/{param}` for a single segment no other stream took (docs/workspaces-and-plans.md). It never takes the name of
   * another stream under the prefix (`/ws/instances` is not a session even where only `/ws/instances/:name/logs`
   * exists) nor a `reserved` one, whatever the case: those stay 404 instead of opening the wrong kind of stream.
   */
  setFallback(prefix: string, param: string, handler: StreamHandler, opts: { reserved?: Iterable<string>; validate?: (value: string) => void } = {}): this {
    const reserved = new Set([...(opts.reserved ?? [])].map((n) => n.toLowerCase()));
    this.fallback = { prefix: prefix.split('/').filter(Boolean), param, handler, reserved, validate: opts.validate };
    return this;
  }

  /** The endpoint for a path, with the pattern it was registered under (e.g. for metrics labels). */
  match(pathname: string): { handler: StreamHandler; params: Record<string, string>; pattern: string } | null {
    const segs = pathname.split('/').filter(Boolean);
    for (const e of this.entries) {
      if (e.parts.length !== segs.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segs.length; i++) {
        const p = e.parts[i]!;
        if (p.startsWith(':')) params[p.slice(1)] = safeDecode(segs[i]!);
        else if (p !== segs[i]) { ok = false; break; }
      }
      if (ok) return { handler: e.handler, params, pattern: e.pattern };
    }
    const fb = this.fallback;
    if (fb) {
      const pre = fb.prefix;
      if (segs.length === pre.length + 1 && pre.every((p, i) => p === segs[i])) {
        const last = segs[segs.length - 1]!;
        if (this.isStreamName(pre, last) || fb.reserved.has(last.toLowerCase())) return null;
        // The raw segment: an id that needed percent-encoding is not one the param can be.
        fb.validate?.(last);
        return { handler: fb.handler, params: { [fb.param]: last }, pattern: `/${pre.join('/')}/:${fb.param}` };
      }
    }
    return null;
  }

  /** Whether `name` right after `prefix` begins a registered stream's path (compared without case). */
  private isStreamName(prefix: string[], name: string): boolean {
    const lower = name.toLowerCase();
    return this.entries.some(
      (e) => e.parts.length > prefix.length && prefix.every((p, i) => p === e.parts[i]) && !e.parts[prefix.length]!.startsWith(':') && e.parts[prefix.length]!.toLowerCase() === lower,
    );
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
