// Idempotent publishing (docs/protocol.md "Idempotent publishing"): a producer's retry with the same
// Idempotency-Key answers the original epoch, seq and id, on one node and across a cluster.

import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { startRedis, type TestRedis } from './support/redis-server';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const s = await startTestServer(overrides);
  servers.push(s);
  return s;
}

async function post(s: TestServer, body: unknown, key?: string): Promise<{ status: number; replayed: string | null; body: any }> {
  const res = await fetch(`${s.url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: JSON.stringify(body),
  });
  return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: await res.json() };
}

async function events(s: TestServer): Promise<any[]> {
  return ((await (await fetch(`${s.url}/api/events?since=0`)).json()) as any).events;
}

const ev = (i: number) => ({ topic: 'custom.tick', data: { i } });

describe('Idempotency-Key on POST /api/events (one node)', () => {
  it('appends once and answers a retry with the original epoch, seq and id', async () => {
    const s = await server();
    const first = await post(s, ev(1), 'order-1');
    expect(first.status).toBe(201);
    expect(first.replayed).toBeNull();
    await post(s, ev(2));
    const again = await post(s, ev(1), 'order-1');
    expect(again.status).toBe(201);
    expect(again.replayed).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await events(s)).map((e) => e.data.i)).toEqual([1, 2]);
  }, 15_000);

  it('does the same for a batch, and refuses the key with another request (409) or a malformed key (400)', async () => {
    const s = await server();
    const first = await post(s, [ev(1), ev(2)], 'batch-1');
    expect(first.body.seqs).toEqual([1, 2]);
    const again = await post(s, [ev(1), ev(2)], 'batch-1');
    expect(again).toMatchObject({ status: 201, replayed: 'true', body: first.body });

    const other = await post(s, [ev(1), ev(3)], 'batch-1');
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('conflict');
    const single = await post(s, ev(1), 'batch-1');
    expect(single.status).toBe(409);

    const bad = await post(s, ev(4), 'has space');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation_failed', field: 'Idempotency-Key' });
    expect((await events(s)).map((e) => e.data.i)).toEqual([1, 2]);
  }, 15_000);

  it('remembers keys across a restart and forgets them after the window', async () => {
    const first = await startTestServer({ idempotencyWindowSeconds: 1 });
    const a = await post(first, ev(1), 'k');
    await first.close({ keepData: true });
    const again = await server({ dataDir: first.dataDir, idempotencyWindowSeconds: 1 });
    try {
      expect(await post(again, ev(1), 'k')).toMatchObject({ replayed: 'true', body: a.body });
      await new Promise((r) => setTimeout(r, 1100)); // the window is the behaviour under test
      const late = await post(again, ev(1), 'k');
      expect(late.replayed).toBeNull();
      expect(late.body.seq).toBe(2);
    } finally {
      const { rmSync } = await import('node:fs');
      await again.close();
      servers.splice(servers.indexOf(again), 1);
      rmSync(first.dataDir, { recursive: true, force: true });
    }
  }, 15_000);
});

describe('Idempotency-Key in a cluster', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  }, 20_000);
  afterAll(async () => {
    await redis?.stop();
  });

  it('answers a retry sent to another node with the original append', async () => {
    const prefix = `test-${randomUUID()}:`;
    const a = await server({ redisUrl: redis.url, redisPrefix: prefix, nodeId: 'a' });
    const b = await server({ redisUrl: redis.url, redisPrefix: prefix, nodeId: 'b' });
    const first = await post(a, ev(1), 'retry-me');
    expect(first.status).toBe(201);
    const onB = await post(b, ev(1), 'retry-me');
    expect(onB).toMatchObject({ status: 201, replayed: 'true', body: first.body });
    const conflict = await post(b, ev(9), 'retry-me');
    expect(conflict.status, JSON.stringify(conflict.body)).toBe(409);
    const batch = await post(b, [ev(2), ev(3)], 'batch');
    expect(await post(a, [ev(2), ev(3)], 'batch')).toMatchObject({ replayed: 'true', body: batch.body });
    expect((await events(a)).map((e) => [e.seq, e.data.i])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  }, 20_000);
});
