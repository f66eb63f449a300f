import { describe, expect, it } from 'vitest';
import { useHarness } from './helpers/harness';
import { waitFor } from './helpers/wait';

describe('frames sent while disconnected', () => {
  const h = useHarness();

  it('are queued and flushed in order after the subscribe of the next socket', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const { client } = h.client({ url: server.url, autoConnect: false });
    expect([1, 2, 3].map((n) => client.send({ type: 'note', n }))).toEqual(['queued', 'queued', 'queued']);
    expect(client.queuedFrames).toBe(3);
    client.connect();
    await waitFor(() => server.connections[0]?.received.length === 4, { message: '4 frames', saw: () => server.connections[0]?.received });
    expect(server.connections[0]!.received.map((f) => f.type === 'note' ? f.n : f.type)).toEqual(['subscribe', 1, 2, 3]);
    expect(client.queuedFrames).toBe(0);
    expect(client.send({ type: 'note', n: 4 })).toBe('sent');
    await waitFor(() => server.connections[0]!.received.length === 5, { message: 'live frame' });
  });

  it('survive a drop and reach the next socket in order', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const { client, rec } = h.client({ url: server.url, random: () => 0 });
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot' });
    server.refuseUpgrades = true;
    server.dropAll();
    await waitFor(() => client.status === 'reconnecting', { message: 'reconnecting' });
    expect(client.send({ type: 'note', n: 1 })).toBe('queued');
    expect(client.send({ type: 'note', n: 2 })).toBe('queued');
    server.refuseUpgrades = false;
    await waitFor(() => server.connections[1]?.received.length === 3, { message: 'frames on socket 2', saw: () => server.connections[1]?.received });
    expect(server.connections[1]!.received.map((f) => f.type === 'note' ? f.n : f.type)).toEqual(['subscribe', 1, 2]);
  });

  it('are dropped past maxQueuedFrames, and close() discards the queue', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const { client } = h.client({ url: server.url, autoConnect: false, maxQueuedFrames: 2 });
    expect([1, 2, 3].map((n) => client.send({ type: 'note', n }))).toEqual(['queued', 'queued', 'dropped']);
    client.connect();
    client.close();
    expect(client.queuedFrames).toBe(0);
  });

  it('must be objects with a string type', () => {
    const { client } = h.client({ url: 'http://127.0.0.1:1', autoConnect: false });
    expect(() => client.send({} as { type: string })).toThrow(/string `type`/);
  });
});
