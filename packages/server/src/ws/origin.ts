// The browser Origin rule for upgrades (SPEC §6): the server's own origin, --allowed-origins, and, without a
// token, loopback origins on any port (a local dev server). Non-browser clients send no Origin and pass.

import type { IncomingMessage } from 'node:http';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isOriginAllowed(req: IncomingMessage, allowed: readonly string[], tokenConfigured: boolean): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origin === '') return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  const normalized = parsed.origin;
  if (allowed.some((a) => a === '*' || stripSlash(a) === normalized)) return true;
  const host = req.headers.host;
  if (host && parsed.host === host) return true;
  if (!tokenConfigured && LOOPBACK_HOSTS.has(parsed.hostname)) return true;
  return false;
}

function stripSlash(s: string): string {
  return s.endsWith('/') ? s.slice(0, -1) : s;
}
