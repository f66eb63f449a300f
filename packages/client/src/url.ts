// Derives the two endpoints the SDK talks to from the one `url` option. Pure.

import { EVENTS_SOCKET_PATH } from './constants';

export interface Endpoints {
  /** `ws(s)://host[:port]/ws/events` (or the given ws URL), without the token. */
  socketUrl: string;
  /** `http(s)://host[:port]` plus any base path, without a trailing slash; REST paths are appended. */
  httpBase: string;
}

/**
 * Accepts an http(s) base (`http://127.0.0.1:8000`, `https://host/prefix`) or a ws(s) URL
 * (`ws://host:8000` → `/ws/events` is added; `ws://host/ws/agents` is used as is). Relative URLs are
 * resolved against `base` (in browsers, `location.href`). Throws on anything else: a programmer error.
 */
export function resolveEndpoints(url: string, base?: string): Endpoints {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    throw new TypeError(`switchboard client: invalid url ${JSON.stringify(url)}; pass an http(s) base like http://127.0.0.1:8000`);
  }
  const secure = parsed.protocol === 'https:' || parsed.protocol === 'wss:';
  const isWs = parsed.protocol === 'ws:' || parsed.protocol === 'wss:';
  if (!isWs && parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`switchboard client: unsupported url scheme ${parsed.protocol}; use http(s):// or ws(s)://`);
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  const httpOrigin = `${secure ? 'https' : 'http'}://${parsed.host}`;
  const wsOrigin = `${secure ? 'wss' : 'ws'}://${parsed.host}`;

  if (isWs) {
    // A ws URL with a path names the stream itself; REST lives at the origin.
    const socketPath = path === '' ? EVENTS_SOCKET_PATH : path;
    const socket = new URL(wsOrigin + socketPath);
    socket.search = parsed.search;
    return { socketUrl: socket.toString(), httpBase: httpOrigin };
  }
  const socket = new URL(wsOrigin + path + EVENTS_SOCKET_PATH);
  return { socketUrl: socket.toString(), httpBase: httpOrigin + path };
}

/** The socket URL with `?token=` added (docs/security.md) when a token is set. */
export function withToken(socketUrl: string, token: string | undefined): string {
  if (!token) return socketUrl;
  const u = new URL(socketUrl);
  u.searchParams.set('token', token);
  return u.toString();
}
