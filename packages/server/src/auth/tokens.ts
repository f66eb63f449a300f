// The first token format, `sb1.<payload>.<signature>` (docs/security.md): payload `{role, exp}` in base64url and an
// HMAC-SHA256 signature with the admin token as the secret. New tokens are JWTs (jwt.ts); these keep working until
// they expire, unless the server runs with --no-legacy-tokens.

import { createHmac, timingSafeEqual } from 'node:crypto';

export type LegacyRole = 'read' | 'write';

export interface LegacyClaims {
  role: LegacyRole;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export const LEGACY_PREFIX = 'sb1.';

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** Mint an sb1 token for `role` valid for `ttlSeconds`; kept for tests and for servers that still expect them. */
export function createLegacyToken(secret: string, role: LegacyRole, ttlSeconds: number, nowMs = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ role, exp: Math.floor(nowMs / 1000) + Math.max(1, Math.floor(ttlSeconds)) })).toString('base64url');
  return `${LEGACY_PREFIX}${payload}.${sign(secret, payload)}`;
}

export type LegacyCheck = { ok: true; claims: LegacyClaims } | { ok: false; reason: 'invalid' | 'expired' };

/** Verify an sb1 token: signed with `secret` and not expired. */
export function verifyLegacyToken(secret: string, token: string, nowMs = Date.now()): LegacyCheck {
  const parts = token.split('.');
  if (parts.length !== 3 || `${parts[0]}.` !== LEGACY_PREFIX) return { ok: false, reason: 'invalid' };
  const [, payload, signature] = parts as [string, string, string];
  if (!safeEqual(signature, sign(secret, payload))) return { ok: false, reason: 'invalid' };
  let claims: LegacyClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (claims.role !== 'read' && claims.role !== 'write') return { ok: false, reason: 'invalid' };
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { role: claims.role, exp: claims.exp } };
}

/** Constant-time string comparison (the admin token is compared with it). */
export function safeEqual(a: string, b: string): boolean {
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
