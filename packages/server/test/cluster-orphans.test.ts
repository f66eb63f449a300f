// Instances of a node that died (docs/architecture.md "Instances of a node that died"): every node marks them
// orphaned once the owner's heartbeat expires, any live node can adopt them, and an owner coming back takes back
// what nobody adopted (and drops what was adopted away).

import { existsSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connectRaw, makeTempDir, startTestServer, waitFor, type TestServer } from '@switchboard/testkit';
import { redisForFile } from './support/redis-server';
import { rest } from './support/rest';

const fx = redisForFile();
const nodes = fx.nodes;

const NODE_TIMEOUT_MS = 1000;

async function node(prefix: string, nodeId: string, dataDir = makeTempDir()): Promise<TestServer> {
  const n = await startTestServer({ redisUrl: fx.redis.url, redisPrefix: prefix, nodeId, dataDir, stopGraceMs: 300, nodeTimeoutMs: NODE_TIMEOUT_MS });
  nodes.push(n);
  return n;
}

async function stop(n: TestServer): Promise<void> {
  nodes.splice(nodes.indexOf(n), 1);
  await n.close({ keepData: true });
}

describe('instances of a node that died', () => {
  it('are marked orphaned on every node, and a live node adopts one with the env values it needs', async () => {
    const prefix = `orph-${randomUUID()}:`;
    const a = await node(prefix, 'a');
    const b = await node(prefix, 'b');
    const c = await node(prefix, 'c');
    const onA = rest(() => a.url);
    const onB = rest(() => b.url);
    const onC = rest(() => c.url);
    const out = join(makeTempDir(), 'secret.txt');
    const name = `w-${randomUUID().slice(0, 8)}`;
    const created = await onA.post('/api/instances', { name, command: `echo "$SECRET" > ${out}; exec sleep 30`, env: { SECRET: 's3cret' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ node_id: 'a', orphaned_at: null });
    expect((await onA.post(`/api/instances/${name}/start`)).body.status).toBe('running');
    await waitFor(async () => (await onB.get(`/api/instances/${name}`)).body.status === 'running', { message: 'node b to see it running' });
    // A live owner is not orphaned, and its instance cannot be adopted.
    const early = await onB.post(`/api/instances/${name}/adopt`, { env: { SECRET: 'x' } });
    expect(early.status).toBe(409);

    const ws = await connectRaw(`${c.wsUrl}/ws/instances`);
    try {
      await ws.next((f) => f.type === 'snapshot');
      await stop(a);
      // Every node shows it, none as running.
      for (const on of [onB, onC]) {
        await waitFor(async () => (await on.get(`/api/instances/${name}`)).body.orphaned_at !== null, { timeoutMs: 10_000, message: 'the instance to be marked orphaned' });
        const seen = (await on.get(`/api/instances/${name}`)).body;
        expect(seen).toMatchObject({ status: 'crashed', pid: null, status_reason: 'owner_lost', node_id: 'a' });
      }
      const changed = await ws.next((f) => f.type === 'status_changed' && f.name === name);
      expect(changed).toMatchObject({ status: 'crashed', pid: null });
      const updated = await ws.next((f) => f.type === 'instance_updated' && f.name === name);
      expect((updated.instance as { orphaned_at: unknown }).orphaned_at).toEqual(expect.any(String));
      // Marked once, by one node.
      const events = (await onB.get('/api/events?since=0&topics=instance.status_changed')).body.events as Array<{ data: any }>;
      expect(events.filter((e) => e.data.name === name && e.data.reason === 'owner_lost')).toHaveLength(1);

      // Actions other than start need an adoption first; start without the env value it needs is refused.
      expect((await onB.post(`/api/instances/${name}/stop`)).body.error.message).toContain('adopt');
      const noEnv = await onB.post(`/api/instances/${name}/start`);
      expect(noEnv.status).toBe(400);
      expect(noEnv.body.error).toMatchObject({ field: 'env', missing: ['SECRET'] });

      const adopted = await onB.post(`/api/instances/${name}/adopt`, { env: { SECRET: 'fresh' } });
      expect(adopted.status).toBe(200);
      expect(adopted.body).toMatchObject({ status: 'running', node_id: 'b', orphaned_at: null, status_reason: 'adopted' });
      await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').trim() === 'fresh', { message: 'the adopted run to see its env value' });
      await waitFor(async () => (await onC.get(`/api/instances/${name}`)).body.node_id === 'b', { message: 'node c to see the new owner' });
      // Actions through another node now reach the adopter.
      expect((await onC.post(`/api/instances/${name}/stop`)).body.status).toBe('stopped');
    } finally {
      await ws.close();
    }
  }, 40_000);

  it('are taken back by their node when it returns, started again if they were running', async () => {
    const prefix = `orph-${randomUUID()}:`;
    const dataA = makeTempDir();
    let a = await node(prefix, 'a', dataA);
    const b = await node(prefix, 'b');
    const onA = rest(() => a.url);
    const onB = rest(() => b.url);
    const running = `r-${randomUUID().slice(0, 8)}`;
    const idle = `i-${randomUUID().slice(0, 8)}`;
    const moved = `m-${randomUUID().slice(0, 8)}`;
    for (const name of [running, idle, moved]) expect((await onA.post('/api/instances', { name, command: 'exec sleep 30' })).status).toBe(201);
    expect((await onA.post(`/api/instances/${running}/start`)).status).toBe(200);
    expect((await onA.post(`/api/instances/${moved}/start`)).status).toBe(200);
    await waitFor(async () => (await onB.get(`/api/instances/${moved}`)).body.status === 'running', { message: 'node b to catch up' });

    await stop(a);
    await waitFor(async () => (await onB.get(`/api/instances/${idle}`)).body.orphaned_at !== null, { timeoutMs: 10_000, message: 'orphaned' });
    expect((await onB.get(`/api/instances/${idle}`)).body).toMatchObject({ status: 'stopped', status_reason: 'owner_lost' });
    // Start on an orphan adopts it (a control-plane client knows no adopt).
    expect((await onB.post(`/api/instances/${moved}/start`)).body).toMatchObject({ status: 'running', node_id: 'b' });

    a = await node(prefix, 'a', dataA);
    await waitFor(async () => (await onB.get(`/api/instances/${running}`)).body.status === 'running', { timeoutMs: 10_000, message: 'node a to start its instance again' });
    const back = (await onB.get(`/api/instances/${running}`)).body;
    expect(back).toMatchObject({ node_id: 'a', orphaned_at: null });
    expect(back.pid).toEqual(expect.any(Number));
    await waitFor(async () => (await onB.get(`/api/instances/${idle}`)).body.orphaned_at === null, { message: 'the idle one taken back' });
    expect((await onB.get(`/api/instances/${idle}`)).body).toMatchObject({ status: 'stopped', status_reason: 'owner_back', node_id: 'a' });
    // What b adopted stays b's: a dropped its old files and runs nothing for it.
    expect((await onA.get(`/api/instances/${moved}`)).body).toMatchObject({ node_id: 'b', status: 'running' });
    expect(existsSync(join(dataA, 'instances', moved))).toBe(false);
  }, 40_000);

  // Last in the file: it restarts the shared Redis.
  it('are not declared orphaned when heartbeat keys vanish under live nodes, or Redis comes back empty', async () => {
    const prefix = `orph-${randomUUID()}:`;
    const a = await node(prefix, 'a');
    const b = await node(prefix, 'b');
    const onB = rest(() => b.url);
    const name = `k-${randomUUID().slice(0, 8)}`;
    expect((await rest(() => a.url).post('/api/instances', { name, command: 'exec sleep 30' })).status).toBe(201);
    expect((await rest(() => a.url).post(`/api/instances/${name}/start`)).status).toBe(200);
    await waitFor(async () => (await onB.get(`/api/instances/${name}`)).body.status === 'running', { message: 'node b to see it running' });
    // Keys deleted under a live node (as FLUSHALL would) until its next beat.
    const conn = new Redis(fx.redis.url, { lazyConnect: true });
    await conn.connect();
    try {
      const until = Date.now() + 3 * NODE_TIMEOUT_MS;
      while (Date.now() < until) {
        await conn.del(`${prefix}alive:a`);
        await new Promise((r) => setTimeout(r, 400 + Math.random() * 200));
      }
    } finally {
      conn.disconnect();
    }
    // Not even for a moment (its node would take it back at once): no owner_lost at all.
    const marks = (await onB.get('/api/events?since=0&topics=instance.status_changed')).body.events as Array<{ data: any }>;
    expect(marks.filter((e) => e.data.name === name && e.data.reason === 'owner_lost')).toEqual([]);
    const epoch = b.server.epoch;
    await fx.redis.restart({ empty: true });
    await waitFor(() => a.server.epoch !== epoch && b.server.epoch === a.server.epoch, { timeoutMs: 15_000, message: 'both nodes on the new epoch' });
    // Watch for three node timeouts: long past when a dead node would have been declared.
    const until = Date.now() + 3 * NODE_TIMEOUT_MS;
    while (Date.now() < until) {
      const seen = (await onB.get(`/api/instances/${name}`)).body;
      expect(seen).toMatchObject({ status: 'running', orphaned_at: null, node_id: 'a' });
      const since = (await onB.get('/api/events?since=0&topics=instance.status_changed')).body.events as Array<{ data: any }>;
      expect(since.filter((e) => e.data.reason === 'owner_lost' || e.data.reason === 'owner_back')).toEqual([]);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 40_000);
});
