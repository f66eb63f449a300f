// Who may do what (SPEC §6): without a configured token everything is open (the server is loopback-only);
// with one, every request but /api/healthz presents a token — `Authorization: Bearer`, `?token=`, or for
// WebSockets the subprotocol `bearer.<token>` — and read tokens may only GET and open streams.

import type { IncomingMessage } from 'node:http';
import { SwitchboardError } from '@switchboard/protocol';
import { verifyToken, type TokenClaims } from './tokens';

export interface Principal extends TokenClaims {}

export class Authenticator {
  constructor(private readonly secret: string | undefined) {}

  get enabled(): boolean {
    return Boolean(this.secret);
  }

  /** The token a request presents, if any. */
  static presented(req: IncomingMessage, url: URL): string | undefined {
    const auth = req.headers.authorization;
    if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
    const q = url.searchParams.get('token');
    if (q) return q;
    const protocols = req.headers['sec-websocket-protocol'];
    if (protocols) {
      for (const p of protocols.split(',')) {
        const t = p.trim();
        if (t.startsWith('bearer.')) return t.slice('bearer.'.length);
      }
    }
    return undefined;
  }

  /** Check a request; throws 401/403 SwitchboardErrors. Returns null when auth is off. */
  check(req: IncomingMessage, url: URL, needsWrite: boolean): Principal | null {
    if (!this.secret) return null;
    const token = Authenticator.presented(req, url);
    if (!token) throw new SwitchboardError('unauthorized', 'a token is required: Authorization: Bearer <token> or ?token=');
    const result = verifyToken(this.secret, token);
    if (!result.ok) {
      throw result.reason === 'expired'
        ? new SwitchboardError('token_expired', 'the token has expired')
        : new SwitchboardError('unauthorized', 'the token is not valid');
    }
    if (needsWrite && result.claims.role !== 'write') {
      throw new SwitchboardError('forbidden', 'this token may only read');
    }
    return result.claims;
  }
}
