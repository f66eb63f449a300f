// Liveness and readiness (docs/operations.md): /api/healthz stays liveness; /api/readyz is 200 while the store is
// open (and, in a cluster, Redis answers and this node has applied the shared log), 503 `unavailable` with the
// reason otherwise, and 503 from the moment a graceful shutdown begins. Both answer without a token.

import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRaw, startTestServer, waitFor, type RawClient, type TestServer } from '@switchboard/testkit';
import { startRedis, type TestRedis } from './support/redis-server';

const servers: TestServer[] = [];
const clients: RawClient[] = [];
const redises: TestRedis[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(redises.splice(0).map((r) => r.stop()));
});

async function start(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const s = await startTestServer(overrides);
  servers.push(s);
  return s;
}

async function readyz(s: TestServer): Promise<{ status: number; body: any }> {
  const res = await fetch(`${s.url}/api/readyz`);
  return { status: res.status, body: await res.json() };
}

describe('/api/readyz', () => {
  it('is 200 on a running node, without a token even when --token is set, and is not rate limited', async () => {
    const s = await start({ token: 'readiness-secret', rateLimitPerSecond: 1, rateLimitBurst: 1 });
    for (let i = 0; i < 5; i++) expect(await readyz(s)).toEqual({ status: 200, body: { status: 'ready' } });
    expect((await fetch(`${s.url}/api/healthz`)).status).toBe(200);
    expect((await fetch(`${s.url}/api/snapshot`)).status).toBe(401);
  });

  it('turns 503 as soon as a graceful shutdown begins, while liveness still answers', async () => {
    const s = await start();
    // A client that stops reading never acknowledges the 1001 close, so the shutdown waits for it (about 2 s).
    const stuck = await connectRaw(`${s.wsUrl}/ws/agents`);
    clients.push(stuck);
    await stuck.next((f) => f.type === 'snapshot');
    (stuck.ws as any)._socket.pause();
    expect((await readyz(s)).status).toBe(200);

    const closing = s.server.close();
    const answer = await readyz(s);
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatchObject({ code: 'unavailable', reason: 'the server is shutting down' });
    expect((await fetch(`${s.url}/api/healthz`)).status).toBe(200);
    await closing;
    servers.splice(servers.indexOf(s), 1);
  }, 20_000);

  it('in cluster mode is 503 while Redis is down and 200 again once it is back', async () => {
    const redis = await startRedis();
    redises.push(redis);
    const s = await start({ redisUrl: redis.url, redisPrefix: `test-${randomUUID()}:`, nodeId: 'ready-a' });
    const pub = await fetch(`${s.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'custom.x', data: {} }) });
    expect(pub.status).toBe(201);
    // Like /api/healthz, readiness names the node and where it stands.
    expect(await readyz(s)).toEqual({
      status: 200,
      body: { status: 'ready', node_id: 'ready-a', cluster: expect.objectContaining({ node_id: 'ready-a', epoch: expect.any(String), seq: 1, lag: expect.any(Number) }) },
    });
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/^switchboard_cluster_nodes 1$/m);
    expect(metrics).toMatch(/^switchboard_cluster_lag_seconds \d/m);

    await redis.stop();
    redises.splice(0);
    await waitFor(async () => (await readyz(s)).status === 503, { timeoutMs: 10_000 });
    const down = await readyz(s);
    expect(down.body.error.code).toBe('unavailable');
    expect(down.body.error.reason).toMatch(/redis/);
    expect(down.body.error.node_id).toBe('ready-a');
    expect((await fetch(`${s.url}/api/healthz`)).status).toBe(200);

    redises.push(await startRedis({ port: redis.port }));
    await waitFor(async () => (await readyz(s)).status === 200, { timeoutMs: 15_000 });
  }, 40_000);

  it('a cluster node shuts down promptly even while Redis is down', async () => {
    const redis = await startRedis();
    redises.push(redis);
    const s = await start({ redisUrl: redis.url, redisPrefix: `test-${randomUUID()}:`, nodeId: 'ready-b' });
    await redis.stop();
    redises.splice(0);
    await waitFor(async () => (await readyz(s)).status === 503, { timeoutMs: 10_000 });
    const started = Date.now();
    await s.close();
    servers.splice(0);
    expect(Date.now() - started).toBeLessThan(8000);
  }, 30_000);
});
