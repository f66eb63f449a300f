// Per-peer rate limits of docs/security.md: HTTP requests and new WebSocket connections each have their own token
// buckets, so a peer flooding one cannot starve the other, and no peer's flood touches another peer's budget.
// Over budget → HTTP 429 `too_many_requests` with `Retry-After` (whole seconds); `/api/healthz` and `/api/readyz` are never limited.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { SwitchboardError } from '@switchboard/protocol';
import { sendJson } from '../http/respond';
import { peerKey } from './peer-key';
import { TokenBucketLimiter, type Admission } from './token-bucket';

export interface PeerRateLimitSettings {
  /** HTTP requests per second per peer; 0 turns the limit off. */
  rateLimitPerSecond: number;
  /** HTTP requests a quiet peer may send at once. */
  rateLimitBurst: number;
  /** New WebSocket connections (upgrade attempts) per second per peer; 0 turns the limit off. */
  connectRatePerSecond: number;
  /** Upgrade attempts a quiet peer may make at once. */
  connectBurst: number;
}

/**
 * The verified principal of a request, if any, so a token's `sub` can be the key. The server checks the token
 * first; a request with a missing or bad token passes null and counts against its address.
 */
export type VerifiedPrincipal = object | null | undefined;

/** Probes: liveness and readiness answer a load balancer however busy the peer it shares an address with is. */
const EXEMPT_PATHS = new Set(['/api/healthz', '/api/readyz']);

export class PeerRateLimits {
  private readonly requests: TokenBucketLimiter | undefined;
  private readonly connects: TokenBucketLimiter | undefined;

  constructor(settings: PeerRateLimitSettings, now?: () => number) {
    this.requests = limiter(settings.rateLimitPerSecond, settings.rateLimitBurst, now);
    this.connects = limiter(settings.connectRatePerSecond, settings.connectBurst, now);
  }

  /** For an HTTP request: answers 429 and returns true when its peer is over budget. */
  refuseRequest(req: IncomingMessage, res: ServerResponse, url: URL, principal: VerifiedPrincipal): boolean {
    if (!this.requests || EXEMPT_PATHS.has(url.pathname)) return false;
    const verdict = this.requests.take(peerKey(req.socket.remoteAddress, principal));
    if (verdict.ok) return false;
    req.resume(); // discard any body instead of leaving it in the socket
    const err = tooMany(verdict, 'requests');
    sendJson(res, err.status, err.toJSON(), { 'retry-after': String(verdict.retryAfterSeconds) });
    return true;
  }

  /** For an upgrade request: writes 429 on the raw socket and returns true when its peer is over budget. */
  refuseUpgrade(req: IncomingMessage, socket: Duplex, principal: VerifiedPrincipal): boolean {
    if (!this.connects) return false;
    const verdict = this.connects.take(peerKey(req.socket.remoteAddress, principal));
    if (verdict.ok) return false;
    const body = JSON.stringify(tooMany(verdict, 'new connections').toJSON());
    socket.on('error', () => socket.destroy());
    socket.end(
      `HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: ${verdict.retryAfterSeconds}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    return true;
  }
}

function limiter(ratePerSecond: number, burst: number, now: (() => number) | undefined): TokenBucketLimiter | undefined {
  if (!(ratePerSecond > 0)) return undefined;
  return new TokenBucketLimiter({ ratePerSecond, burst: Math.max(1, burst), ...(now ? { now } : {}) });
}

function tooMany(verdict: Extract<Admission, { ok: false }>, what: string): SwitchboardError {
  return new SwitchboardError('too_many_requests', `too many ${what} from this client; retry in ${verdict.retryAfterSeconds} s`, {
    details: { retry_after_s: verdict.retryAfterSeconds },
  });
}
