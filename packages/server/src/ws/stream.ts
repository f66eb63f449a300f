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
  /** Whether the idle rule applies (SPEC §3: /ws/events and the seed 002 endpoints). */
  idleRule: boolean;
  /** Called once the upgrade completed; may send the first frames or fail the connection. */
  open(conn: WsConnection, ctx: StreamContext): void;
  /** Handle a client frame other than `ping`; return false for an unknown type (→ error frame). */
  frame?(conn: WsConnection, frame: ClientFrame): boolean;
}

interface Entry {
  pattern: string;
  parts: string[];
  handler: StreamHandler;
}

export class StreamRegistry {
  private readonly entries: Entry[] = [];
  private fallback?: { prefix: string; param: string; handler: StreamHandler };

  /** Register an exact path with optional `:params`, e.g. `/ws/instances/:name/logs`. */
  add(pattern: string, handler: StreamHandler): this {
    this.entries.push({ pattern, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  /** The catch-all `/ws/{param}` for any single segment no other stream took (SPEC §8). */
  setFallback(prefix: string, param: string, handler: StreamHandler): this {
    this.fallback = { prefix, param, handler };
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
      const pre = fb.prefix.split('/').filter(Boolean);
      if (segs.length === pre.length + 1 && pre.every((p, i) => p === segs[i])) {
        return { handler: fb.handler, params: { [fb.param]: safeDecode(segs[segs.length - 1]!) }, pattern: `${fb.prefix}/:${fb.param}` };
      }
    }
    return null;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
