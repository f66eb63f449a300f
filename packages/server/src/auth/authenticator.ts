// Who may do what (docs/security.md, docs/protocol.md "Auth"): without a secret or public key everything is open (the server
// is loopback-only); with one, every request but /api/healthz presents a token — `Authorization: Bearer`,
// `?token=`, or for WebSockets the subprotocol `bearer.<token>` — and route-roles.ts says what it needs.

import type { IncomingMessage } from 'node:http';
import { SwitchboardError } from '@switchboard/protocol';
import { JwtVerifier } from './jwt';
import { roleAllows, type Principal } from './principal';
import { instanceNameOf, requirementOf, streamRequirementOf, type Requirement } from './route-roles';
import { mayReadFamily, requireInstance } from './scope';
import { LEGACY_PREFIX, safeEqual, verifyLegacyToken } from './tokens';

export type { Principal } from './principal';

export interface AuthOptions {
  /** The admin token and HMAC secret (`--token`). */
  secret?: string;
  /** PEM (SPKI) public key of a service that mints RS256/ES256 tokens (`--jwt-public-key`). */
  publicKeyPem?: string;
  /** Whether `sb1.` tokens are still accepted. @default true */
  legacyTokens?: boolean;
  /** Seconds a JWT is still accepted after its `exp` (clock skew between the minting service and this one). @default 5 */
  clockToleranceSeconds?: number;
}

export class Authenticator {
  private constructor(private readonly options: AuthOptions, private readonly jwt: JwtVerifier) {}

  static async create(options: AuthOptions): Promise<Authenticator> {
    const jwt = await JwtVerifier.create(options.secret || undefined, options.publicKeyPem, options.clockToleranceSeconds ?? 5);
    return new Authenticator(options, jwt);
  }

  get enabled(): boolean {
    return Boolean(this.options.secret) || this.options.publicKeyPem !== undefined;
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

  /**
   * Who a token names; throws 401 `unauthorized` / `token_expired`. The message never echoes the token.
   * A JWT's `exp` is moved forward by the clock tolerance so the connection closes when the server stops accepting it.
   */
  async verify(token: string, nowMs = Date.now()): Promise<Principal> {
    const { secret } = this.options;
    if (secret && safeEqual(token, secret)) return { kind: 'admin', role: 'admin' };
    if (token.startsWith(LEGACY_PREFIX)) {
      if (!secret || this.options.legacyTokens === false) throw new SwitchboardError('unauthorized', 'sb1 tokens are turned off on this server; use a JWT');
      const result = verifyLegacyToken(secret, token, nowMs);
      if (!result.ok) throw refusal(result.reason);
      // sb1 `write` meant "everything" and keeps meaning it.
      return { kind: 'legacy', role: result.claims.role === 'read' ? 'read' : 'admin', exp: result.claims.exp };
    }
    const result = await this.jwt.verify(token, nowMs);
    if (!result.ok) throw refusal(result.reason);
    return { ...result.principal, exp: result.principal.exp! + this.jwt.toleranceSeconds };
  }

  /** Check a REST request against route-roles.ts; throws 401/403. */
  async authorizeRequest(req: IncomingMessage, url: URL): Promise<Principal> {
    const principal = await this.verify(requirePresented(req, url));
    const need = requirementOf(req.method ?? 'GET', url.pathname);
    authorize(principal, need, `${req.method} ${url.pathname}`);
    if (need.instances === 'path') {
      const name = instanceNameOf(url.pathname);
      if (name !== undefined) requireInstance(principal, name);
    }
    return principal;
  }

  /** Check a WebSocket upgrade (or a refresh on an open one) for the stream at `pathname`; throws 401/403. */
  async authorizeStream(token: string | undefined, pathname: string): Promise<Principal> {
    if (!token) throw missing();
    const principal = await this.verify(token);
    authorize(principal, streamRequirementOf(pathname), pathname);
    return principal;
  }
}

function authorize(principal: Principal, need: Requirement, what: string): void {
  if (!roleAllows(principal.role, need.role)) {
    throw new SwitchboardError('forbidden', `a ${principal.role} token may not ${what}: it needs the ${need.role} role`);
  }
  const { families } = need;
  if (principal.topics) {
    if (families === 'all' || (Array.isArray(families) && !families.every((f) => mayReadFamily(principal, f)))) {
      throw new SwitchboardError('forbidden', `this token's topics do not cover ${what}`);
    }
  }
  if (principal.instances && need.instances === 'refuse') {
    throw new SwitchboardError('forbidden', `a token limited to some instances may not ${what}`);
  }
}

function requirePresented(req: IncomingMessage, url: URL): string {
  const token = Authenticator.presented(req, url);
  if (!token) throw missing();
  return token;
}

function missing(): SwitchboardError {
  return new SwitchboardError('unauthorized', 'a token is required: Authorization: Bearer <token> or ?token=');
}

function refusal(reason: 'invalid' | 'expired'): SwitchboardError {
  return reason === 'expired'
    ? new SwitchboardError('token_expired', 'the token has expired')
    : new SwitchboardError('unauthorized', 'the token is not valid');
}
