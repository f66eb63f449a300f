// CORS for the REST API, by the same Origin rule as WebSocket upgrades (SPEC §6): a dashboard served from a
// local dev server (any loopback port, without a token) or an --allowed-origins site can call the API; any other
// web page in the user's browser cannot read the answers.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { isOriginAllowed } from '../ws/origin';

/**
 * Add CORS headers for an allowed Origin and answer preflights. Returns true when the request was a preflight
 * and has been answered.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: readonly string[], tokenConfigured: boolean): boolean {
  const origin = req.headers.origin;
  if (!origin || !isOriginAllowed(req, allowed, tokenConfigured)) {
    if (req.method === 'OPTIONS' && origin) {
      res.writeHead(403, { 'content-length': 0 });
      res.end();
      return true;
    }
    return false;
  }
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
  if (req.method !== 'OPTIONS') return false;
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-max-age': '600',
    'content-length': 0,
  });
  res.end();
  return true;
}
