// A node that has not yet noticed the shared log was lost must not rewind a client that already holds a cursor of
// the cluster's new epoch (docs/architecture.md "A lagging node never rewinds a client"): it checks the cluster's
// epoch, moves there, and resumes the client from its cursor.

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connectRaw, startTestServer, waitFor } from '@switchboard/testkit';
import { redisForFile } from './support/redis-server';
import { rest } from './support/rest';

const fx = redisForFile();
const nodes = fx.nodes;

describe('a cursor of a newer epoch on a node that has not moved yet', () => {
  it('moves the node to that epoch and resumes the client, over WebSocket and polling', async () => {
    const prefix = `epoch-${randomUUID()}:`;
    // a checks often; b practically never, so only the client's cursor can tell it the log was lost.
    const a = await startTestServer({ redisUrl: fx.redis.url, redisPrefix: prefix, nodeId: 'a', clusterCheckIntervalMs: 100 });
    nodes.push(a);
    const b = await startTestServer({ redisUrl: fx.redis.url, redisPrefix: prefix, nodeId: 'b', clusterCheckIntervalMs: 600_000 });
    nodes.push(b);
    const onA = rest(() => a.url);
    const onB = rest(() => b.url);
    for (let i = 0; i < 5; i++) expect((await onA.post('/api/events', { topic: 'custom.old', data: { i } })).status).toBe(201);
    const old = a.server.epoch;
    await waitFor(() => b.server.log.head === a.server.log.head, { message: 'node b to catch up' });

    // The log is lost (as when Redis comes back empty); a moves to a new epoch and takes writes there.
    const conn = new Redis(fx.redis.url, { lazyConnect: true });
    await conn.connect();
    try {
      const keys = await conn.keys(`${prefix}*`);
      await conn.del(...keys.filter((k) => !k.includes('alive:')));
    } finally {
      conn.disconnect();
    }
    await waitFor(() => a.server.epoch !== old, { timeoutMs: 10_000, message: 'node a to move to a new epoch' });
    let published: { epoch: string; seq: number } | undefined;
    await waitFor(async () => {
      const res = await onA.post('/api/events', { topic: 'custom.new', data: { n: 1 } });
      if (res.status === 201) published = res.body;
      return res.status === 201;
    }, { timeoutMs: 10_000, message: 'an append in the new epoch' });
    expect(published!.epoch).toBe(a.server.epoch);
    expect(b.server.epoch).toBe(old);

    // The move closes b's sockets with 1012, the one that asked included; resuming again with the same cursor must
    // then be recovered, never a snapshot of the lost epoch.
    let subscribed: Record<string, unknown> | undefined;
    for (let attempt = 0; attempt < 3 && !subscribed; attempt++) {
      const ws = await connectRaw(`${b.wsUrl}/ws/events?topics=*&since_epoch=${published!.epoch}&since_seq=${published!.seq}`);
      try {
        subscribed = await ws.next((f) => f.type === 'subscribed');
      } catch {
        expect((await ws.closed).code).toBe(1012);
      } finally {
        await ws.close();
      }
    }
    expect(subscribed).toMatchObject({ epoch: published!.epoch, recovered: true });
    expect(subscribed!.seq).toBeGreaterThanOrEqual(published!.seq);
    const poll = await onB.get(`/api/events?epoch=${published!.epoch}&since=${published!.seq}`);
    expect(poll.body).toMatchObject({ epoch: published!.epoch, recovered: true });
    // A cursor of the lost epoch is still answered plainly.
    const stale = await onB.get(`/api/events?epoch=${old}&since=3`);
    expect(stale.body).toMatchObject({ epoch: published!.epoch, recovered: false });
  }, 30_000);
});
