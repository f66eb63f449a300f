// CORS for the REST API, by the same origin policy as writes and upgrades (docs/security.md): a dashboard served
// from a local dev server (any loopback port, without a token) or an --allowed-origins site can call the API; any
// other web page in the user's browser cannot read the answers, and its preflights are refused.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { SwitchboardError } from '@switchboard/protocol';
import type { OriginPolicy } from '../guard/origin-policy';
import { sendError } from './respond';

/**
 * Add CORS headers for an allowed Origin and answer preflights. Returns true when the request was a preflight
 * and has been answered.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, origins: OriginPolicy): boolean {
  const origin = req.headers.origin;
  if (!origin || !origins.allowsOrigin(req)) {
    if (req.method === 'OPTIONS' && origin) {
      sendError(res, new SwitchboardError('origin_not_allowed', 'cross-origin requests from this origin are not allowed: add it to --allowed-origins'));
      return true;
    }
    return false;
  }
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
  // A page told to slow down (429) can then read how long to wait.
  res.setHeader('access-control-expose-headers', 'retry-after, idempotent-replayed');
  if (req.method !== 'OPTIONS') return false;
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
    'access-control-allow-headers': 'authorization, content-type, idempotency-key',
    'access-control-max-age': '600',
    'content-length': 0,
  });
  res.end();
  return true;
}
