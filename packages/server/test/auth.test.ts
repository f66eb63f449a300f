import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLegacyToken as createToken, mintToken, parseTtl, verifyLegacyToken as verifyToken } from '@switchboard/server';
import { connectRaw, startTestServer, type RawClient, type TestServer } from '@switchboard/testkit';

const SECRET = 'admin-secret-for-tests';
let srv: TestServer;
const clients: RawClient[] = [];
beforeEach(async () => {
  srv = await startTestServer({ token: SECRET });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await srv.close();
});

const body = JSON.stringify({ topic: 'custom.x', data: {} });
const post = (headers: Record<string, string>) =>
  fetch(`${srv.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('sb1 tokens (pure)', () => {
  it('verifies signed tokens, rejects tampered and expired ones', () => {
    const t = createToken(SECRET, 'read', 60, 1_000_000);
    expect(verifyToken(SECRET, t, 1_000_000)).toEqual({ ok: true, claims: { role: 'read', exp: 1060 } });
    expect(verifyToken(SECRET, t, 1_061_000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyToken('other', t, 1_000_000)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyToken(SECRET, t.replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A')), 1_000_000).ok).toBe(false);
    expect(verifyToken(SECRET, SECRET).ok).toBe(false);
  });

  it.each([['1h', 3600], ['15m', 900], ['90', 90], ['2d', 172800], ['x', null], ['0s', null]])('parses ttl %s', (text, secs) => {
    expect(parseTtl(text)).toBe(secs);
  });
});

describe('auth on the wire', () => {
  it('needs a token everywhere but /api/healthz', async () => {
    expect((await fetch(`${srv.url}/api/healthz`)).status).toBe(200);
    const r = await fetch(`${srv.url}/api/events`);
    expect(r.status).toBe(401);
    expect((await r.json()).error.code).toBe('unauthorized');
    expect((await fetch(`${srv.url}/api/events?token=${SECRET}`)).status).toBe(200);
    expect((await post({ authorization: `Bearer ${SECRET}` })).status).toBe(201);
  });

  it('lets sb1 read tokens GET but not write, and sb1 write tokens do both', async () => {
    const read = createToken(SECRET, 'read', 60);
    const write = createToken(SECRET, 'write', 60);
    expect((await fetch(`${srv.url}/api/snapshot`, { headers: { authorization: `Bearer ${read}` } })).status).toBe(200);
    const denied = await post({ authorization: `Bearer ${read}` });
    expect(denied.status).toBe(403);
    expect((await post({ authorization: `Bearer ${write}` })).status).toBe(201);
    const expired = createToken(SECRET, 'write', 1, Date.now() - 10_000);
    const r = await post({ authorization: `Bearer ${expired}` });
    expect(r.status).toBe(401);
    expect((await r.json()).error.code).toBe('token_expired');
  });

  it('refuses WebSocket upgrades without a valid token with HTTP 401, and accepts query, header and subprotocol', async () => {
    await expect(connectRaw(`${srv.wsUrl}/ws/events`)).rejects.toMatchObject({ status: 401 });
    await expect(connectRaw(`${srv.wsUrl}/ws/events?token=nope`)).rejects.toMatchObject({ status: 401 });
    const read = await mintToken(SECRET, { role: 'read', ttlSeconds: 60 });
    for (const c of [
      await connectRaw(`${srv.wsUrl}/ws/events?token=${read}`),
      await connectRaw(`${srv.wsUrl}/ws/events`, { headers: { authorization: `Bearer ${read}` } }),
      await connectRaw(`${srv.wsUrl}/ws/events`, { protocols: ['switchboard.v1', `bearer.${read}`] }),
    ]) {
      clients.push(c);
      c.send({ type: 'ping' });
      expect(await c.next()).toEqual({ type: 'pong' });
    }
    expect(clients[2]!.ws.protocol).toBe('switchboard.v1');
  });

  it('closes an open connection with 4401 when its token expires', async () => {
    // Two seconds (expiry is whole seconds, so 1–2 s left): long enough for the upgrade on a loaded machine.
    const short = createToken(SECRET, 'read', 2);
    const c = await connectRaw(`${srv.wsUrl}/ws/agents?token=${short}`);
    clients.push(c);
    const err = await c.next((f) => f.type === 'error', 10_000);
    expect(err.code).toBe('token_expired');
    expect((await c.closed).code).toBe(4401);
  });

  it('refuses to bind a non-loopback address without a token unless insecure', async () => {
    const { startServer } = await import('@switchboard/server');
    await expect(startServer({ host: '0.0.0.0', port: 0, dataDir: srv.dataDir + '-x', log: () => {} })).rejects.toThrow(/--token/);
  });
});
