// Per-peer rate limits from the outside (docs/security.md): a real server with small limits, peer A on 127.0.0.1 flooding
// REST and upgrades, peer B on 127.0.0.2 (Linux routes all of 127/8 to loopback) served all along.

import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRaw, startTestServer, waitFor, type RawClient, type TestServer } from '@switchboard/testkit';

const A = '127.0.0.1';
const B = '127.0.0.2';

let srv: TestServer | undefined;
const clients: RawClient[] = [];
const agents: Agent[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const agent of agents.splice(0)) agent.destroy();
  await srv?.close();
  srv = undefined;
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
}

/** One HTTP request from `localAddress`, on a keep-alive agent of that address (as a browser or SDK would). */
function httpFrom(localAddress: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  agents.push(agent);
  return (method: string, path: string, body?: unknown): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        `${srv!.url}${path}`,
        { method, agent, localAddress, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: parseBody(res.headers, text) }));
        },
      );
      req.setTimeout(5000, () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
}

/** One WebSocket upgrade attempt on a raw request: status 101 (the socket is closed at once) or the refusal. */
function upgradeFrom(localAddress: string, path = '/ws/events'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${srv!.url}${path}`, {
      localAddress,
      agent: false,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') },
    });
    req.setTimeout(5000, () => req.destroy(new Error('upgrade timed out')));
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode!, headers: res.headers, body: undefined });
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: parseBody(res.headers, text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function parseBody(headers: IncomingHttpHeaders, text: string): unknown {
  return text && headers['content-type']?.startsWith('application/json') ? JSON.parse(text) : text;
}

function expectTooMany(answer: Answer): void {
  expect(answer.status).toBe(429);
  const retryAfter = Number(answer.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  expect(answer.body).toMatchObject({ error: { code: 'too_many_requests', retry_after_s: retryAfter } });
}

describe('per-peer rate limits', () => {
  it('answers a flooding peer 429 with Retry-After while a second peer is served, and serves the first again later', { timeout: 30_000 }, async () => {
    srv = await startTestServer({ host: '127.0.0.1', rateLimitPerSecond: 1, rateLimitBurst: 5, connectRatePerSecond: 1, connectBurst: 3 });
    const fromA = httpFrom(A);
    const fromB = httpFrom(B);

    // A floods REST: the burst is served, the rest refused.
    const flood = await Promise.all(Array.from({ length: 30 }, () => fromA('GET', '/api/events?since=0')));
    const refused = flood.filter((r) => r.status === 429);
    expect(flood.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThanOrEqual(20);
    for (const r of refused) expectTooMany(r);
    expect(flood.every((r) => r.status === 200 || r.status === 429)).toBe(true);

    // A floods upgrades: the connect bucket is its own, so A's REST flood did not spend it.
    const upgrades = await Promise.all(Array.from({ length: 15 }, () => upgradeFrom(A)));
    expect(upgrades.filter((u) => u.status === 101).length).toBeGreaterThanOrEqual(1);
    const upgradesRefused = upgrades.filter((u) => u.status === 429);
    expect(upgradesRefused.length).toBeGreaterThanOrEqual(10);
    for (const u of upgradesRefused) expectTooMany(u);

    // Meanwhile B is served normally: REST reads and writes, and a live WebSocket.
    expect((await fromA('GET', '/api/events?since=0')).status).toBe(429);
    expect((await fromB('GET', '/api/snapshot')).status).toBe(200);
    const posted = await fromB('POST', '/api/events', { topic: 'session.created', data: { id: 'b', name: 'from B', target: 'claude' } });
    expect(posted.status).toBe(201);
    const b = await connectRaw(`${srv.wsUrl}/ws/events`, { localAddress: B });
    clients.push(b);
    b.send({ type: 'subscribe', topics: ['session.*'] });
    expect(await b.next((f) => f.type === 'subscribed')).toMatchObject({ recovered: false });
    b.send({ type: 'ping' });
    expect(await b.next((f) => f.type === 'pong')).toEqual({ type: 'pong' });

    // Health checks are never limited, even for the flooding peer.
    expect((await fromA('GET', '/api/healthz')).status).toBe(200);

    // Once a token has refilled, A is served again, over REST and WebSocket.
    await waitFor(async () => (await fromA('GET', '/api/events?since=0')).status === 200, { timeoutMs: 10_000, intervalMs: 250, message: 'A served again over REST' });
    const a = await waitFor(() => connectRaw(`${srv!.wsUrl}/ws/events`, { localAddress: A }).catch(() => undefined), {
      timeoutMs: 10_000,
      intervalMs: 250,
      message: 'A allowed to connect again',
    });
    clients.push(a);
    a.send({ type: 'ping' });
    expect(await a.next((f) => f.type === 'pong')).toEqual({ type: 'pong' });
  });

  it('limits static files too, but never /api/healthz', { timeout: 20_000 }, async () => {
    srv = await startTestServer({ host: '127.0.0.1', rateLimitPerSecond: 1, rateLimitBurst: 2 });
    const fromA = httpFrom(A);
    const answers = await Promise.all(Array.from({ length: 6 }, () => fromA('GET', '/')));
    expect(answers.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(3);
    const health = await Promise.all(Array.from({ length: 20 }, () => fromA('GET', '/api/healthz')));
    expect(health.map((r) => r.status)).toEqual(Array(20).fill(200));
  });

  it('turns each limit off with a rate of 0', { timeout: 20_000 }, async () => {
    srv = await startTestServer({ host: '127.0.0.1', rateLimitPerSecond: 0, rateLimitBurst: 1, connectRatePerSecond: 0, connectBurst: 1 });
    const fromA = httpFrom(A);
    const answers = await Promise.all(Array.from({ length: 50 }, () => fromA('GET', '/api/snapshot')));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const upgrades = await Promise.all(Array.from({ length: 20 }, () => upgradeFrom(A)));
    expect(upgrades.every((u) => u.status === 101)).toBe(true);
  });

  it('leaves ordinary local use alone under the defaults', { timeout: 20_000 }, async () => {
    // A dashboard load, a demo publisher and a handful of streams from one machine are far below the defaults.
    srv = await startTestServer({ host: '127.0.0.1' });
    const fromA = httpFrom(A);
    const answers = await Promise.all(Array.from({ length: 200 }, () => fromA('GET', '/api/snapshot')));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const upgrades = await Promise.all(Array.from({ length: 50 }, () => upgradeFrom(A)));
    expect(upgrades.every((u) => u.status === 101)).toBe(true);
  });
});
