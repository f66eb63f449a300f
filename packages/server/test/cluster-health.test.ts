// Cluster health in the open (docs/architecture.md "Cluster health"): /api/healthz names the node that answered, its
// epoch, the seq it has applied and how far the shared log is ahead of it.

import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startTestServer, waitFor } from '@switchboard/testkit';
import { redisForFile } from './support/redis-server';
import { rest } from './support/rest';

const fx = redisForFile();
const nodes = fx.nodes;

describe('/api/healthz in cluster mode', () => {
  it('names the node, its epoch, the seq it caught up to and its lag', async () => {
    const prefix = `health-${randomUUID()}:`;
    for (const nodeId of ['a', 'b']) nodes.push(await startTestServer({ redisUrl: fx.redis.url, redisPrefix: prefix, nodeId }));
    const [a, b] = nodes.map((n) => rest(() => n.url));
    const published = await a!.post('/api/events', { topic: 'custom.health', data: {} });
    expect(published.status).toBe(201);
    await waitFor(async () => (await b!.get('/api/healthz')).body.seq === published.body.seq, { message: 'node b to apply the event' });
    for (const [on, id] of [[a!, 'a'], [b!, 'b']] as const) {
      const h = (await on.get('/api/healthz')).body;
      expect(h).toMatchObject({ status: 'ok', node_id: id, epoch: published.body.epoch, seq: published.body.seq });
      expect(h.cluster).toEqual({
        node_id: id,
        epoch: published.body.epoch,
        seq: published.body.seq,
        log_seq: published.body.seq,
        lag: 0,
        redis: 'up',
        moving_epoch: false,
      });
    }
    // The counter ahead of what the stream holds: the node reports the difference as lag.
    spawnSync('redis-cli', ['-p', String(fx.redis.port), 'INCRBY', `${prefix}seq`, '5']);
    const behind = (await b!.get('/api/healthz')).body;
    expect(behind.cluster).toMatchObject({ seq: published.body.seq, log_seq: published.body.seq + 5, lag: 5 });
  }, 20_000);

  it('has no cluster fields on a single node', async () => {
    const single = await startTestServer();
    nodes.push(single);
    const h = (await rest(() => single.url).get('/api/healthz')).body;
    expect(h.status).toBe('ok');
    expect(h).not.toHaveProperty('node_id');
    expect(h).not.toHaveProperty('cluster');
  });
});
