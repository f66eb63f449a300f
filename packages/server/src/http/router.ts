// A small REST router: method + path pattern (`/api/instances/:name/start`) → handler.
// Handlers return a response value or throw SwitchboardError; errors become `{"error":{code,message}}`.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { SwitchboardError } from '@switchboard/protocol';
import type { Principal } from '../auth/principal';
import { readJsonBody } from './body';
import { sendError, sendJson } from './respond';

export interface ApiRequest {
  method: string;
  url: URL;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: IncomingMessage;
  /** Who presented the token (its role, `sub` and scopes); null when the server runs without auth. */
  principal: Principal | null;
  /** Parsed JSON body; 400 on bad JSON, 413 over the limit. */
  body(): Promise<unknown>;
}

export interface ApiResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type ApiHandler = (req: ApiRequest) => ApiResponse | Promise<ApiResponse>;

interface Route {
  method: string;
  pattern: string;
  parts: string[];
  handler: ApiHandler;
}

export class Router {
  private readonly routes: Route[] = [];

  constructor(private readonly log?: (line: string) => void) {}

  add(method: string, pattern: string, handler: ApiHandler): this {
    this.routes.push({ method, pattern, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  get(pattern: string, h: ApiHandler): this { return this.add('GET', pattern, h); }
  post(pattern: string, h: ApiHandler): this { return this.add('POST', pattern, h); }
  patch(pattern: string, h: ApiHandler): this { return this.add('PATCH', pattern, h); }
  delete(pattern: string, h: ApiHandler): this { return this.add('DELETE', pattern, h); }

  /** Every registered route as `{method, pattern}`, in registration order (read-only: for tests and docs). */
  list(): Array<{ method: string; pattern: string }> {
    return this.routes.map(({ method, pattern }) => ({ method, pattern }));
  }

  /** Find a route; `methodMismatch` when the path exists under another method (405). */
  match(method: string, pathname: string): { handler: ApiHandler; params: Record<string, string>; pattern: string } | 'methodMismatch' | null {
    const segs = pathname.split('/').filter(Boolean);
    let pathMatched = false;
    for (const r of this.routes) {
      const params = matchParts(r.parts, segs);
      if (!params) continue;
      if (r.method === method || (method === 'HEAD' && r.method === 'GET')) return { handler: r.handler, params, pattern: r.pattern };
      pathMatched = true;
    }
    return pathMatched ? 'methodMismatch' : null;
  }

  /** The pattern of the route a path matches under any method (`/api/instances/:name`), for metrics and logs. */
  patternOf(pathname: string): string | null {
    const segs = pathname.split('/').filter(Boolean);
    for (const r of this.routes) if (matchParts(r.parts, segs)) return r.pattern;
    return null;
  }

  /** Serve a request; returns false when no route matched the path (so static files can be tried). */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL, maxBodyBytes: number, principal: Principal | null = null): Promise<boolean> {
    const found = this.match(req.method ?? 'GET', url.pathname);
    if (found === null) return false;
    if (found === 'methodMismatch') {
      sendError(res, new SwitchboardError('method_not_allowed', `${req.method} is not allowed on ${url.pathname}`));
      return true;
    }
    let bodyPromise: Promise<unknown> | undefined;
    const apiReq: ApiRequest = {
      method: req.method ?? 'GET',
      url,
      params: found.params,
      query: url.searchParams,
      headers: req.headers,
      raw: req,
      principal,
      body: () => (bodyPromise ??= readJsonBody(req, maxBodyBytes)),
    };
    try {
      const out = await found.handler(apiReq);
      sendJson(res, out.status ?? 200, out.body, out.headers);
    } catch (err) {
      sendError(res, err, this.log);
    }
    return true;
  }
}

function matchParts(pattern: string[], segs: string[]): Record<string, string> | null {
  if (pattern.length !== segs.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const s = segs[i]!;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(s);
      } catch {
        return null;
      }
    } else if (p !== s) {
      return null;
    }
  }
  return params;
}
