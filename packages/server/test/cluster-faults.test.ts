// Faults of the shared Redis log (docs/architecture.md "Cluster mode"): a Redis restart with writes in flight, a
// node behind a client's cursor, and Redis losing its data. Real redis-server on a free port, real nodes.

import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRaw, startTestServer, waitFor, type Frame, type RawClient, type TestServer } from '@switchboard/testkit';
import { Redis } from 'ioredis';
import { APPEND_SCRIPT, RESET_EPOCH_SCRIPT } from '../src/cluster/redis-scripts';
import { startRedis, type TestRedis } from './support/redis-server';

const nodes: TestServer[] = [];
const clients: RawClient[] = [];
const redises: TestRedis[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  await Promise.all(redises.splice(0).map((r) => r.stop()));
});

async function redis(options: { persistent?: boolean } = {}): Promise<TestRedis> {
  const r = await startRedis(options);
  redises.push(r);
  return r;
}

async function node(r: TestRedis, prefix: string, nodeId: string, overrides: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const n = await startTestServer({ redisUrl: r.url, redisPrefix: prefix, nodeId, ...overrides });
  nodes.push(n);
  return n;
}

async function open(n: TestServer, path: string): Promise<RawClient> {
  const c = await connectRaw(n.wsUrl + path);
  clients.push(c);
  return c;
}

async function post(n: TestServer, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${n.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

const tick = (i: number) => ({ topic: 'cluster.tick', data: { i } });
const isTick = (f: Frame) => f.type === 'cluster.tick';

/** Frames of a subscriber as (seq, i), after checking it never saw an event twice. */
function assertNoDuplicates(frames: readonly Frame[]): void {
  const ticks = frames.filter(isTick);
  const seqs = ticks.map((f) => f.seq as number);
  const is = ticks.map((f) => (f.data as { i: number }).i);
  expect(new Set(is).size, `duplicate events: ${JSON.stringify(is)}`).toBe(is.length);
  expect(new Set(seqs).size).toBe(seqs.length);
  for (let k = 1; k < seqs.length; k++) expect(seqs[k]!).toBeGreaterThan(seqs[k - 1]!);
}

describe('cluster faults', () => {
  it('answers a re-sent append script with the original seqs, and refuses one past its deadline or epoch', async () => {
    const r = await redis();
    const conn = new Redis(r.url, { lazyConnect: true });
    await conn.connect();
    try {
      await conn.set('p:epoch', 'E1');
      const keys = ['p:seq', 'p:log', 'p:epoch'];
      const args = (id: string, deadline: number, epoch = 'E1') => [epoch, 0, 1000, deadline, 60, '-', 'custom.a', id, 'ts', '{}'];
      const far = Date.now() + 60_000;
      const first = await conn.eval(APPEND_SCRIPT, 4, ...keys, 'p:once:E1:e:id1', ...args('id1', far));
      // The same command again, as ioredis re-sends it after a reconnect: same answer, nothing appended.
      expect(await conn.eval(APPEND_SCRIPT, 4, ...keys, 'p:once:E1:e:id1', ...args('id1', far))).toBe(first);
      expect(first).toBe('1 id1');
      expect(await conn.xlen('p:log')).toBe(1);
      await expect(conn.eval(APPEND_SCRIPT, 4, ...keys, 'p:once:E1:e:id2', ...args('id2', Date.now() - 1000))).rejects.toThrow(/EXPIRED/);
      await expect(conn.eval(APPEND_SCRIPT, 4, ...keys, 'p:once:E0:e:id3', ...args('id3', far, 'E0'))).rejects.toThrow(/EPOCH E1/);
      expect(await conn.xlen('p:log')).toBe(1);

      // Loss detection agrees on one next epoch: a false alarm changes nothing, the first to notice creates it, a
      // second node noticing the same loss adopts it.
      const reset = (mine: string, candidate: string, head: number) =>
        conn.eval(RESET_EPOCH_SCRIPT, 5, 'p:epoch', 'p:seq', 'p:log', 'p:snapshot', 'p:genesis', mine, candidate, '{"x":1}', head);
      expect(await reset('E1', 'E2', 1)).toEqual(['intact', 'E1']);
      await conn.del('p:epoch');
      expect(await reset('E1', 'E2', 1)).toEqual(['created', 'E2']);
      expect(await reset('E1', 'E3', 1)).toEqual(['adopt', 'E2']);
      expect(await conn.hgetall('p:snapshot')).toEqual({ epoch: 'E2', seq: '0', state: '{"x":1}' });
      expect(await conn.hgetall('p:genesis')).toEqual({ epoch: 'E2', state: '{"x":1}' });
      expect(await conn.exists('p:log', 'p:seq')).toBe(0);
      // A counter rolled back below what a node applied is a loss too.
      await conn.set('p:seq', 3);
      expect(await reset('E2', 'E4', 5)).toEqual(['created', 'E4']);
    } finally {
      conn.disconnect();
    }
  }, 15_000);

  it('never appends an event twice when Redis restarts with writes in flight', async () => {
    const r = await redis({ persistent: true });
    const prefix = `test-${randomUUID()}:`;
    const a = await node(r, prefix, 'a');
    const b = await node(r, prefix, 'b');
    const subA = await open(a, '/ws/events?topics=cluster.*');
    const subB = await open(b, '/ws/events?topics=cluster.*');
    await subA.next((f) => f.type === 'subscribed');
    await subB.next((f) => f.type === 'subscribed');

    const acked = new Map<number, number>(); // i → seq
    let next = 0;
    let writing = true;
    const writer = async (n: TestServer) => {
      while (writing) {
        const i = next++;
        try {
          const res = await post(n, tick(i));
          if (res.status === 201) acked.set(i, res.body.seq);
        } catch {
          // A refused connection is not an acknowledgement; the outcome is checked from the log below.
        }
      }
    };
    const writers = Array.from({ length: 8 }, (_, k) => writer(k % 2 === 0 ? a : b));
    // Several restarts: any one of them may catch a script that ran without its reply reaching the node.
    for (let restart = 0; restart < 4; restart++) {
      const before = acked.size;
      await waitFor(() => acked.size >= before + 40, { timeoutMs: 20_000, message: `40 acknowledged writes before restart ${restart + 1}` });
      await r.restart({ signal: 'SIGTERM' });
    }
    const after = acked.size;
    await waitFor(() => acked.size >= after + 40, { timeoutMs: 20_000, message: '40 acknowledged writes after the last restart' });
    writing = false;
    await Promise.all(writers);

    const head = Math.max(...acked.values());
    await waitFor(() => a.server.log.head >= head && b.server.log.head >= head, { timeoutMs: 10_000, message: 'both nodes to apply every write' });
    const last = a.server.log.head;
    await waitFor(() => b.server.log.head === last, { timeoutMs: 10_000, message: 'both nodes to agree on the head' });
    for (const sub of [subA, subB]) {
      await waitFor(() => sub.frames.some((f) => isTick(f) && f.seq === last), { timeoutMs: 10_000, message: `a subscriber to see seq ${last}` });
      assertNoDuplicates(sub.frames);
    }
    // Every acknowledged event is in the log once, at the seq its 201 named.
    const log = a.server.log.readSince(0, 100_000);
    const atSeq = new Map(log.map((e) => [e.seq, (e.data as { i: number }).i]));
    for (const [i, seq] of acked) expect(atSeq.get(seq), `event ${i} at seq ${seq}`).toBe(i);
    const is = log.map((e) => (e.data as { i: number }).i);
    expect(new Set(is).size).toBe(is.length);
    expect(a.server.epoch).toBe(b.server.epoch);
  }, 60_000);

  it('makes a resume ahead of the node wait for it to catch up, then fail retryably instead of rewinding', async () => {
    const r = await redis();
    const prefix = `test-${randomUUID()}:`;
    const a = await node(r, prefix, 'a');
    const b = await node(r, prefix, 'b', { resumeWaitMs: 1500 });
    const first = await post(a, [tick(1), tick(2)]);
    const epoch = first.body.epoch as string;
    await waitFor(() => b.server.log.head === 2, { message: 'node b to apply seq 2' });

    // A cursor at seq 4, as if read on a node further ahead: b has not seen 3 and 4 yet.
    const sub = await open(b, '/ws/events');
    sub.send({ type: 'subscribe', topics: ['cluster.*'], since: { epoch, seq: 4 } });
    sub.send({ type: 'ping' });
    await sub.next((f) => f.type === 'pong');
    expect(sub.frames.some((f) => f.type === 'subscribed' || f.type === 'snapshot')).toBe(false);
    const polled = fetch(`${b.url}/api/events?since=4&epoch=${epoch}`);
    await post(a, [tick(3), tick(4), tick(5)]);
    const subscribed = await sub.next((f) => f.type === 'subscribed');
    expect(subscribed).toMatchObject({ epoch, recovered: true });
    const replay = await sub.next(isTick);
    expect([replay.seq, (replay.data as { i: number }).i]).toEqual([5, 5]);
    expect(sub.frames.some((f) => f.type === 'snapshot')).toBe(false);
    const page = (await (await polled).json()) as any;
    expect(page).toMatchObject({ epoch, recovered: true });
    expect(page.events.map((e: any) => e.seq)).toEqual([5]);

    // A cursor the cluster never reaches in time: a retryable error, never recovered:false with an older snapshot.
    const ahead = await open(b, '/ws/events');
    ahead.send({ type: 'subscribe', topics: ['cluster.*'], since: { epoch, seq: 50 } });
    const error = await ahead.next((f) => f.type === 'error', 5000);
    expect(error.code).toBe('unavailable');
    expect((await ahead.closed).code).toBe(4503);
    expect(ahead.frames.some((f) => f.type === 'subscribed' || f.type === 'snapshot')).toBe(false);
    const refused = await fetch(`${b.url}/api/events?since=50&epoch=${epoch}`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as any).error.code).toBe('unavailable');

    // Another epoch's cursor is still simply stale: recovered:false and a snapshot, at once.
    const other = await open(b, '/ws/events');
    other.send({ type: 'subscribe', topics: ['cluster.*'], since: { epoch: 'another', seq: 50 } });
    expect(await other.next((f) => f.type === 'subscribed')).toMatchObject({ recovered: false });
    await other.next((f) => f.type === 'snapshot');
  }, 30_000);

  it.each(['restarted empty', 'flushed'] as const)('moves every node to one new epoch when Redis is %s, and never acknowledges a cursor twice', async (fault) => {
    const r = await redis({ persistent: true });
    const prefix = `test-${randomUUID()}:`;
    const a = await node(r, prefix, 'a', { clusterCheckIntervalMs: 200 });
    const b = await node(r, prefix, 'b', { clusterCheckIntervalMs: 200 });
    const old = a.server.epoch;
    await post(a, { topic: 'session.created', data: { id: 's1', name: 'kept', target: 'claude' } });
    const subs = [await open(a, '/ws/events?topics=cluster.*,session.*'), await open(b, '/ws/events?topics=cluster.*,session.*')];
    for (const s of subs) await s.next((f) => f.type === 'subscribed');

    const acks: Array<{ epoch: string; seq: number; i: number }> = [];
    let next = 0;
    let writing = true;
    const writer = async (n: TestServer) => {
      while (writing) {
        const i = next++;
        const res = await post(n, tick(i)).catch(() => null);
        if (res?.status === 201) acks.push({ epoch: res.body.epoch, seq: res.body.seq, i });
      }
    };
    const writers = [writer(a), writer(b), writer(a), writer(b)];
    await waitFor(() => acks.length >= 30, { timeoutMs: 10_000, message: '30 writes before Redis loses its data' });
    const lastOld = Math.max(...acks.map((x) => x.seq));
    if (fault === 'restarted empty') await r.restart({ empty: true });
    else expect(spawnSync('redis-cli', ['-p', String(r.port), 'FLUSHALL'], { encoding: 'utf8' }).stdout.trim()).toBe('OK');

    await waitFor(() => a.server.epoch !== old && b.server.epoch !== old, { timeoutMs: 10_000, message: 'both nodes to leave the lost epoch' });
    expect(b.server.epoch).toBe(a.server.epoch);
    const fresh = a.server.epoch;
    await waitFor(() => acks.some((x) => x.epoch === fresh), { timeoutMs: 10_000, message: 'writes to be acknowledged in the new epoch' });
    writing = false;
    await Promise.all(writers);

    // Every subscriber was told: its socket closed with 1012, and resuming with its old cursor gives a snapshot of the
    // new epoch that kept what the cluster knew.
    for (const [k, s] of subs.entries()) {
      expect((await s.closed).code).toBe(1012);
      assertNoDuplicates(s.frames);
      const n = k === 0 ? a : b;
      const again = await open(n, '/ws/events');
      again.send({ type: 'subscribe', topics: ['cluster.*', 'session.*'], since: { epoch: old, seq: lastOld } });
      expect(await again.next((f) => f.type === 'subscribed')).toMatchObject({ epoch: fresh, recovered: false });
      const snap = await again.next((f) => f.type === 'snapshot');
      expect(snap.epoch).toBe(fresh);
      expect((snap.state as any).sessions.s1.name).toBe('kept');
    }

    // A node joining now starts from the same carried-over state.
    const c = await node(r, prefix, 'c');
    expect(c.server.epoch).toBe(fresh);
    expect((c.server.log.state as any).sessions.s1.name).toBe('kept');

    // No (epoch, seq) was acknowledged for two events, and every new-epoch acknowledgement names its own event on
    // both nodes.
    const names = acks.map((x) => `${x.epoch}:${x.seq}`);
    expect(new Set(names).size).toBe(names.length);
    const head = Math.max(...acks.filter((x) => x.epoch === fresh).map((x) => x.seq));
    await waitFor(() => a.server.log.head >= head && b.server.log.head >= head, { timeoutMs: 10_000, message: 'both nodes to apply the new epoch' });
    for (const n of [a, b]) {
      const atSeq = new Map(n.server.log.readSince(0, 100_000).map((e) => [e.seq, e.data as { i?: number }]));
      for (const x of acks.filter((y) => y.epoch === fresh)) expect(atSeq.get(x.seq)?.i, `seq ${x.seq} on ${n.server.url}`).toBe(x.i);
    }
  }, 60_000);
});
