// The SDK against the real server (through testkit): publish and receive, a server restart on the same
// data dir, a burst compared with GET /api/snapshot, the polling fallback and tokens.

import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { selectState } from '@switchboard/projections';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { createClient, type ClientOptions, type SwitchboardClient, type WebSocketConstructor } from '../src/index';
import { fastBackoff, record, type Recorded } from './helpers/harness';
import { waitFor } from './helpers/wait';

const servers: TestServer[] = [];
const clients: SwitchboardClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function server(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const s = await startTestServer(overrides);
  servers.push(s);
  return s;
}

function client(options: ClientOptions): { client: SwitchboardClient; rec: Recorded } {
  const c = createClient({ WebSocket: WebSocket as unknown as WebSocketConstructor, backoff: fastBackoff, pageTarget: null, ...options, autoConnect: false });
  clients.push(c);
  const rec = record(c);
  c.connect();
  return { client: c, rec };
}

async function snapshotOf(url: string, topics: string[], token?: string) {
  const res = await fetch(`${url}/api/snapshot?topics=${encodeURIComponent(topics.join(','))}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { epoch: string; seq: number; state: Record<string, unknown> };
}

const session = (i: number) => ({ topic: 'session.created', data: { id: `s${i}`, name: `session ${i}`, target: 'claude' } });
const agent = (i: number) => ({ topic: 'agent.started', data: { id: `a${i}`, session_id: `s${i % 7}`, name: `agent ${i}` } });
const task = (i: number, percent: number) => ({ topic: 'task.progress', data: { id: `t${i % 13}`, kind: 'index', percent } });
const cost = (i: number) => ({
  topic: 'metrics.cost_updated',
  data: { session_id: `s${i % 7}`, cost_usd: 0.01, tokens_in: 10, tokens_out: 5, total_cost_usd: 0.01 * (i + 1) },
});

describe('SDK against the real server', () => {
  it('publishes and receives its own events, with state following', { timeout: 20_000 }, async () => {
    const s = await server();
    const { client: c, rec } = client({ url: s.url, topics: ['task.*', 'session.*'] });
    await waitFor(() => rec.snapshots.length === 1, { message: 'initial snapshot' });
    expect(rec.subscribed[0]).toMatchObject({ recovered: false });
    const got: Array<[number, string]> = [];
    c.subscribe('task.*', (e) => got.push([e.seq, e.topic]));

    const one = await c.publish('task.started', { id: 't1', kind: 'index', percent: 0 });
    expect(one).toEqual({ epoch: expect.any(String), seq: expect.any(Number), id: expect.any(String) });
    const many = await c.publish([
      { topic: 'task.progress', data: { id: 't1', kind: 'index', percent: 40 } },
      { topic: 'agent.started', data: { id: 'a', session_id: 's', name: 'n' } },
      { topic: 'task.completed', data: { id: 't1' } },
    ]);
    expect(many.seqs).toEqual([one.seq + 1, one.seq + 2, one.seq + 3]);
    await waitFor(() => c.cursor?.seq === one.seq + 3, { message: 'cursor at the last task event', timeoutMs: 5000 });
    expect(got).toEqual([
      [one.seq, 'task.started'],
      [one.seq + 1, 'task.progress'],
      [one.seq + 3, 'task.completed'],
    ]);
    expect(c.state.tasks.t1).toMatchObject({ status: 'completed', percent: 100 });
    expect(c.state.agents).toEqual({}); // agent.* is not subscribed

    const err = await c.publish('task.progress', { id: 't1', kind: 'index', percent: 900 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SwitchboardError', status: 400 });
  });

  it.each([
    ['over the socket', 1000],
    ['through the polling fallback', 1],
  ])('resumes %s through a server close and restart on the same data dir, no gap, no duplicate', { timeout: 30_000 }, async (_path, failuresBeforePolling) => {
    const first = await startTestServer();
    const { dataDir, port } = first;
    let second: TestServer | null = null;
    try {
      const { client: c, rec } = client({ url: first.url, topics: ['*'], random: () => 0, failuresBeforePolling, pollIntervalMs: 50 });
      await waitFor(() => rec.snapshots.length === 1, { message: 'initial snapshot' });
      const a = await c.publish([session(1), agent(1), task(1, 10)]);
      await waitFor(() => c.cursor?.seq === a.seqs.at(-1), { message: 'first batch applied' });

      await first.close({ keepData: true });
      // In the polling variant, let the fallback start against the stopped server before restarting it.
      const down = failuresBeforePolling === 1 ? ['polling'] : ['reconnecting'];
      await waitFor(() => down.includes(c.status), { message: `client ${down[0]}`, saw: () => rec.states });
      expect(rec.states.find((st) => st.from === 'open')!.reason).toMatchObject({ code: 'socket_dropped', closeCode: 1001 });

      second = await startTestServer({ dataDir, port });
      const b = await c.publish([task(1, 50), cost(1), session(2), task(2, 5)]);
      expect(b.epoch).toBe(a.epoch); // same log, same epoch
      await waitFor(() => c.status === 'open' && c.cursor?.seq === b.seqs.at(-1), {
        message: 'open again with the second batch',
        saw: () => ({ status: c.status, cursor: c.cursor, states: rec.states.map((x) => x.to) }),
        timeoutMs: 10_000,
      });

      const seqs = rec.events.map((e) => e.seq);
      expect(seqs).toEqual([...a.seqs, ...b.seqs]);
      expect(new Set(seqs).size).toBe(seqs.length);
      // Resumed from the cursor, never a second snapshot.
      expect(rec.snapshots).toHaveLength(1);
      expect(rec.subscribed.at(-1)).toMatchObject({ recovered: true });
      expect(rec.states.some((x) => x.to === 'polling')).toBe(failuresBeforePolling === 1);
      const snap = await snapshotOf(second.url, ['*']);
      expect(snap.seq).toBe(c.cursor!.seq);
      expect(selectState(c.state, ['*'])).toEqual(snap.state);
    } finally {
      for (const c of clients.splice(0)) c.close();
      await (second ?? first).close({ keepData: false }).catch(() => {});
      if (second) await import('node:fs').then((fs) => fs.rmSync(dataDir, { recursive: true, force: true }));
    }
  });

  it('takes a fresh snapshot when the server comes back with another log (new epoch)', { timeout: 30_000 }, async () => {
    const first = await startTestServer();
    const { client: c, rec } = client({ url: first.url, topics: ['task.*'], random: () => 0, failuresBeforePolling: 1000 });
    await waitFor(() => rec.snapshots.length === 1, { message: 'initial snapshot' });
    const a = await c.publish([task(1, 10), task(2, 20), task(3, 30)]);
    await waitFor(() => c.cursor?.seq === a.seqs.at(-1), { message: 'first log applied' });
    await first.close(); // data dir removed: the log is lost
    await waitFor(() => c.status === 'reconnecting', { message: 'reconnecting' });

    const second = await server({ port: first.port });
    const b = await c.publish('task.started', { id: 'fresh', kind: 'k', percent: 0 });
    expect(b.epoch).not.toBe(a.epoch);
    await waitFor(() => c.cursor?.epoch === b.epoch && c.cursor.seq === b.seq, { message: 'cursor in the new epoch', saw: () => c.cursor, timeoutMs: 10_000 });
    expect(rec.subscribed.at(-1)).toMatchObject({ recovered: false, epoch: b.epoch });
    expect(Object.keys(c.state.tasks)).toEqual(['fresh']);
    expect(selectState(c.state, ['task.*'])).toEqual((await snapshotOf(second.url, ['task.*'])).state);
  });

  it('holds exactly the server state after a burst', { timeout: 30_000 }, async () => {
    const s = await server();
    const topics = ['session.*', 'agent.*', 'task.*', 'metrics.*'];
    const { client: c, rec } = client({ url: s.url, topics });
    await waitFor(() => rec.snapshots.length === 1, { message: 'initial snapshot' });
    let last = 0;
    for (let batch = 0; batch < 10; batch++) {
      const events = Array.from({ length: 100 }, (_, k) => {
        const i = batch * 100 + k;
        return [session, agent, (n: number) => task(n, n % 101), cost][i % 4]!(i);
      });
      const { seqs } = await c.publish(events);
      last = seqs.at(-1)!;
    }
    await waitFor(() => c.cursor?.seq === last, { message: `cursor at ${last}`, saw: () => c.cursor, timeoutMs: 15_000 });
    expect(rec.events).toHaveLength(1000);
    const snap = await snapshotOf(s.url, topics);
    expect(snap.seq).toBe(last);
    expect(selectState(c.state, topics)).toEqual(snap.state);
  });

  it('polls the real server when sockets fail, then goes back to open', { timeout: 20_000 }, async () => {
    const s = await server();
    let socketsWork = false;
    // A WebSocket that reaches the server only once allowed: until then it dials a closed port.
    class Gate extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(socketsWork ? url : 'ws://127.0.0.1:1/ws/events', protocols);
      }
    }
    await fetch(`${s.url}/api/events`, { method: 'POST', body: JSON.stringify(task(1, 1)), headers: { 'content-type': 'application/json' } });
    const { client: c, rec } = client({
      url: s.url,
      topics: ['task.*'],
      WebSocket: Gate as unknown as WebSocketConstructor,
      random: () => 0,
      pollIntervalMs: 50,
    });
    await waitFor(() => c.status === 'polling' && rec.snapshots.length === 1, { message: 'polling with a snapshot', saw: () => rec });
    expect(rec.snapshots[0]).toMatchObject({ source: 'poll', seq: 1 });
    const { seqs } = await c.publish([task(1, 30), task(2, 60)]);
    await waitFor(() => c.cursor?.seq === seqs[1], { message: 'events through polling', saw: () => c.cursor });
    expect(rec.events.map((e) => e.seq)).toEqual(seqs);

    socketsWork = true;
    await waitFor(() => c.status === 'open' && rec.subscribed.length === 1, { message: 'open again', saw: () => rec.states, timeoutMs: 10_000 });
    expect(rec.subscribed[0]).toMatchObject({ recovered: true });
    const more = await c.publish('task.completed', { id: 't1' });
    await waitFor(() => c.cursor?.seq === more.seq, { message: 'live event over the socket' });
    expect(rec.events.map((e) => e.seq)).toEqual([...seqs, more.seq]);
    expect(selectState(c.state, ['task.*'])).toEqual((await snapshotOf(s.url, ['task.*'])).state);
  });

  it('keeps the socket through the server idle timeout by pinging, and reconnects when it does not', { timeout: 20_000 }, async () => {
    const s = await server({ idleTimeoutSeconds: 0.4 });
    const { client: pinger, rec: pingRec } = client({ url: s.url, pingIntervalMs: 100 });
    const { client: quiet, rec: quietRec } = client({ url: s.url, pingIntervalMs: 60_000, random: () => 0 });
    await waitFor(() => pingRec.snapshots.length === 1 && quietRec.snapshots.length === 1, { message: 'both subscribed' });
    // The quiet client is closed 1001 for idleness (docs/protocol.md#shared-websocket-rules) and comes back with a resume.
    await waitFor(() => quietRec.states.some((x) => x.reason.code === 'socket_dropped'), { message: 'quiet client dropped', saw: () => quietRec.states, timeoutMs: 5000 });
    expect(quietRec.states.find((x) => x.reason.code === 'socket_dropped')!.reason).toMatchObject({ closeCode: 1001 });
    await waitFor(() => quiet.status === 'open' && quietRec.subscribed.length >= 2, { message: 'quiet client back', saw: () => quietRec.states });
    expect(quietRec.subscribed[1]).toMatchObject({ recovered: true });
    // By then the pinging client has lived through the same idle window on its first socket.
    expect(pingRec.states.map((x) => x.to)).toEqual(['connecting', 'open']);
    expect(pinger.status).toBe('open');
  });

  it('uses the token on the socket and REST, and closes when the token is refused', { timeout: 20_000 }, async () => {
    const s = await server({ token: 'admin-secret' });
    const { client: ok, rec } = client({ url: s.url, token: 'admin-secret', topics: ['task.*'] });
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot with a token', saw: () => rec });
    const { seq } = await ok.publish('task.started', { id: 't', kind: 'k', percent: 0 });
    await waitFor(() => ok.cursor?.seq === seq, { message: 'event with a token' });

    const { client: bad, rec: badRec } = client({ url: s.url, token: 'wrong', random: () => 0, pollIntervalMs: 50 });
    await waitFor(() => bad.status === 'closed', { message: 'closed after 401', saw: () => badRec.states, timeoutMs: 10_000 });
    expect(badRec.states.at(-1)!.reason).toMatchObject({ code: 'poll_rejected', status: 401 });
    await expect(bad.publish('task.started', { id: 'x', kind: 'k', percent: 0 })).rejects.toMatchObject({ status: 401 });
  });
});
