import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectRaw, startTestServer, waitFor, type RawClient, type TestServer } from '@switchboard/testkit';

let srv: TestServer;
const clients: RawClient[] = [];
beforeEach(async () => {
  srv = await startTestServer({ maxQueueBytes: 256 * 1024 });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await srv.close();
});

describe('slow consumers', () => {
  it('a paused client gets an in-place snapshot marked lagged while a fast one receives every event in order', async () => {
    const fast = await connectRaw(`${srv.wsUrl}/ws/events?topics=*`);
    const slow = await connectRaw(`${srv.wsUrl}/ws/events?topics=*`);
    clients.push(fast, slow);
    await fast.next((f) => f.type === 'snapshot');
    await slow.next((f) => f.type === 'snapshot');
    const slowSocket = (slow.ws as any)._socket;
    slowSocket.pause();

    // Loopback kernel buffers absorb several MB before the server's queue grows, so send well beyond that.
    const total = 8000;
    const pad = 'p'.repeat(2000);
    for (let i = 0; i < total; i += 50) {
      const batch = Array.from({ length: 50 }, (_, j) => ({
        topic: 'task.progress',
        data: { id: `t${(i + j) % 7}`, kind: 'index', percent: ((i + j) % 100), message: pad },
      }));
      const r = await fetch(`${srv.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
      expect(r.status).toBe(201);
    }
    const got = await fast.collect((f) => f.type === 'task.progress', total, 20_000);
    expect(got.map((f) => f.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));

    slowSocket.resume();
    const snap = await slow.next((f) => f.type === 'snapshot' && f.reason === 'lagged', 20_000);
    expect(snap.seq).toBe(total);
    expect((snap.state as any).tasks.t0).toBeDefined();
    // Whatever deltas arrived before the snapshot are in order with no duplicates, and none came after it.
    const seqs = slow.frames.filter((f) => f.type === 'task.progress').map((f) => f.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs.length).toBeLessThan(total);
    // And it is live again afterwards.
    await fetch(`${srv.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'custom.after', data: {} }) });
    expect(await slow.next((f) => f.type === 'custom.after')).toMatchObject({ seq: total + 1 });
    await waitFor(() => fast.frames.some((f) => f.type === 'custom.after'));
  });
});
