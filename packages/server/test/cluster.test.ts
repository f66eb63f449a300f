import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRaw, startTestServer, waitFor, type Frame, type RawClient, type TestServer } from '@switchboard/testkit';
import { startRedis, type TestRedis } from './support/redis-server';
import { rest } from './support/rest';

let redis: TestRedis;
let prefix: string;
const nodes: TestServer[] = [];
const clients: RawClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
}, 20_000);
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

/** A node of this test's cluster: every test gets its own key prefix, so tests never see each other's log. */
async function node(nodeId: string, overrides: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const n = await startTestServer({ redisUrl: redis.url, redisPrefix: prefix, nodeId, ...overrides });
  nodes.push(n);
  return n;
}

function newCluster(): void {
  prefix = `test-${randomUUID()}:`;
}

async function open(n: TestServer, path: string): Promise<RawClient> {
  const c = await connectRaw(n.wsUrl + path);
  clients.push(c);
  return c;
}

async function post(n: TestServer, body: unknown): Promise<any> {
  const res = await fetch(`${n.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return res.json();
}

async function getJson(n: TestServer, path: string): Promise<any> {
  const res = await fetch(`${n.url}${path}`);
  expect(res.status).toBe(200);
  return res.json();
}

const tick = (i: number, from = 'x') => ({ topic: 'cluster.tick', data: { i, from } });
const isTick = (f: Frame) => f.type === 'cluster.tick';

describe('cluster mode (docs/architecture.md#cluster-mode)', () => {
  it('delivers an event published on node A to a subscriber on node B with the same seq and epoch', async () => {
    newCluster();
    const a = await node('a');
    const b = await node('b');
    expect(b.server.epoch).toBe(a.server.epoch);

    const sub = await open(b, '/ws/events');
    sub.send({ type: 'subscribe', topics: ['cluster.*', 'session.*'] });
    const subscribed = await sub.next((f) => f.type === 'subscribed');
    expect(subscribed.epoch).toBe(a.server.epoch);

    const started = performance.now();
    const ack = await post(a, { topic: 'session.created', data: { id: 's1', name: 'one', target: 'claude' } });
    const frame = await sub.next((f) => f.type === 'session.created');
    console.log(`cluster: A → B delivery took ${(performance.now() - started).toFixed(1)} ms (publish round trip included)`);
    expect(frame.seq).toBe(ack.seq);
    expect(ack.epoch).toBe(b.server.epoch);

    // With warm connections: from sending the publish to A until the frame is on B.
    const sent = performance.now();
    const [again, second] = await Promise.all([post(a, tick(1)), sub.next(isTick)]);
    console.log(`cluster: a second event reached B ${(performance.now() - sent).toFixed(1)} ms after it was sent to A`);
    expect(second.seq).toBe(again.seq);

    const polled = await getJson(b, `/api/events?since=0&epoch=${ack.epoch}&topics=session.*`);
    expect(polled).toMatchObject({ epoch: ack.epoch, seq: again.seq, recovered: true });
    expect(polled.events.map((e: any) => [e.seq, e.id, e.topic])).toEqual([[ack.seq, ack.id, 'session.created']]);
    const snapB = await getJson(b, '/api/snapshot?topics=session.*');
    expect(snapB.state.sessions).toHaveProperty('s1');
    expect(snapB).toEqual(await getJson(a, '/api/snapshot?topics=session.*'));
  }, 20_000);

  it('gives concurrent publishes on two nodes unique contiguous seqs, seen in the same order everywhere', async () => {
    newCluster();
    const a = await node('a');
    const b = await node('b');
    const subA = await open(a, '/ws/events?topics=cluster.*');
    const subB = await open(b, '/ws/events?topics=cluster.*');
    await subA.next((f) => f.type === 'subscribed');
    await subB.next((f) => f.type === 'subscribed');

    const acks = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? post(a, tick(i, 'a')) : post(b, [tick(i, 'b'), tick(i, 'b')]))),
    );
    const seqs = acks.flatMap((r) => (r.seqs as number[] | undefined) ?? [r.seq as number]).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));

    const onA = await subA.collect(isTick, 60, 10_000);
    const onB = await subB.collect(isTick, 60, 10_000);
    const order = (fs: Frame[]) => fs.map((f) => [f.seq, (f.data as any).from, (f.data as any).i]);
    expect(onA.map((f) => f.seq)).toEqual(seqs);
    expect(order(onB)).toEqual(order(onA));
  }, 30_000);

  it('lets a client holding a cursor from node A resume on node B after A is gone, without gap or duplicate', async () => {
    newCluster();
    const a = await node('a');
    const b = await node('b');
    const first = await open(a, '/ws/events?topics=cluster.*');
    await first.next((f) => f.type === 'subscribed');
    await post(a, [tick(1), tick(2), tick(3)]);
    const seen = await first.collect(isTick, 3);
    const cursor = { epoch: a.server.epoch, seq: seen[seen.length - 1]!.seq as number };

    await first.close();
    await a.close();
    nodes.splice(nodes.indexOf(a), 1);
    const more = await post(b, [tick(4), tick(5)]);

    const resumed = await open(b, '/ws/events');
    resumed.send({ type: 'subscribe', topics: ['cluster.*'], since: cursor });
    const subscribed = await resumed.next((f) => f.type === 'subscribed');
    expect(subscribed).toMatchObject({ epoch: cursor.epoch, seq: more.seqs[1], recovered: true });
    const replay = await resumed.collect(isTick, 2);
    expect(replay.map((f) => [f.seq, (f.data as any).i])).toEqual([
      [cursor.seq + 1, 4],
      [cursor.seq + 2, 5],
    ]);
    expect(resumed.frames.some((f) => f.type === 'snapshot')).toBe(false);
  }, 20_000);

  it('catches up a node started later, which then serves the same snapshot and log', async () => {
    newCluster();
    const a = await node('a');
    for (let i = 0; i < 5; i++) await post(a, [{ topic: 'session.created', data: { id: `s${i}`, name: `n${i}`, target: 'claude' } }, tick(i)]);
    const c = await node('c');
    expect(c.server.log.head).toBe(a.server.log.head);
    expect(await getJson(c, '/api/snapshot')).toEqual(await getJson(a, '/api/snapshot'));
    const logA = await getJson(a, '/api/events?since=0');
    expect(await getJson(c, '/api/events?since=0')).toEqual(logA);
    expect(logA.events).toHaveLength(10);

    // It keeps following: a publish on the new node reaches the old one.
    const ack = await post(c, tick(99));
    await waitFor(() => a.server.log.head === ack.seq, { message: `node a to apply seq ${ack.seq}` });
  }, 20_000);

  it('starts a late node from the cluster snapshot once the stream was trimmed', async () => {
    newCluster();
    const a = await node('a', { retentionEvents: 100 });
    for (let batch = 0; batch < 12; batch++) {
      await a.server.publish(Array.from({ length: 1000 }, (_, i) => tick(batch * 1000 + i)));
    }
    await a.server.publish([{ topic: 'session.created', data: { id: 'late', name: 'late', target: 'claude' } }]);
    const c = await node('c', { retentionEvents: 100 });
    expect(c.server.log.head).toBe(a.server.log.head);
    // The mirror began at the snapshot, not at seq 1: the early events were trimmed from the stream.
    expect(c.server.log.oldest).toBeGreaterThan(1);
    expect(await getJson(c, '/api/snapshot')).toEqual(await getJson(a, '/api/snapshot'));
  }, 60_000);

  it('keeps a restarted node on the cluster epoch and resumes it from its own mirror', async () => {
    newCluster();
    const a = await node('a');
    const b = await node('b');
    const dataDir = b.dataDir;
    await post(a, [tick(1), tick(2)]);
    await waitFor(() => b.server.log.head === 2, { message: 'node b to apply seq 2' });
    await b.close({ keepData: true });
    nodes.splice(nodes.indexOf(b), 1);
    await post(a, tick(3));
    const again = await node('b', { dataDir });
    try {
      expect(again.server.epoch).toBe(a.server.epoch);
      expect(again.server.log.head).toBe(3);
      expect((await getJson(again, '/api/events?since=0')).events.map((e: any) => e.data.i)).toEqual([1, 2, 3]);
    } finally {
      await again.close();
      nodes.splice(nodes.indexOf(again), 1);
      const { rmSync } = await import('node:fs');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 20_000);

  it('supervises an instance on the node that created it and forwards actions sent to other nodes through Redis', async () => {
    newCluster();
    const a = await node('a', { stopGraceMs: 500 });
    const b = await node('b', { stopGraceMs: 500 });
    const onA = rest(() => a.url);
    const onB = rest(() => b.url);
    const name = `owned-${randomUUID().slice(0, 8)}`;
    expect((await onA.post('/api/instances', { name, command: 'sleep', args: ['30'] })).status).toBe(201);
    expect((await onA.post(`/api/instances/${name}/start`)).body.status).toBe('running');
    await waitFor(async () => (await onB.get(`/api/instances/${name}`)).body.status === 'running', { message: `node b to list ${name} running` });

    const stopped = await onB.post(`/api/instances/${name}/stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ name, status: 'stopped' });
    expect((await onA.get(`/api/instances/${name}`)).body.status).toBe('stopped');

    const renamed = await onB.patch(`/api/instances/${name}`, { nickname: 'via-b' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.nickname).toBe('via-b');

    // The owner's errors come back with their code.
    const notRunning = await onB.post(`/api/instances/${name}/stop`);
    expect(notRunning.status).toBe(409);
    expect(notRunning.body.error.code).toBe('invalid_state');

    const started = await onB.post(`/api/instances/${name}/start`);
    expect(started.body.status).toBe('running');
    await a.close();
    nodes.splice(nodes.indexOf(a), 1);

    const ownerGone = await onB.post(`/api/instances/${name}/stop`);
    expect(ownerGone.status).toBe(503);
    expect(ownerGone.body.error.code).toBe('unavailable');
    expect(ownerGone.body.error.message).toContain("'a'");
  }, 20_000);
});
