// JWT access tokens (docs/protocol.md, "Auth"): roles from the route table, `topics` and `instances` scopes on REST
// and streams, refresh in place with an `auth` frame, expiry with 4401, and tokens minted by another service.

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createLegacyToken, mintToken } from '@switchboard/server';
import { connectRaw, startTestServer, waitFor, type Frame, type RawClient, type TestServer } from '@switchboard/testkit';
import { Authenticator } from '../src/auth/authenticator';
import { requirementOf, streamRequirementOf } from '../src/auth/route-roles';
import { mayControlInstance, patternCovers } from '../src/auth/scope';
import { rest } from './support/rest';

const SECRET = 'jwt-test-secret';
let srv: TestServer | undefined;
const clients: RawClient[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await srv?.close();
  srv = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  srv = await startTestServer({ token: SECRET, jwtClockToleranceSeconds: 0, ...overrides });
  return srv;
}

async function open(path: string, token: string): Promise<RawClient> {
  const c = await connectRaw(`${srv!.wsUrl}${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`);
  clients.push(c);
  return c;
}

const as = (token: string) => rest(() => srv!.url, () => token);

const TASK = { id: 't1', kind: 'build', percent: 10 };
const SESSION = { id: 's1', name: 'one', target: 'local' };

/** Events of four families; `task` and `session` are projected into the snapshot, `alpha`/`beta` are not. */
async function seed(): Promise<void> {
  await srv!.server.publish([
    { topic: 'task.started', data: TASK },
    { topic: 'session.created', data: SESSION },
    { topic: 'alpha.one', data: { n: 1 } },
    { topic: 'beta.one', data: { n: 1 } },
  ]);
}

const eventTypes = (frames: Frame[]) => frames.filter((f) => typeof f.seq === 'number' && f.type !== 'subscribed' && f.type !== 'snapshot').map((f) => f.type);

describe('scopes and the route table (pure)', () => {
  it.each<[string, string, boolean]>([
    ['*', '*', true],
    ['*', 'a.b', true],
    ['a.*', 'a.*', true],
    ['a.*', 'a.b.*', true],
    ['a.*', 'a.b', true],
    ['a.*', 'a', false],
    ['a.*', 'ab.c', false],
    ['a.*', '*', false],
    ['a.b', 'a.b', true],
    ['a.b', 'a.*', false],
    ['a.b.*', 'a.*', false],
  ])('claim %s covers %s: %s', (claim, pattern, covered) => {
    expect(patternCovers(claim, pattern)).toBe(covered);
  });

  it('matches instance globs against whole names', () => {
    const p = { kind: 'jwt' as const, role: 'control' as const, instances: ['web-*', 'api'] };
    expect(['web-1', 'web-', 'api'].map((n) => mayControlInstance(p, n))).toEqual([true, true, true]);
    expect(['api-2', 'xweb-1', 'db'].map((n) => mayControlInstance(p, n))).toEqual([false, false, false]);
    expect(mayControlInstance({ kind: 'jwt', role: 'control' }, 'anything')).toBe(true);
  });

  it.each<[string, string, string, unknown]>([
    ['GET', '/api/instances', 'read', ['instance']],
    ['HEAD', '/api/events', 'read', 'topics'],
    ['POST', '/api/events', 'publish', 'topics'],
    ['POST', '/api/messages', 'publish', ['message']],
    ['POST', '/api/messages/m1/ack', 'publish', ['message']],
    ['POST', '/api/instances', 'control', ['instance']],
    ['POST', '/api/instances/web-1/start', 'control', ['instance']],
    ['DELETE', '/api/instances/web-1', 'control', ['instance']],
    ['POST', '/api/plans', 'control', ['plan']],
    ['POST', '/api/spawn', 'control', ['workspace', 'session']],
    ['PATCH', '/api/sessions/s1', 'control', ['workspace', 'session']],
    ['POST', '/api/tokens', 'admin', 'all'],
    ['POST', '/api/some-new-route', 'admin', 'all'],
    ['GET', '/api/some-new-route', 'read', 'all'],
  ])('%s %s needs %s', (method, path, role, families) => {
    expect(requirementOf(method, path)).toMatchObject({ role, families });
  });

  it('maps streams to the families they show', () => {
    expect(streamRequirementOf('/ws/events').families).toBe('topics');
    expect(streamRequirementOf('/ws/instances/web-1/logs').families).toEqual(['instance']);
    expect(streamRequirementOf('/ws/some-session').families).toEqual(['plan']);
  });
});

describe('token verification (pure)', () => {
  it('accepts HS256 with the secret and refuses none, other keys, missing exp and unknown roles', async () => {
    const auth = await Authenticator.create({ secret: SECRET, clockToleranceSeconds: 0 });
    const good = await mintToken(SECRET, { role: 'publish', ttlSeconds: 60, sub: 'ci', topics: ['task.*'], instances: ['web-*'] });
    expect(await auth.verify(good)).toMatchObject({ kind: 'jwt', role: 'publish', sub: 'ci', topics: ['task.*'], instances: ['web-*'] });
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const exp = Math.floor(Date.now() / 1000) + 60;
    const refused = [
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ role: 'admin', exp })}.`,
      await mintToken('another-secret', { role: 'read', ttlSeconds: 60 }),
      await new SignJWT({ role: 'read' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET)),
      await new SignJWT({ role: 'root' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(new TextEncoder().encode(SECRET)),
      await new SignJWT({ role: 'read', topics: ['bad pattern'] }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(new TextEncoder().encode(SECRET)),
      await new SignJWT({ role: 'read' }).setProtectedHeader({ alg: 'HS384' }).setExpirationTime(exp).sign(new TextEncoder().encode(SECRET)),
    ];
    for (const t of refused) await expect(auth.verify(t)).rejects.toMatchObject({ code: 'unauthorized' });
    const expired = await mintToken(SECRET, { role: 'read', ttlSeconds: 1, nowMs: Date.now() - 10_000 });
    await expect(auth.verify(expired)).rejects.toMatchObject({ code: 'token_expired' });
    // sb1 `write` keeps meaning everything; the admin token is admin; --no-legacy-tokens refuses sb1 only.
    expect(await auth.verify(createLegacyToken(SECRET, 'write', 60))).toMatchObject({ kind: 'legacy', role: 'admin' });
    expect(await auth.verify(SECRET)).toEqual({ kind: 'admin', role: 'admin' });
    const strict = await Authenticator.create({ secret: SECRET, legacyTokens: false });
    await expect(strict.verify(createLegacyToken(SECRET, 'read', 60))).rejects.toMatchObject({ code: 'unauthorized' });
    expect(await strict.verify(SECRET)).toMatchObject({ role: 'admin' });
  });

  it('accepts RS256 and ES256 from a public key, never an HS256 token keyed with that public key', async () => {
    for (const [type, alg] of [['rsa', 'RS256'], ['ec', 'ES256']] as const) {
      const { publicKey, privateKey } = type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const auth = await Authenticator.create({ secret: SECRET, publicKeyPem: pem, clockToleranceSeconds: 0 });
      const exp = Math.floor(Date.now() / 1000) + 60;
      const external = await new SignJWT({ role: 'read', topics: ['task.*'] }).setProtectedHeader({ alg }).setSubject('svc').setExpirationTime(exp).sign(privateKey);
      expect(await auth.verify(external)).toMatchObject({ role: 'read', sub: 'svc', topics: ['task.*'] });
      const confused = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(new TextEncoder().encode(pem));
      await expect(auth.verify(confused)).rejects.toMatchObject({ code: 'unauthorized' });
      // The secret still signs what `switchboard token create` mints.
      expect(await auth.verify(await mintToken(SECRET, { role: 'read', ttlSeconds: 60 }))).toMatchObject({ role: 'read' });
      // Without the key configured, the same external token is refused.
      const plain = await Authenticator.create({ secret: SECRET });
      await expect(plain.verify(external)).rejects.toMatchObject({ code: 'unauthorized' });
    }
    await expect(Authenticator.create({ publicKeyPem: 'not a key' })).rejects.toThrow(/--jwt-public-key/);
  });
});

describe('roles on the wire', () => {
  it('lets each role do its part of the route table and no more', { timeout: 20_000 }, async () => {
    await start();
    const mint = (role: 'read' | 'publish' | 'control' | 'admin', extra: object = {}) => mintToken(SECRET, { role, ttlSeconds: 60, ...extra });
    const read = as(await mint('read'));
    const publish = as(await mint('publish'));
    const control = as(await mint('control'));
    const admin = as(await mint('admin'));
    const event = { topic: 'alpha.x', data: {} };
    const instance = { name: 'web-1', command: 'true' };

    expect((await read.get('/api/snapshot')).status).toBe(200);
    const denied = await read.post('/api/events', event);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    expect((await publish.post('/api/events', event)).status).toBe(201);
    expect((await publish.post('/api/instances', instance)).status).toBe(403);
    expect((await publish.post('/api/tokens', { role: 'read' })).status).toBe(403);
    expect((await control.post('/api/events', event)).status).toBe(201);
    expect((await control.post('/api/instances', instance)).status).toBe(201);
    expect((await control.post('/api/tokens', { role: 'read' })).status).toBe(403);

    const minted = await admin.post('/api/tokens', { role: 'publish', topics: ['alpha.*'], ttl: '5m', sub: 'bot' });
    expect(minted.status).toBe(201);
    expect(minted.body.exp).toBeGreaterThan(Date.now() / 1000 + 200);
    const bot = as(minted.body.token);
    expect((await bot.post('/api/events', event)).status).toBe(201);
    expect((await bot.post('/api/events', { topic: 'beta.x', data: {} })).status).toBe(403);
    expect((await admin.post('/api/tokens', { role: 'root' })).body.error).toMatchObject({ code: 'validation_failed', field: 'role' });
  });

  it('limits a token with an instances claim to those names, and keeps it away from other command runners', { timeout: 20_000 }, async () => {
    await start();
    const web = as(await mintToken(SECRET, { role: 'control', ttlSeconds: 60, instances: ['web-*'] }));
    const outside = await web.post('/api/instances', { name: 'api-1', command: 'true' });
    expect(outside.status).toBe(403);
    expect(outside.body.error.code).toBe('forbidden');
    expect((await web.post('/api/instances', { name: 'web-1', command: 'true' })).status).toBe(201);
    expect((await as(SECRET).post('/api/instances', { name: 'api-1', command: 'true' })).status).toBe(201);
    for (const [method, path] of [['POST', '/api/instances/api-1/start'], ['DELETE', '/api/instances/api-1'], ['PATCH', '/api/instances/api-1']] as const) {
      const r = method === 'POST' ? await web.post(path) : method === 'DELETE' ? await web.del(path) : await web.patch(path, { nickname: 'x' });
      expect(r.status, `${method} ${path}`).toBe(403);
    }
    expect((await web.post('/api/instances/web-1/clone', { name: 'db-1' })).status).toBe(403);
    expect((await web.post('/api/instances/web-1/clone', { name: 'web-2' })).status).toBe(201);
    expect((await web.patch('/api/instances/web-1', { nickname: 'front' })).status).toBe(200);
    expect((await web.post('/api/plans', { name: 'p', steps: [{ name: 's', command: 'true' }] })).status).toBe(403);
    expect((await web.post('/api/spawn', {})).status).toBe(403);
    // Reads are not narrowed by `instances`: it names what the holder may control.
    expect((await web.get('/api/instances/api-1')).status).toBe(200);
    expect((await web.del('/api/instances/web-2')).status).toBe(200);
  });

  it('keeps 401 before the upgrade for a bad token and 403 for a stream outside the topics claim', async () => {
    await start();
    await expect(connectRaw(`${srv!.wsUrl}/ws/events?token=${await mintToken('nope', { role: 'read', ttlSeconds: 60 })}`)).rejects.toMatchObject({ status: 401 });
    const tasks = await mintToken(SECRET, { role: 'read', ttlSeconds: 60, topics: ['task.*'] });
    await expect(connectRaw(`${srv!.wsUrl}/ws/instances?token=${tasks}`)).rejects.toMatchObject({ status: 403 });
    expect((await as(tasks).get('/api/instances')).status).toBe(403);
    const instances = await mintToken(SECRET, { role: 'read', ttlSeconds: 60, topics: ['instance.*'] });
    const c = await open('/ws/instances', instances);
    c.send({ type: 'ping' });
    expect((await c.next((f) => f.type === 'pong')).type).toBe('pong');
  });
});

describe('a topics claim on the event log', () => {
  it('shows only its topics in the snapshot, the replay and live', { timeout: 20_000 }, async () => {
    await start();
    await seed();
    const token = await mintToken(SECRET, { role: 'read', ttlSeconds: 60, topics: ['task.*', 'alpha.*'] });

    // /ws/agents without topics subscribes to the claim, and its snapshot holds only covered families.
    const agents = await open('/ws/agents', token);
    expect((await agents.next((f) => f.type === 'subscribed')).topics).toEqual(['task.*', 'alpha.*']);
    const snap = await agents.next((f) => f.type === 'snapshot');
    expect(Object.keys(snap.state as object)).toEqual(['tasks']);

    // Replay from the start: only the claim's events, in order.
    const replay = await open('/ws/events?topics=task.*,alpha.*&since_seq=0', token);
    expect((await replay.next((f) => f.type === 'subscribed')).recovered).toBe(true);
    await replay.next((f) => f.type === 'alpha.one');
    expect(eventTypes(replay.frames)).toEqual(['task.started', 'alpha.one']);

    // Live: an outside event published first would arrive first if it leaked.
    await srv!.server.publish([{ topic: 'beta.two', data: {} }, { topic: 'session.updated', data: { id: 's1' } }, { topic: 'alpha.two', data: {} }]);
    await agents.next((f) => f.type === 'alpha.two');
    await replay.next((f) => f.type === 'alpha.two');
    expect(eventTypes(agents.frames)).toEqual(['alpha.two']);
    expect(eventTypes(replay.frames)).toEqual(['task.started', 'alpha.one', 'alpha.two']);

    // A subscribe outside the claim gets an error frame and the connection stays.
    for (const topics of [['beta.*'], ['*'], ['task.*', 'session.*']]) {
      agents.send({ type: 'subscribe', topics });
      expect(await agents.next((f) => f.type === 'error')).toMatchObject({ code: 'forbidden' });
    }
    agents.send({ type: 'subscribe', topics: ['alpha.two'] });
    expect((await agents.next((f) => f.type === 'subscribed')).topics).toEqual(['alpha.two']);

    // A claim of one exact topic does not show the rest of its family in a snapshot.
    const exact = await mintToken(SECRET, { role: 'read', ttlSeconds: 60, topics: ['task.started'] });
    const narrow = await open('/ws/agents', exact);
    expect((await narrow.next((f) => f.type === 'snapshot')).state).toEqual({});
    expect((await as(exact).get('/api/snapshot')).body.state).toEqual({});

    // Asking for outside topics when opening ends the connection with 4403.
    const outside = await open('/ws/events?topics=beta.*', token);
    expect(await outside.next((f) => f.type === 'error')).toMatchObject({ code: 'forbidden' });
    expect((await outside.closed).code).toBe(4403);
  });

  it('filters GET /api/events and /api/snapshot and refuses publishing outside it', async () => {
    await start();
    await seed();
    const api = as(await mintToken(SECRET, { role: 'publish', ttlSeconds: 60, topics: ['task.*', 'alpha.*'] }));
    expect((await api.get('/api/events')).body.events.map((e: { topic: string }) => e.topic)).toEqual(['task.started', 'alpha.one']);
    expect((await api.get('/api/events?topics=alpha.*')).body.events.map((e: { topic: string }) => e.topic)).toEqual(['alpha.one']);
    expect((await api.get('/api/events?topics=beta.*')).status).toBe(403);
    expect(Object.keys((await api.get('/api/snapshot')).body.state)).toEqual(['tasks']);
    expect((await api.get('/api/snapshot?topics=session.*')).status).toBe(403);
    expect((await api.post('/api/events', [{ topic: 'alpha.x', data: {} }, { topic: 'beta.x', data: {} }])).status).toBe(403);
    expect((await as(SECRET).get('/api/events')).body.events).toHaveLength(4);
  });
});

describe('refresh and expiry', () => {
  it('refreshes in place: auth_ok, and the socket outlives the first token', { timeout: 20_000 }, async () => {
    await start();
    const first = await mintToken(SECRET, { role: 'read', ttlSeconds: 2 });
    const firstExp = JSON.parse(Buffer.from(first.split('.')[1]!, 'base64url').toString()).exp as number;
    const c = await open('/ws/agents', first);
    const second = await mintToken(SECRET, { role: 'read', ttlSeconds: 60 });
    c.send({ type: 'auth', token: second });
    const ok = await c.next((f) => f.type === 'auth_ok');
    expect(ok.exp).toBeGreaterThan(firstExp + 30);
    // Past the first token's expiry (plus a sweep of the expiry check) the socket is still open and live.
    await waitFor(() => Date.now() > firstExp * 1000 + 1500, { timeoutMs: 5000 });
    await srv!.server.publish([{ topic: 'alpha.after', data: {} }]);
    await c.next((f) => f.type === 'alpha.after');
    expect(c.frames.some((f) => f.type === 'error')).toBe(false);
  });

  it('narrows the subscriptions when the new token has narrower topics', async () => {
    await start();
    const c = await open('/ws/events?topics=alpha.*,beta.*', await mintToken(SECRET, { role: 'read', ttlSeconds: 60, topics: ['alpha.*', 'beta.*'] }));
    await c.next((f) => f.type === 'subscribed');
    c.send({ type: 'auth', token: await mintToken(SECRET, { role: 'read', ttlSeconds: 60, topics: ['alpha.*'] }) });
    expect(await c.next((f) => f.type === 'unsubscribed')).toMatchObject({ topics: ['beta.*'], reason: 'scope' });
    await c.next((f) => f.type === 'auth_ok');
    await srv!.server.publish([{ topic: 'beta.x', data: {} }, { topic: 'alpha.x', data: {} }]);
    await c.next((f) => f.type === 'alpha.x');
    expect(eventTypes(c.frames)).toEqual(['alpha.x']);
  });

  it('closes with 4401 on a bad or expired refresh token, and on a JWT that expires', { timeout: 20_000 }, async () => {
    await start();
    const good = await mintToken(SECRET, { role: 'read', ttlSeconds: 60 });
    const bad = await open('/ws/agents', good);
    bad.send({ type: 'auth', token: 'garbage' });
    expect(await bad.next((f) => f.type === 'error')).toMatchObject({ code: 'unauthorized' });
    expect((await bad.closed).code).toBe(4401);

    const stale = await open('/ws/agents', good);
    stale.send({ type: 'auth', token: await mintToken(SECRET, { role: 'read', ttlSeconds: 1, nowMs: Date.now() - 10_000 }) });
    expect(await stale.next((f) => f.type === 'error')).toMatchObject({ code: 'token_expired' });
    expect((await stale.closed).code).toBe(4401);

    const short = await open('/ws/agents', await mintToken(SECRET, { role: 'read', ttlSeconds: 2 }));
    expect(await short.next((f) => f.type === 'error', 10_000)).toMatchObject({ code: 'token_expired' });
    expect((await short.closed).code).toBe(4401);
  });

  it('answers an auth frame with an error frame when the server has no auth, and keeps the connection', async () => {
    srv = await startTestServer();
    const c = await connectRaw(`${srv.wsUrl}/ws/agents`);
    clients.push(c);
    c.send({ type: 'auth', token: 'whatever' });
    expect(await c.next((f) => f.type === 'error')).toMatchObject({ code: 'bad_request' });
    c.send({ type: 'ping' });
    await c.next((f) => f.type === 'pong');
  });
});

describe('tokens minted by another service', () => {
  function keyFile(type: 'rsa' | 'ec'): { file: string; privateKey: KeyObject } {
    const { publicKey, privateKey } = type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const dir = mkdtempSync(join(tmpdir(), 'sb-jwt-'));
    dirs.push(dir);
    const file = join(dir, 'auth-service.pem');
    writeFileSync(file, publicKey.export({ type: 'spki', format: 'pem' }));
    return { file, privateKey };
  }

  it('opens a stream showing exactly the topics claim, and refreshes without a reconnect', { timeout: 20_000 }, async () => {
    const { file, privateKey } = keyFile('ec');
    // No --token at all: the public key alone turns auth on.
    srv = await startTestServer({ jwtPublicKeyFile: file, jwtClockToleranceSeconds: 0 });
    await seed();
    const external = (ttl: number) =>
      new SignJWT({ role: 'read', topics: ['task.*', 'alpha.*'] })
        .setProtectedHeader({ alg: 'ES256' })
        .setSubject('dashboard@auth-service')
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttl)
        .sign(privateKey);
    const c = await open('/ws/agents?since_seq=0', await external(60));
    await c.next((f) => f.type === 'alpha.one');
    expect(eventTypes(c.frames)).toEqual(['task.started', 'alpha.one']);
    c.send({ type: 'auth', token: await external(120) });
    await c.next((f) => f.type === 'auth_ok');
    await srv.server.publish([{ topic: 'beta.live', data: {} }, { topic: 'task.progress', data: { ...TASK, percent: 50 } }]);
    await c.next((f) => f.type === 'task.progress');
    expect(eventTypes(c.frames)).toEqual(['task.started', 'alpha.one', 'task.progress']);
    await expect(connectRaw(`${srv.wsUrl}/ws/agents`)).rejects.toMatchObject({ status: 401 });
  });

  it('refuses to start with a key it cannot use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-jwt-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'bad.pem'), 'not a key');
    await expect(startTestServer({ jwtPublicKeyFile: join(dir, 'bad.pem') })).rejects.toThrow(/--jwt-public-key/);
    await expect(startTestServer({ jwtPublicKeyFile: join(dir, 'missing.pem') })).rejects.toThrow(/cannot read/);
  });
});
