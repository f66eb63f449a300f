import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectRaw, startTestServer, waitFor, type Frame, type RawClient, type TestServer } from '@switchboard/testkit';

let srv: TestServer;
const clients: RawClient[] = [];
const timers: Array<ReturnType<typeof setInterval>> = [];
beforeEach(async () => {
  srv = await startTestServer({ maxQueueBytes: 256 * 1024 });
});
afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await srv.close();
});

/**
 * The seqs of a `*` subscriber's frames, checked for holes: every delta continues the previous delta or snapshot
 * by exactly one (every event matches `*`). Returns the snapshots' positions in the frames.
 */
function expectNoHoles(frames: Frame[]): number[] {
  let last: number | null = null;
  const snapshots: number[] = [];
  frames.forEach((f, i) => {
    if (f.type === 'snapshot') {
      last = f.seq as number;
      snapshots.push(i);
    } else if (f.type !== 'subscribed' && typeof f.seq === 'number') {
      expect(last, `frame ${i} (${f.type}) before any snapshot`).not.toBeNull();
      expect(f.seq, `frame ${i} follows seq ${last}`).toBe(last! + 1);
      last = f.seq;
    }
  });
  return snapshots;
}

/** Publish `perTick` events of ~1 KB every 10 ms, in process, until stopped. */
function publishSteadily(perTick: number): { stop: () => void; head: () => number } {
  const pad = 'q'.repeat(1000);
  let n = 0;
  const t = setInterval(() => {
    srv.server.publish(
      Array.from({ length: perTick }, () => ({ topic: 'task.progress', data: { id: `t${n % 5}`, kind: 'index', percent: n++ % 100, message: pad } })),
    );
  }, 10);
  timers.push(t);
  return { stop: () => clearInterval(t), head: () => n };
}

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

    const readBeforeResume = slow.frames.length;
    slowSocket.resume();
    const snap = await slow.next((f) => f.type === 'snapshot' && f.reason === 'lagged', 20_000);
    expect(snap.seq).toBe(total);
    // Unread bytes are bounded (128 KiB here, half the queue bound): after resuming it reads a few dozen stale
    // 2 KB deltas before the snapshot, not the megabytes loopback buffers would otherwise have held.
    const staleRead = slow.frames.slice(readBeforeResume, slow.frames.indexOf(snap)).filter((f) => f.type === 'task.progress').length;
    expect(staleRead).toBeLessThan(200);
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

  it('a reader paused while the fleet keeps publishing gets, on resuming, a recent lagged snapshot within a second or two', { timeout: 30_000 }, async () => {
    const fast = await connectRaw(`${srv.wsUrl}/ws/events?topics=*`);
    const slow = await connectRaw(`${srv.wsUrl}/ws/events?topics=*`);
    clients.push(fast, slow);
    await fast.next((f) => f.type === 'snapshot');
    await slow.next((f) => f.type === 'snapshot');
    const slowSocket = (slow.ws as any)._socket;
    slowSocket.pause();
    const fleet = publishSteadily(20); // ~2 000 events/s, ~2 MB/s
    // Paused while ~6 MB are published (three seconds on a quiet machine): megabytes the reader will never need.
    await waitFor(() => fleet.head() >= 6000, { timeoutMs: 20_000, message: '6 000 events published while paused' });
    const headAtResume = srv.server.log.head;
    const readBeforeResume = slow.frames.length;
    const resumedAt = Date.now();
    slowSocket.resume();
    const snap = await slow.next((f) => f.type === 'snapshot' && f.reason === 'lagged', 5000);
    const waited = Date.now() - resumedAt;
    fleet.stop();

    expect(waited).toBeLessThan(2000);
    // Taken when the reader had nearly caught up, so at least as new as the log when it resumed.
    expect(snap.seq as number).toBeGreaterThanOrEqual(headAtResume);
    const staleRead = slow.frames.slice(readBeforeResume, slow.frames.indexOf(snap)).filter((f) => f.type === 'task.progress').length;
    expect(staleRead).toBeLessThan(300);
    // The heartbeat never gave up on it, and it is live after the snapshot.
    expect(slow.ws.readyState).toBe(slow.ws.OPEN);
    const head = srv.server.log.head;
    await waitFor(() => slow.frames.at(-1)?.seq === head && fast.frames.at(-1)?.seq === head, { timeoutMs: 10_000 });
    expectNoHoles(slow.frames);
    // The fast client saw everything, in order, no snapshot but the first.
    expect(expectNoHoles(fast.frames)).toHaveLength(1);
  });

  it('a reader slower than the fleet is caught within seconds and sees fresh snapshots, never an ever older stream', { timeout: 30_000 }, async () => {
    // Pings every 500 ms: a ping stuck behind a backlog would make the heartbeat terminate this reader, which is slow
    // but reads (a reader paused for two intervals is dead by that rule, hence the default elsewhere in this file).
    await srv.close();
    srv = await startTestServer({ maxQueueBytes: 256 * 1024, pingIntervalMs: 500 });
    const fast = await connectRaw(`${srv.wsUrl}/ws/events?topics=*`);
    const slow = await connectRaw(`${srv.wsUrl}/ws/events?topics=*`);
    clients.push(fast, slow);
    await fast.next((f) => f.type === 'snapshot');
    await slow.next((f) => f.type === 'snapshot');
    // Reads for 5 ms of every 200, well under the ~2 MB/s published.
    const slowSocket = (slow.ws as any)._socket;
    slowSocket.pause();
    const throttle = setInterval(() => {
      slowSocket.resume();
      setTimeout(() => slowSocket.pause(), 5);
    }, 200);
    timers.push(throttle);
    const startedAt = Date.now();
    const fleet = publishSteadily(20);
    const first = await slow.next((f) => f.type === 'snapshot' && f.reason === 'lagged', 5000);
    const detectedAfter = Date.now() - startedAt;
    // Keep going: it keeps getting snapshots, each recent, and the connection survives many heartbeat intervals
    // (another ~8 MB: four seconds on a quiet machine, eight heartbeats).
    const mark = fleet.head();
    await waitFor(() => fleet.head() >= mark + 8000, { timeoutMs: 20_000, message: '8 000 more events published' });
    const snapshots = slow.frames.filter((f) => f.type === 'snapshot' && f.reason === 'lagged');
    const lastSnapshot = snapshots.at(-1)!;
    const headNow = srv.server.log.head;
    fleet.stop();
    clearInterval(throttle);
    slowSocket.resume();

    expect(detectedAfter).toBeLessThan(3000);
    expect(first.seq as number).toBeGreaterThan(0);
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    // The newest snapshot it has read is at most a couple of seconds (~4 000 events) behind the log.
    expect(headNow - (lastSnapshot.seq as number)).toBeLessThan(4000);
    expect(slow.ws.readyState).toBe(slow.ws.OPEN);
    const head = srv.server.log.head;
    await waitFor(() => slow.frames.at(-1)?.seq === head && fast.frames.at(-1)?.seq === head, { timeoutMs: 10_000 });
    expectNoHoles(slow.frames);
    expect(expectNoHoles(fast.frames)).toHaveLength(1);
  });
});
