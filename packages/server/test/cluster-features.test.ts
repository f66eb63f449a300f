// Node-local features in a cluster (docs/architecture.md "Cluster mode"): a plan runs once, on the node that created
// it, whichever node is asked; an instance's log is read through any node or refused naming its owner.

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { connectRaw, startTestServer, waitFor, type TestServer } from '@switchboard/testkit';
import { redisForFile } from './support/redis-server';
import { rest } from './support/rest';

const fx = redisForFile();
const nodes = fx.nodes;

async function cluster(...ids: string[]): Promise<TestServer[]> {
  const prefix = `test-${randomUUID()}:`;
  for (const nodeId of ids) nodes.push(await startTestServer({ redisUrl: fx.redis.url, redisPrefix: prefix, nodeId, stopGraceMs: 500 }));
  return [...nodes];
}

describe('cluster features', () => {
  it('runs a plan once when two nodes are asked at once, and cancels it from any node', async () => {
    const [a, b] = await cluster('a', 'b');
    const onA = rest(() => a!.url);
    const onB = rest(() => b!.url);
    const created = await onA.post('/api/plans', { name: 'once', steps: [{ name: 'wait', command: 'sleep 0.3' }] });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body.node_id).toBe('a');
    await waitFor(async () => (await onB.get(`/api/plans/${id}`)).status === 200, { message: 'node b to know the plan' });

    const runs = await Promise.all([onA.post(`/api/plans/${id}/run`), onB.post(`/api/plans/${id}/run`)]);
    expect(runs.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(runs.find((r) => r.status === 409)!.body.error.code).toBe('invalid_state');
    await waitFor(async () => (await onB.get(`/api/plans/${id}`)).body.status === 'completed', { timeoutMs: 10_000, message: 'the plan to complete' });
    const events = (await onB.get('/api/events?since=0&topics=plan.*')).body.events as Array<{ topic: string; data: any }>;
    expect(events.filter((e) => e.topic === 'plan.completed')).toHaveLength(1);
    expect(events.filter((e) => e.topic === 'plan.step_status' && e.data.status === 'running')).toHaveLength(1);

    // Run and cancel through the node that does not own it reach the owner, which runs and stops the step.
    const long = (await onA.post('/api/plans', { name: 'long', steps: [{ name: 'sleep', command: 'sleep 30' }] })).body.id as string;
    await waitFor(async () => (await onB.get(`/api/plans/${long}`)).status === 200, { message: 'node b to know the second plan' });
    expect((await onB.post(`/api/plans/${long}/run`)).status).toBe(200);
    await waitFor(async () => (await onB.get(`/api/plans/${long}`)).body.steps[0].status === 'running', { message: 'the step to run' });
    const cancelled = await onB.post(`/api/plans/${long}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');

    // With its owner gone, a plan is refused with an error naming the owner, not run elsewhere.
    const third = (await onA.post('/api/plans', { name: 'orphan', steps: [{ name: 'x', command: 'true' }] })).body.id as string;
    await waitFor(async () => (await onB.get(`/api/plans/${third}`)).status === 200, { message: 'node b to know the third plan' });
    await a!.close();
    nodes.splice(nodes.indexOf(a!), 1);
    const refused = await onB.post(`/api/plans/${third}/run`);
    expect(refused.status).toBe(503);
    expect(refused.body.error.message).toContain("'a'");
  }, 30_000);

  it('serves a message and its transitions through any node, from the node holding it', async () => {
    const [a, b] = await cluster('a', 'b');
    const onA = rest(() => a!.url);
    const onB = rest(() => b!.url);
    const sent = await onA.post('/api/messages', { from: 'x', to: 'y', message_type: 'ping', payload: { secret: 'kept-on-a' } });
    expect(sent.status).toBe(201);
    const id = sent.body.message_id as string;
    await waitFor(() => Object.hasOwn((b!.server.log.state as any).messages, id), { message: 'node b to apply message.sent' });

    const read = await onB.get(`/api/messages/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ message_id: id, payload: { secret: 'kept-on-a' } });
    expect((await onB.post(`/api/messages/${id}/deliver`)).body).toMatchObject({ message_id: id, event: 'delivered' });
    expect((await onB.post(`/api/messages/${id}/ack`)).body).toMatchObject({ event: 'acknowledged' });
    const again = await onB.post(`/api/messages/${id}/ack`);
    expect(again.status).toBe(409);
    expect((await onA.get(`/api/messages/${id}`)).body.status).toBe('acknowledged');
    expect((await onB.get('/api/messages/no-such-id')).status).toBe(404);
  }, 20_000);

  it('reads an instance log tail through any node, and refuses its log stream elsewhere naming the owner', async () => {
    const [a, b] = await cluster('a', 'b');
    const onA = rest(() => a!.url);
    const onB = rest(() => b!.url);
    const name = `logs-${randomUUID().slice(0, 8)}`;
    expect((await onA.post('/api/instances', { name, command: 'sh', args: ['-c', 'echo one; echo two; sleep 30'] })).status).toBe(201);
    expect((await onA.post(`/api/instances/${name}/start`)).status).toBe(200);
    await waitFor(async () => (await onA.get(`/api/instances/${name}/logs`)).body.count === 2, { message: 'the instance to print two lines' });
    await waitFor(async () => (await onB.get(`/api/instances/${name}`)).status === 200, { message: 'node b to know the instance' });

    const viaB = await onB.get(`/api/instances/${name}/logs?tail=10`);
    expect(viaB.status).toBe(200);
    expect(viaB.body).toEqual((await onA.get(`/api/instances/${name}/logs?tail=10`)).body);
    expect(viaB.body.count).toBe(2);

    const ws = await connectRaw(`${b!.wsUrl}/ws/instances/${name}/logs`);
    try {
      const error = await ws.next((f) => f.type === 'error');
      expect(error.code).toBe('invalid_state');
      expect(String(error.message)).toContain("node 'a'");
      expect((await ws.closed).code).toBe(4409);
      expect(ws.frames.some((f) => f.type === 'backlog')).toBe(false);
    } finally {
      await ws.close();
    }
  }, 20_000);
});
