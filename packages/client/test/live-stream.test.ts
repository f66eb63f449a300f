import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createClient, type WebSocketConstructor } from '../src/index';
import { record, useHarness } from './helpers/harness';
import { waitFor } from './helpers/wait';

const task = (id: string, percent: number) => ({ topic: 'task.progress', data: { id, kind: 'index', percent } });

describe('live stream against a fake server', () => {
  const h = useHarness();

  it('subscribes without since, applies the snapshot, then routes live events', { timeout: 10_000 }, async () => {
    const server = await h.server();
    server.append(task('t0', 10));
    const { client, rec } = h.client({ url: server.url, topics: ['task.*', 'agent.*'] });
    const got: number[] = [];
    client.subscribe('task.progress', (e) => got.push(e.seq));

    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot', saw: () => rec });
    const conn = server.connections[0]!;
    expect(conn.url).toBe('/ws/events');
    expect(conn.protocol).toBe('switchboard.v1');
    expect(conn.received[0]).toEqual({ type: 'subscribe', topics: ['task.*', 'agent.*'] });
    expect(rec.states.map((s) => `${s.from}→${s.to}:${s.reason.code}`)).toEqual([
      'closed→connecting:connect_requested',
      'connecting→open:socket_opened',
    ]);
    expect(rec.subscribed[0]).toMatchObject({ epoch: 'epoch-1', seq: 1, recovered: false });
    expect(client.state.tasks.t0).toMatchObject({ id: 't0', percent: 10 });
    expect(client.cursor).toEqual({ epoch: 'epoch-1', seq: 1 });

    server.append(task('t1', 20), { topic: 'session.created', data: { id: 's', name: 'n', target: 'x' } }, task('t1', 30));
    await waitFor(() => client.cursor?.seq === 4, { message: 'cursor at 4', saw: () => client.cursor });
    expect(got).toEqual([2, 4]); // session.* is not subscribed on the server
    expect(client.state.tasks.t1).toMatchObject({ percent: 30 });
    expect(client.state).toEqual({ ...client.state, ...server.stateFor(['task.*', 'agent.*']) });
    expect(rec.events.map((e) => [e.seq, e.topic])).toEqual([
      [2, 'task.progress'],
      [4, 'task.progress'],
    ]);
  });

  it('ignores an event whose seq is not above the cursor', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const { client, rec } = h.client({ url: server.url });
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot' });
    const [e1] = server.append(task('t', 1));
    const conn = server.connections[0]!;
    server.sendEvent(conn, e1!); // duplicate
    server.sendEvent(conn, { ...e1!, seq: 0 }); // older
    server.append(task('t', 2));
    await waitFor(() => client.cursor?.seq === 2, { message: 'cursor at 2' });
    expect(rec.events.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('replaces the state on a lagged snapshot and moves the cursor to it', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const { client, rec } = h.client({ url: server.url, topics: ['task.*'] });
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot' });
    server.append(task('a', 1));
    await waitFor(() => client.cursor?.seq === 1, { message: 'first event' });
    const before = client.state;
    // The server skipped deltas 2..5 for this slow client and sends their result instead.
    server.silent = true;
    server.append(task('a', 50), task('b', 5), task('b', 6), task('c', 7));
    server.silent = false;
    server.send(server.connections[0]!, { type: 'snapshot', epoch: server.epoch, seq: 5, state: server.stateFor(['task.*']), reason: 'lagged' });
    await waitFor(() => client.cursor?.seq === 5, { message: 'cursor at 5' });
    expect(rec.snapshots.at(-1)).toMatchObject({ seq: 5, reason: 'lagged', source: 'socket' });
    expect(client.state).not.toBe(before);
    expect(client.state.tasks).toEqual(server.stateFor(['task.*']).tasks);
    expect(rec.events.map((e) => e.seq)).toEqual([1]);
  });

  it('holds events that arrive before the snapshot a non-recovered subscribe promised', { timeout: 10_000 }, async () => {
    const server = await h.server();
    server.autoSubscribe = false;
    server.append(task('a', 1), task('a', 2));
    const { client, rec } = h.client({ url: server.url, topics: ['task.*'] });
    await waitFor(() => server.connections[0]?.received.length === 1, { message: 'subscribe frame' });
    const c = server.connections[0]!;
    server.send(c, { type: 'subscribed', topics: ['task.*'], epoch: server.epoch, seq: 2, recovered: false });
    server.sendEvent(c, server.log[1]!); // seq 2: already in the snapshot below
    const [e3] = server.append(task('a', 3)); // not auto-sent: topics unknown to the fake until now
    server.sendEvent(c, e3!);
    server.send(c, { type: 'snapshot', epoch: server.epoch, seq: 2, state: { tasks: { a: { id: 'a', kind: 'index', percent: 2 } } } });
    await waitFor(() => client.cursor?.seq === 3, { message: 'cursor at 3', saw: () => rec });
    expect(rec.events.map((e) => e.seq)).toEqual([3]);
    expect(client.state.tasks.a).toMatchObject({ percent: 3 });
  });

  it('reports error frames and keeps the connection', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const { client, rec } = h.client({ url: server.url });
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot' });
    server.send(server.connections[0]!, { type: 'error', code: 'unknown_type', message: 'unknown frame type "nope"' });
    server.connections[0]!.ws.send('not json');
    await waitFor(() => rec.errors.length === 2, { message: 'two errors', saw: () => rec.errors });
    expect(rec.errors[0]).toMatchObject({ source: 'server', code: 'unknown_type', message: 'unknown frame type "nope"' });
    expect(rec.errors[1]).toMatchObject({ source: 'protocol', code: 'invalid_frame' });
    expect(client.status).toBe('open');
  });

  it('closes for good when the server rejects the client (4401)', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const { client, rec } = h.client({ url: server.url });
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot' });
    const c = server.connections[0]!;
    server.send(c, { type: 'error', code: 'token_expired', message: 'token expired' });
    c.ws.close(4401, 'token expired');
    await waitFor(() => client.status === 'closed', { message: 'closed', saw: () => rec.states });
    expect(rec.states.at(-1)).toEqual({
      from: 'open',
      to: 'closed',
      reason: { code: 'server_rejected', closeCode: 4401, closeReason: 'token expired', errorCode: 'token_expired' },
    });
    expect(server.upgradeAttempts).toHaveLength(1);
  });

  it('sends the token on the socket URL and as a bearer header on REST', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const { client, rec } = h.client({ url: server.url, token: 's3cret' });
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot' });
    expect(server.connections[0]!.url).toBe('/ws/events?token=s3cret');
    await client.publish('custom.ping', { n: 1 });
    expect(server.restCalls[0]!.headers.authorization).toBe('Bearer s3cret');
  });

  it('calls every handler, keeps going when one throws, and stops calling unsubscribed ones', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const { client, rec } = h.client({ url: server.url });
    const calls: string[] = [];
    const offA = client.subscribe('task.*', (e) => calls.push(`a${e.seq}`));
    client.subscribe('task.*', () => {
      throw new Error('handler bug');
    });
    client.subscribe('*', (e) => calls.push(`star${e.seq}`));
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot' });
    server.append(task('t', 1));
    await waitFor(() => calls.length === 2, { message: 'two calls', saw: () => calls });
    offA();
    server.append(task('t', 2));
    await waitFor(() => client.cursor?.seq === 2, { message: 'cursor at 2' });
    expect(calls).toEqual(['a1', 'star1', 'star2']);
    expect(rec.errors.filter((e) => e.source === 'handler')).toHaveLength(2);
  });

  it('connects with no WebSocket option (the global one, else the ws package: Node 20 has none)', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const client = createClient({ url: server.url, pageTarget: null });
    const rec = record(client);
    try {
      await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot through ws fallback', saw: () => rec });
      expect(client.status).toBe('open');
    } finally {
      client.close();
    }
  });

  it('accepts a ws:// url with an explicit stream path', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const { rec } = h.client({ url: `ws://127.0.0.1:${server.port}/ws/events`, WebSocket: WebSocket as unknown as WebSocketConstructor });
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot' });
  });
});
