// The plan-stream contract's test list (tests/test_dashboard_websocket.py), each case against the real server: `/ws/{session_id}`,
// real plans run as child processes, and the polling fallback. The manager's bookkeeping is observed through
// `GET /api/dashboard/plan-subscriptions`.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { connectRaw, makeTempDir, startTestServer, waitFor, type Frame, type RawClient, type TestServer } from '@switchboard/testkit';
import { MAX_PLANS_PER_CONNECTION } from '../src/streams/plans';
import { rest } from './support/rest';

let srv: TestServer;
const clients: RawClient[] = [];
const api = rest(() => srv.url);

async function open(path: string): Promise<RawClient> {
  const c = await connectRaw(srv.wsUrl + path);
  clients.push(c);
  return c;
}

/** Ping and wait for the pong: every frame the server queued before it has arrived. */
async function barrier(c: RawClient): Promise<void> {
  const before = c.frames.filter((f) => f.type === 'pong').length;
  c.send({ type: 'ping' });
  await c.collect((f) => f.type === 'pong', before + 1);
}

/** Subscribe and wait for the answer: `subscribed`, then the plan's `plan_state`. */
async function subscribe(c: RawClient, planId: string): Promise<void> {
  c.send({ type: 'subscribe', plan_id: planId });
  await c.collect((f) => f.type === 'plan_state' && f.plan_id === planId, 1);
}

/** Not the answers to (un)subscribing. */
const notAnswer = (f: Frame) => f.type !== 'subscribed' && f.type !== 'unsubscribed' && f.type !== 'plan_state';

async function createPlan(steps: Array<{ name: string; command: string }> = [{ name: 'hello', command: 'echo hello' }]): Promise<string> {
  const res = await api.post('/api/plans', { name: 'test plan', steps });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function runToEnd(c: RawClient, planId: string): Promise<Frame> {
  expect((await api.post(`/api/plans/${planId}/run`)).status).toBe(200);
  return c.next((f) => (f.type === 'plan_completed' || f.type === 'plan_failed') && f.plan_id === planId, 10_000);
}

const stats = async () => (await api.get('/api/dashboard/plan-subscriptions')).body as {
  connections: number;
  sessions: Record<string, number>;
  plans: Record<string, number>;
};

const ofPlan = (c: RawClient, planId: string) => c.frames.filter((f) => f.plan_id === planId && notAnswer(f));

/** An upgrade request as written (no client-side normalisation), and the refusal's status and JSON body. */
function refusal(path: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: srv.port, path,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      reject(new Error(`${path} was upgraded`));
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeEach(async () => {
  srv = await startTestServer();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await srv.close();
});

describe('TestWebSocketManager', () => {
  it('test_connect_registers_session: a connection is stored under its session id', async () => {
    await open('/ws/session-alpha');
    await waitFor(async () => (await stats()).sessions['session-alpha'] === 1, { message: 'session-alpha registered' });
    expect((await stats()).connections).toBe(1);
  });

  it('test_disconnect_cleans_up: closing removes the session and every subscription', async () => {
    const c = await open('/ws/session-alpha');
    await subscribe(c, 'plan-a');
    await subscribe(c, 'plan-b');
    expect(await stats()).toEqual({ connections: 1, sessions: { 'session-alpha': 1 }, plans: { 'plan-a': 1, 'plan-b': 1 } });
    await c.close();
    await waitFor(async () => (await stats()).connections === 0, { message: 'connection removed' });
    expect(await stats()).toEqual({ connections: 0, sessions: {}, plans: {} });
  });

  it('test_subscribe_to_plan: the subscription is tracked', async () => {
    const planId = await createPlan();
    const c = await open('/ws/s1');
    await subscribe(c, planId);
    expect((await stats()).plans).toEqual({ [planId]: 1 });
  });

  it('test_unsubscribe_from_plan: the subscription is removed', async () => {
    const planId = await createPlan();
    const c = await open('/ws/s1');
    await subscribe(c, planId);
    c.send({ type: 'unsubscribe', plan_id: planId });
    await c.next((f) => f.type === 'unsubscribed');
    expect((await stats()).plans).toEqual({});
  });

  it('test_broadcast_to_plan_sends_to_subscribers: every subscriber receives the plan frames, others none', async () => {
    const planId = await createPlan();
    const a = await open('/ws/s-a');
    const b = await open('/ws/s-b');
    const other = await open('/ws/s-other');
    await subscribe(a, planId);
    await subscribe(b, planId);
    await runToEnd(a, planId);
    await b.next((f) => f.type === 'plan_completed');
    await barrier(other);
    const types = (c: RawClient) => ofPlan(c, planId).map((f) => `${f.type}:${f.status ?? ''}`);
    expect(types(a)).toEqual(['step_status:running', 'step_output:', 'step_status:completed', 'plan_completed:']);
    expect(types(b)).toEqual(types(a));
    expect(other.frames.filter((f) => f.type !== 'pong')).toEqual([]);
  });

  it('test_broadcast_skips_dead_connections: a dead subscriber is dropped and the live ones still get every frame', async () => {
    await srv.close();
    // Short enough to reap the dead ones quickly, long enough that the live client (in this busy process) always
    // answers in time on a loaded machine.
    srv = await startTestServer({ pingIntervalMs: 500 });
    const planId = await createPlan();
    const live = await open('/ws/live');
    const destroyed = await open('/ws/destroyed');
    const silent = await open('/ws/silent');
    for (const c of [live, destroyed, silent]) await subscribe(c, planId);
    expect((await stats()).plans[planId]).toBe(3);
    // One peer vanishes without a close frame; another stops answering (its TCP socket stays open but unread).
    (destroyed.ws as any)._socket.destroy();
    (silent.ws as any)._socket.pause();
    await waitFor(async () => (await stats()).plans[planId] === 1, { message: 'dead subscribers dropped', timeoutMs: 5000 });
    const end = await runToEnd(live, planId);
    expect(end.type).toBe('plan_completed');
    expect(await stats()).toMatchObject({ connections: 1, sessions: { live: 1 } });
    silent.ws.terminate(); // its paused socket would never see a close handshake
  });

  it('test_send_to_session: a direct message reaches that session only, with a timestamp', async () => {
    const target = await open('/ws/target-session');
    const other = await open('/ws/other-session');
    await waitFor(async () => (await stats()).connections === 2);
    const res = await api.post('/api/dashboard/sessions/target-session/send', { type: 'notice', text: 'hello' });
    expect(res.body).toEqual({ session_id: 'target-session', delivered: 1 });
    expect(await target.next()).toEqual({ type: 'notice', text: 'hello', timestamp: expect.any(String) });
    await barrier(other);
    expect(other.frames.map((f) => f.type)).toEqual(['pong']);
    expect((await api.post('/api/dashboard/sessions/nobody/send', { type: 'notice' })).body).toEqual({ session_id: 'nobody', delivered: 0 });
    expect((await api.post('/api/dashboard/sessions/nobody/send', { text: 'no type' })).body.error).toMatchObject({ field: 'type' });
  });

  it('test_get_subscriber_count: the count follows subscribes, unsubscribes and disconnects', async () => {
    const [p1, p2] = [await createPlan(), await createPlan()];
    const cs = [await open('/ws/a'), await open('/ws/b'), await open('/ws/c')];
    for (const c of cs) await subscribe(c, p1);
    await subscribe(cs[0]!, p2);
    expect((await stats()).plans).toEqual({ [p1]: 3, [p2]: 1 });
    cs[1]!.send({ type: 'unsubscribe', plan_id: p1 });
    await cs[1]!.next((f) => f.type === 'unsubscribed');
    await cs[0]!.close();
    await waitFor(async () => JSON.stringify((await stats()).plans) === JSON.stringify({ [p1]: 1 }), { message: 'counts after leave' });
  });
});

describe('TestWebSocketEndpoint', () => {
  it('test_connect_accept: any single-segment id not taken by another stream is accepted', async () => {
    const c = await open('/ws/my-session');
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    await barrier(c);
    // Named streams keep their own handlers: /ws/events answers its own protocol.
    const events = await open('/ws/events');
    events.send({ type: 'subscribe', topics: ['plan.*'] });
    expect(await events.next()).toMatchObject({ type: 'subscribed', topics: ['plan.*'] });
  });

  it('test_subscribe_message: subscribe is answered exactly with subscribed', async () => {
    const c = await open('/ws/s1');
    c.send({ type: 'subscribe', plan_id: 'plan-xyz' });
    expect(await c.next()).toEqual({ type: 'subscribed', plan_id: 'plan-xyz' });
  });

  it('test_unsubscribe_message: unsubscribe is answered exactly and stops the frames', async () => {
    const planId = await createPlan();
    const c = await open('/ws/s1');
    const watcher = await open('/ws/s2');
    await subscribe(c, planId);
    await subscribe(watcher, planId);
    c.send({ type: 'unsubscribe', plan_id: planId });
    expect(await c.next((f) => f.type !== 'subscribed' && f.type !== 'plan_state')).toEqual({ type: 'unsubscribed', plan_id: planId });
    await runToEnd(watcher, planId);
    await barrier(c);
    expect(ofPlan(c, planId)).toEqual([]);
  });

  it('test_ping_pong: ping is answered with pong', async () => {
    const c = await open('/ws/s1');
    c.send({ type: 'ping' });
    expect(await c.next()).toEqual({ type: 'pong' });
  });

  it('test_unknown_message_returns_error: an unknown type gets an error frame and the connection stays', async () => {
    const c = await open('/ws/s1');
    c.send({ type: 'execute_everything' });
    const err = await c.next();
    expect(err).toEqual({ type: 'error', code: 'unknown_type', message: expect.stringContaining('execute_everything') });
    c.send({ type: 'subscribe' });
    expect(await c.next()).toMatchObject({ type: 'error', code: 'validation_failed', message: expect.stringContaining('plan_id') });
    await barrier(c);
  });

  it('answers subscribe with the plan state, and a late subscriber then sees only what follows it', async () => {
    const planId = await createPlan([
      { name: 'first', command: 'echo one' },
      { name: 'second', command: 'echo two-a; while [ ! -e go ]; do sleep 0.02; done; echo two-b' },
      { name: 'third', command: 'echo three' },
    ]);
    const early = await open('/ws/early');
    early.send({ type: 'subscribe', plan_id: planId });
    expect(await early.next()).toEqual({ type: 'subscribed', plan_id: planId });
    const pending = await early.next();
    expect(pending).toMatchObject({ type: 'plan_state', plan_id: planId, name: 'test plan', status: 'pending', error: null, summary: null, timestamp: expect.any(String) });
    expect((pending.steps as any[]).map((st) => [st.step_index, st.step_name, st.status, st.output])).toEqual([
      [0, 'first', 'pending', ''], [1, 'second', 'pending', ''], [2, 'third', 'pending', ''],
    ]);

    const cwd = makeTempDir();
    try {
      const { body: plan } = await api.post('/api/plans', { name: 'gated', cwd, steps: [{ name: 'first', command: 'echo one' }, { name: 'second', command: 'echo two-a; while [ ! -e go ]; do sleep 0.02; done; echo two-b' }] });
      await subscribe(early, plan.id);
      expect((await api.post(`/api/plans/${plan.id}/run`)).status).toBe(200);
      await early.next((f) => f.plan_id === plan.id && f.type === 'step_output' && f.output === 'two-a\n', 10_000);

      // Mid-run: the state has the first step done with its output and the second running with what it printed.
      const late = await open('/ws/late');
      late.send({ type: 'subscribe', plan_id: plan.id });
      expect(await late.next()).toEqual({ type: 'subscribed', plan_id: plan.id });
      const state = await late.next();
      expect(state).toMatchObject({ type: 'plan_state', status: 'running' });
      expect((state.steps as any[]).map((st) => [st.status, st.output])).toEqual([['completed', 'one\n'], ['running', 'two-a\n']]);
      expect((state.steps as any[])[0].finished_at).toEqual(expect.any(String));

      writeFileSync(join(cwd, 'go'), '');
      await late.next((f) => f.plan_id === plan.id && f.type === 'plan_completed', 10_000);
      // Nothing the state already held came again: only the rest of step 1, then the end.
      const after = ofPlan(late, plan.id).map((f) => (f.type === 'step_status' ? `${f.step_index}:${f.status}` : f.type === 'step_output' ? `${f.step_index}>${f.output}` : f.type));
      expect(after).toEqual(['1>two-b\n', '1:completed', 'plan_completed']);

      // After the end: the final state, and no frame follows it.
      const last = await open('/ws/last');
      last.send({ type: 'subscribe', plan_id: plan.id });
      const final = await last.next((f) => f.type === 'plan_state');
      expect(final).toMatchObject({ status: 'completed', summary: { total_steps: 2, completed_steps: 2 } });
      expect((final.steps as any[]).map((st) => st.output)).toEqual(['one\n', 'two-a\ntwo-b\n']);
      await barrier(last);
      expect(ofPlan(last, plan.id)).toEqual([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 20_000);

  it('answers a subscribe to an unknown plan with an empty state', async () => {
    const c = await open('/ws/s1');
    c.send({ type: 'subscribe', plan_id: 'plan-nope' });
    await c.next((f) => f.type === 'subscribed');
    expect(await c.next()).toEqual({ type: 'plan_state', plan_id: 'plan-nope', name: null, status: null, steps: [], error: null, summary: null, timestamp: expect.any(String) });
  });

  it('does not take the names of other streams, and refuses what cannot be a session id', async () => {
    // Registered streams keep their own handlers: the instances stream answers with its snapshot, not a plan stream.
    const inst = await open('/ws/instances');
    expect(await inst.next()).toMatchObject({ type: 'snapshot', instances: [] });
    // Names of streams in another case, and names kept for streams, are no session: 404 like any unknown endpoint.
    for (const path of ['/ws/Instances', '/ws/EVENTS', '/ws/plans', '/ws/workspaces', '/ws/logs', '/ws/metrics']) {
      const r = await refusal(path);
      expect(r.status, path).toBe(404);
      expect(r.body.error.code, path).toBe('not_found');
    }
    // `%2e%2e` is `..` to the URL parser: that upgrade asks for `/`, which is no endpoint at all.
    expect((await refusal('/ws/%2e%2e')).status).toBe(404);
    for (const path of ['/ws/has%20space', '/ws/-leading', `/ws/${'a'.repeat(129)}`, '/ws/caf%C3%A9', '/ws/a%2Fb', '/ws/.hidden']) {
      const r = await refusal(path);
      expect(r.status, path).toBe(400);
      expect(r.body.error, path).toMatchObject({ code: 'validation_failed', field: 'session_id' });
    }
    expect((await stats()).connections).toBe(0);
    // The longest and the odd-but-valid ids still work.
    for (const id of ['a'.repeat(128), 'dashboard-1a2b.c_d~e', 'S1']) {
      const c = await open(`/ws/${id}`);
      await subscribe(c, 'p');
    }
    expect(Object.keys((await stats()).sessions).sort()).toEqual(['S1', 'a'.repeat(128), 'dashboard-1a2b.c_d~e'].sort());
  });

  it('limits how many plans one connection follows', async () => {
    const c = await open('/ws/greedy');
    for (let i = 0; i < MAX_PLANS_PER_CONNECTION; i++) c.send({ type: 'subscribe', plan_id: `p${i}` });
    await c.collect((f) => f.type === 'subscribed', MAX_PLANS_PER_CONNECTION);
    c.send({ type: 'subscribe', plan_id: 'one-too-many' });
    expect(await c.next((f) => f.type !== 'subscribed' && f.type !== 'plan_state')).toMatchObject({ type: 'error', code: 'too_many_requests' });
    c.send({ type: 'subscribe', plan_id: 'p0' }); // already followed: fine
    expect(await c.next()).toEqual({ type: 'subscribed', plan_id: 'p0' });
    expect(await c.next()).toMatchObject({ type: 'plan_state', plan_id: 'p0', status: null, steps: [] });
  });

  it('test_disconnect_cleanup: resources are freed on close, including for peers that died silently', async () => {
    await srv.close();
    srv = await startTestServer({ pingIntervalMs: 100 });
    const c = await open('/ws/closing');
    await subscribe(c, 'p');
    await c.close();
    await waitFor(async () => (await stats()).connections === 0, { message: 'closed connection freed' });
    const dead = await open('/ws/dead');
    await subscribe(dead, 'p');
    (dead.ws as any)._socket.pause();
    await waitFor(async () => (await stats()).connections === 0, { message: 'dead peer reaped by protocol pings' });
    expect(await stats()).toEqual({ connections: 0, sessions: {}, plans: {} });
    dead.ws.terminate(); // its paused socket would never see a close handshake
  });
});

describe('TestBroadcastHelpers', () => {
  it('test_broadcast_step_update: step_status frames carry exactly the seed fields', async () => {
    const planId = await createPlan([{ name: 'greet', command: 'echo hi' }]);
    const c = await open('/ws/s1');
    await subscribe(c, planId);
    await runToEnd(c, planId);
    const statuses = c.frames.filter((f) => f.type === 'step_status');
    expect(statuses).toEqual([
      { type: 'step_status', step_index: 0, step_name: 'greet', status: 'running', output: null, error: null, plan_id: planId, timestamp: expect.any(String) },
      { type: 'step_status', step_index: 0, step_name: 'greet', status: 'completed', output: 'hi\n', error: null, plan_id: planId, timestamp: expect.any(String) },
    ]);
    expect(Number.isNaN(Date.parse(statuses[0]!.timestamp as string))).toBe(false);
  });

  it('test_broadcast_step_output: output arrives in chunks as the command prints it', async () => {
    const planId = await createPlan([{ name: 'talk', command: "printf 'first\\n'; sleep 0.4; printf 'second\\n'" }]);
    const c = await open('/ws/s1');
    await subscribe(c, planId);
    expect((await api.post(`/api/plans/${planId}/run`)).status).toBe(200);
    const first = await c.next((f) => f.type === 'step_output');
    expect(first).toEqual({ type: 'step_output', step_index: 0, output: 'first\n', plan_id: planId, timestamp: expect.any(String) });
    // The first chunk is out while the step still runs.
    expect((await api.get(`/api/plans/${planId}`)).body.steps[0].status).toBe('running');
    expect(await c.next((f) => f.type === 'step_output')).toMatchObject({ output: 'second\n', step_index: 0 });
    await c.next((f) => f.type === 'plan_completed');
  });

  it('test_broadcast_plan_completed: the completion frame carries a summary', async () => {
    const planId = await createPlan([{ name: 'a', command: 'true' }, { name: 'b', command: 'true' }]);
    const c = await open('/ws/s1');
    await subscribe(c, planId);
    expect(await runToEnd(c, planId)).toEqual({
      type: 'plan_completed',
      summary: { total_steps: 2, completed_steps: 2, duration_ms: expect.any(Number) },
      plan_id: planId,
      timestamp: expect.any(String),
    });
  });

  it('test_broadcast_plan_failed: the failure frame includes the error', async () => {
    const planId = await createPlan([{ name: 'breaks', command: 'echo nope >&2; exit 3' }]);
    const c = await open('/ws/s1');
    await subscribe(c, planId);
    expect(await runToEnd(c, planId)).toEqual({
      type: 'plan_failed',
      error: 'step 1 "breaks" failed: exit code 3',
      plan_id: planId,
      timestamp: expect.any(String),
    });
    expect(c.frames.find((f) => f.type === 'step_status' && f.status === 'failed')).toMatchObject({ error: 'exit code 3', output: 'nope\n' });
  });
});

describe('TestPollingFallback', () => {
  it('test_poll_returns_current_state: the poll answers the steps, overall status and last update, live', async () => {
    const planId = await createPlan([{ name: 'wait', command: 'sleep 30' }, { name: 'after', command: 'true' }]);
    const pending = await api.get(`/api/dashboard/plan/${planId}/poll`);
    expect(pending.body).toEqual({
      steps: [
        { step_index: 0, step_name: 'wait', status: 'pending', output: '', error: null, started_at: null, finished_at: null },
        { step_index: 1, step_name: 'after', status: 'pending', output: '', error: null, started_at: null, finished_at: null },
      ],
      overall_status: 'pending',
      last_update: expect.any(String),
    });
    await api.post(`/api/plans/${planId}/run`);
    const running = (await api.get(`/api/dashboard/plan/${planId}/poll`)).body;
    expect(running.overall_status).toBe('running');
    expect(running.steps.map((s: any) => s.status)).toEqual(['running', 'pending']);
    await api.post(`/api/plans/${planId}/cancel`);
    const done = (await api.get(`/api/dashboard/plan/${planId}/poll`)).body;
    expect(done.overall_status).toBe('cancelled');
    expect(done.steps.map((s: any) => s.status)).toEqual(['failed', 'skipped']);
    expect(Date.parse(done.last_update)).toBeGreaterThanOrEqual(Date.parse(running.last_update));
  });

  it('test_poll_includes_interval_header: X-Poll-Interval is 2', async () => {
    const planId = await createPlan();
    const res = await api.get(`/api/dashboard/plan/${planId}/poll`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-poll-interval')).toBe('2');
  });

  it('test_poll_without_websocket: a plan runs to completion and is followed by polling alone', async () => {
    const planId = await createPlan([{ name: 'one', command: 'echo 1' }, { name: 'two', command: 'echo 2' }]);
    expect((await stats()).connections).toBe(0);
    await api.post(`/api/plans/${planId}/run`);
    const done = await waitFor(async () => {
      const body = (await api.get(`/api/dashboard/plan/${planId}/poll`)).body;
      return body.overall_status === 'completed' ? body : undefined;
    }, { message: 'plan completed by polling', timeoutMs: 10_000 });
    expect(done.steps.map((s: any) => [s.status, s.output])).toEqual([['completed', '1\n'], ['completed', '2\n']]);
    const missing = await api.get('/api/dashboard/plan/plan-missing/poll');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('plan_not_found');
  });
});
