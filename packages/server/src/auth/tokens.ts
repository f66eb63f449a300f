// Signed, expiring access tokens (SPEC §6). The admin token given to `serve --token` is also the HMAC secret:
// `sb1.<payload>.<signature>` with payload `{role, exp}` in base64url and an HMAC-SHA256 signature.

import { createHmac, timingSafeEqual } from 'node:crypto';

export type Role = 'read' | 'write';

export interface TokenClaims {
  role: Role;
  /** Expiry, seconds since the epoch; absent for the admin token. */
  exp?: number;
}

const PREFIX = 'sb1';

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** Mint a token for `role` valid for `ttlSeconds`. */
export function createToken(secret: string, role: Role, ttlSeconds: number, nowMs = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ role, exp: Math.floor(nowMs / 1000) + Math.max(1, Math.floor(ttlSeconds)) })).toString('base64url');
  return `${PREFIX}.${payload}.${sign(secret, payload)}`;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'invalid' | 'expired' };

/** Verify a presented token: the admin token itself, or a signed one that has not expired. */
export function verifyToken(secret: string, token: string, nowMs = Date.now()): TokenCheck {
  if (safeEqual(token, secret)) return { ok: true, claims: { role: 'write' } };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) return { ok: false, reason: 'invalid' };
  const [, payload, signature] = parts as [string, string, string];
  if (!safeEqual(signature, sign(secret, payload))) return { ok: false, reason: 'invalid' };
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (claims.role !== 'read' && claims.role !== 'write') return { ok: false, reason: 'invalid' };
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Parse a TTL like `90s`, `15m`, `1h`, `7d` (bare numbers are seconds). */
export function parseTtl(text: string): number | null {
  const m = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return n > 0 ? n * unit : null;
}
