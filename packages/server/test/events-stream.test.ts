import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectRaw, startTestServer, waitFor, type RawClient, type TestServer } from '@switchboard/testkit';

let srv: TestServer;
const clients: RawClient[] = [];

async function open(path: string, opts?: Parameters<typeof connectRaw>[1]): Promise<RawClient> {
  const c = await connectRaw(srv.wsUrl + path, opts);
  clients.push(c);
  return c;
}

async function publish(body: unknown): Promise<Response> {
  return fetch(`${srv.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

const session = (id: string) => ({ topic: 'session.created', data: { id, name: `s-${id}`, target: 'claude' } });

beforeEach(async () => {
  srv = await startTestServer();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await srv.close();
});

describe('/ws/events', () => {
  it('answers subscribe without since with subscribed(recovered:false) then a snapshot of the subscribed families', async () => {
    await publish(session('a'));
    const c = await open('/ws/events');
    c.send({ type: 'subscribe', topics: ['session.*'] });
    const sub = await c.next();
    expect(sub).toMatchObject({ type: 'subscribed', topics: ['session.*'], seq: 1, recovered: false });
    const snap = await c.next();
    expect(snap.type).toBe('snapshot');
    expect(snap.seq).toBe(1);
    expect(Object.keys(snap.state as object)).toEqual(['sessions']);
    expect((snap.state as any).sessions).toHaveProperty('a');
  });

  it('delivers live events whose type is the topic, only for matching patterns, in log order', async () => {
    const c = await open('/ws/events');
    c.send({ type: 'subscribe', topics: ['session.*', 'custom.thing'] });
    await c.next((f) => f.type === 'snapshot');
    await publish([session('a'), { topic: 'agent.started', data: { id: 'g', session_id: 'a', name: 'x' } }, { topic: 'custom.thing', data: { n: 1 } }]);
    const frames = await c.collect((f) => f.type !== 'subscribed' && f.type !== 'snapshot', 2);
    expect(frames.map((f) => [f.type, f.seq])).toEqual([
      ['session.created', 1],
      ['custom.thing', 3],
    ]);
    expect(frames[1]).toMatchObject({ data: { n: 1 } });
    expect(typeof frames[0]!.ts).toBe('string');
  });

  it('replays every matching event after since, gap-free, then continues live', async () => {
    for (let i = 0; i < 20; i++) await publish(session(`s${i}`));
    const epoch = (await (await fetch(`${srv.url}/api/healthz`)).json()).epoch;
    const c = await open('/ws/events');
    c.send({ type: 'subscribe', topics: ['*'], since: { epoch, seq: 5 } });
    expect(await c.next()).toMatchObject({ type: 'subscribed', recovered: true, seq: 20 });
    await publish(session('live'));
    const got = await c.collect((f) => f.type === 'session.created', 16);
    expect(got.map((f) => f.seq)).toEqual(Array.from({ length: 16 }, (_, i) => i + 6));
  });

  it('answers recovered:false and a snapshot for another epoch', async () => {
    await publish(session('a'));
    const c = await open('/ws/events');
    c.send({ type: 'subscribe', topics: ['session.*'], since: { epoch: 'other', seq: 0 } });
    expect(await c.next()).toMatchObject({ type: 'subscribed', recovered: false });
    expect((await c.next()).type).toBe('snapshot');
  });

  it('subscribes from the query string and /ws/agents defaults to every topic', async () => {
    const a = await open('/ws/agents');
    expect(await a.next()).toMatchObject({ type: 'subscribed', topics: ['*'] });
    const e = await open('/ws/events?topics=task.*,search.completed&since_seq=0');
    expect(await e.next()).toMatchObject({ type: 'subscribed', topics: ['task.*', 'search.completed'], recovered: true });
    await publish({ topic: 'search.completed', data: { id: 'q', query: 'x', results: 3 } });
    expect(await e.next((f) => f.type === 'search.completed')).toMatchObject({ seq: 1, data: { results: 3 } });
    expect(await a.next((f) => f.type === 'search.completed')).toMatchObject({ seq: 1 });
  });

  it('unsubscribe stops delivery', async () => {
    const c = await open('/ws/events?topics=custom.*');
    await c.next((f) => f.type === 'snapshot');
    c.send({ type: 'unsubscribe', topics: ['custom.*'] });
    expect(await c.next()).toEqual({ type: 'unsubscribed', topics: ['custom.*'] });
    await publish({ topic: 'custom.a', data: {} });
    c.send({ type: 'ping' });
    expect(await c.next()).toEqual({ type: 'pong' });
    expect(c.frames.some((f) => f.type === 'custom.a')).toBe(false);
  });

  it('applies the frame rules: ping→pong, unknown type→error frame, malformed→1008, binary→1003, oversize→1009', async () => {
    const c = await open('/ws/events');
    c.send({ type: 'ping' });
    expect(await c.next()).toEqual({ type: 'pong' });
    c.send({ type: 'nope' });
    expect(await c.next()).toMatchObject({ type: 'error', code: 'unknown_type' });
    c.send({ type: 'subscribe', topics: ['bad topic'] });
    expect(await c.next()).toMatchObject({ type: 'error', code: 'invalid_topic' });
    c.sendRaw('{not json');
    expect((await c.closed).code).toBe(1008);

    const d = await open('/ws/events');
    d.send({ kind: 'no type' });
    expect((await d.closed).code).toBe(1008);

    const b = await open('/ws/events');
    b.sendRaw(Buffer.from([1, 2, 3]), true);
    expect((await b.closed).code).toBe(1003);

    const big = await open('/ws/events');
    big.send({ type: 'ping', pad: 'x'.repeat(70 * 1024) });
    expect((await big.closed).code).toBe(1009);
  });

  it('refuses upgrades from foreign browser origins but allows loopback ones', async () => {
    await expect(open('/ws/events', { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    const ok = await open('/ws/events', { origin: 'http://localhost:5173' });
    ok.send({ type: 'ping' });
    expect(await ok.next()).toEqual({ type: 'pong' });
    await expect(open('/ws/nope/deeper')).rejects.toMatchObject({ status: 404 });
  });
});

describe('idle rule and heartbeats', () => {
  it('closes /ws/events with 1001 after the idle timeout but keeps /ws/agents open', async () => {
    await srv.close();
    srv = await startTestServer({ idleTimeoutSeconds: 0.3, pingIntervalMs: 100 });
    const e = await open('/ws/events');
    const a = await open('/ws/agents');
    expect((await e.closed).code).toBe(1001);
    expect(a.ws.readyState).toBe(a.ws.OPEN);
  });

  it('terminates a peer that stops answering protocol pings', async () => {
    await srv.close();
    srv = await startTestServer({ pingIntervalMs: 100 });
    const a = await open('/ws/agents');
    // Stop the client from answering pings: ws auto-pongs, so pause the underlying socket instead.
    (a.ws as any)._socket.pause();
    await waitFor(async () => (await (await fetch(`${srv.url}/api/healthz`)).json()).connections === 0, { message: 'dead peer reaped' });
  });
});

describe('floods', () => {
  it('closes a connection that floods frames with 1013 while others keep working', async () => {
    await srv.close();
    srv = await startTestServer({ maxFramesPerSecond: 50 });
    const calm = await open('/ws/events');
    const flood = await open('/ws/events');
    for (let i = 0; i < 200; i++) flood.send({ type: 'ping' });
    expect((await flood.closed).code).toBe(1013);
    calm.send({ type: 'ping' });
    expect(await calm.next()).toEqual({ type: 'pong' });
  });
});

describe('connection floods', () => {
  it('refuses upgrades past the per-address cap with HTTP 429 and accepts again once one closes', async () => {
    await srv.close();
    srv = await startTestServer({ maxConnectionsPerIp: 2 });
    const a = await open('/ws/events');
    await open('/ws/events');
    await expect(open('/ws/events')).rejects.toMatchObject({ status: 429 });
    await a.close();
    const again = await waitFor(() => open('/ws/events').catch(() => undefined), { message: 'a slot freed by the close' });
    again.send({ type: 'ping' });
    expect(await again.next()).toEqual({ type: 'pong' });
  });
});
