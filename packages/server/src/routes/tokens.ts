// `POST /api/tokens` (docs/protocol.md, "Auth"): an unrestricted admin mints a JWT for another holder, the same token
// `switchboard token create` prints. Only on servers with --token: a public key alone cannot sign.

import { SwitchboardError, isValidPattern } from '@switchboard/protocol';
import type { App } from '../app';
import { mintToken } from '../auth/jwt';
import { isRole } from '../auth/principal';
import { isInstanceGlob } from '../auth/scope';
import { parseTtl } from '../auth/tokens';
import { fieldError, objectBody, optionalString } from '../http/body-fields';

/** Longest lifetime a minted token may have: 30 days. */
const MAX_TTL_SECONDS = 30 * 86400;

export function registerTokensApi(app: App, secret: string | undefined): void {
  app.router.post('/api/tokens', async (req) => {
    // The body is checked first: a malformed request is answered as such on every server.
    const body = objectBody(await req.body());
    if (!isRole(body.role)) throw fieldError('role', 'must be read, publish, control or admin');
    const ttlText = optionalString(body, 'ttl', { max: 20 }) ?? '1h';
    const ttlSeconds = parseTtl(ttlText);
    if (ttlSeconds === null || ttlSeconds > MAX_TTL_SECONDS) throw fieldError('ttl', 'must be a duration like 90s, 15m, 1h or 7d, at most 30d');
    const sub = optionalString(body, 'sub', { max: 200 });
    const topics = list(body.topics, 'topics', isValidPattern);
    const instances = list(body.instances, 'instances', isInstanceGlob);
    if (!secret) throw new SwitchboardError('conflict', 'this server has no --token secret to sign with');
    const nowMs = Date.now();
    const token = await mintToken(secret, { role: body.role, ttlSeconds, nowMs, ...(sub !== undefined ? { sub } : {}), ...(topics ? { topics } : {}), ...(instances ? { instances } : {}) });
    return { status: 201, body: { token, exp: Math.floor(nowMs / 1000) + ttlSeconds } };
  });
}

function list(value: unknown, field: string, valid: (v: unknown) => boolean): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > 256 || !value.every(valid)) {
    throw fieldError(field, field === 'topics' ? 'must be an array of topic patterns (exact, "family.*" or "*")' : 'must be an array of instance names or globs like "web-*"');
  }
  return value as string[];
}
