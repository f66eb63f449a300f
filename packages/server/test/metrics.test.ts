// `GET /metrics` from the outside (docs/operations.md): every documented name with HELP and TYPE, counters that move
// by exactly what the test did, bounded labels (route patterns, "custom" families, close codes), the token rule,
// the separate --metrics-port listener, and no secret in a scrape after exercising the features that carry one.

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createLegacyToken as createToken } from '@switchboard/server';
import { connectRaw, startTestServer, waitFor, type RawClient, type TestServer } from '@switchboard/testkit';
import { parseScrape, scrape, type Scrape } from './support/prometheus';
import { rest } from './support/rest';

let srv: TestServer | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await srv?.close();
  srv = undefined;
});

async function start(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  srv = await startTestServer(overrides);
  return srv;
}

async function open(path: string): Promise<RawClient> {
  const c = await connectRaw(srv!.wsUrl + path);
  clients.push(c);
  return c;
}

const metricsOf = () => scrape(`${srv!.url}/metrics`);
const api = rest(() => srv!.url);

const REQUIRED: Array<[string, string]> = [
  ['switchboard_connections', 'gauge'],
  ['switchboard_events_appended_total', 'counter'],
  ['switchboard_log_seq', 'gauge'],
  ['switchboard_frames_sent_total', 'counter'],
  ['switchboard_frames_dropped_total', 'counter'],
  ['switchboard_lagged_snapshots_total', 'counter'],
  ['switchboard_resumes_total', 'counter'],
  ['switchboard_publish_to_send_seconds', 'histogram'],
  ['switchboard_client_freshness_seconds', 'histogram'],
  ['switchboard_http_requests_total', 'counter'],
  ['switchboard_http_request_duration_seconds', 'histogram'],
  ['switchboard_ws_closes_total', 'counter'],
  ['switchboard_instances', 'gauge'],
  ['switchboard_plan_runs_total', 'counter'],
  // prom-client's standard process and Node.js metrics.
  ['process_cpu_user_seconds_total', 'counter'],
  ['process_resident_memory_bytes', 'gauge'],
  ['nodejs_eventloop_lag_seconds', 'gauge'],
  ['nodejs_heap_size_used_bytes', 'gauge'],
];

describe('GET /metrics', () => {
  it('answers the Prometheus text format with HELP and TYPE for every documented metric, and the web page does not take the path', async () => {
    await start();
    const res = await fetch(`${srv!.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parseScrape(await res.text());
    for (const [name, type] of REQUIRED) {
      expect(m.type.get(name), name).toBe(type);
      expect(m.help.get(name)?.length ?? 0, `${name} HELP`).toBeGreaterThan(10);
    }
    // Labels exist before anything happened, so dashboards show zeros rather than gaps.
    for (const stream of ['events', 'agents', 'instances', 'instance_logs', 'messages', 'dashboard', 'sessions', 'plan']) {
      expect(m.value('switchboard_connections', { stream }), stream).toBe(0);
    }
    expect(m.value('switchboard_resumes_total', { recovered: 'true' })).toBe(0);
    expect(m.value('switchboard_resumes_total', { recovered: 'false' })).toBe(0);
    for (const status of ['stopped', 'starting', 'running', 'crashed']) expect(m.value('switchboard_instances', { status })).toBe(0);
    // Cluster metrics only in cluster mode (see cluster-ops.test.ts).
    expect(m.type.has('switchboard_cluster_nodes')).toBe(false);
    expect((await fetch(`${srv!.url}/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(405);
  });

  it('counts N appended events by family, N×K frames sent to K subscribers, connections and closes by code', async () => {
    await start();
    const K = 3;
    const N = 4;
    const subs = await Promise.all(Array.from({ length: K }, () => open('/ws/events?topics=agent.*,acme.*')));
    for (const c of subs) await c.next((f) => f.type === 'snapshot');
    const before = await metricsOf();
    expect(before.value('switchboard_connections', { stream: 'events' })).toBe(K);

    for (let i = 0; i < N; i++) expect((await api.post('/api/events', { topic: 'agent.started', data: { id: `a${i}`, session_id: 's1', name: 'x' } })).status).toBe(201);
    expect((await api.post('/api/events', { topic: 'acme.widget_made', data: { n: 1 } })).status).toBe(201);
    for (const c of subs) await c.collect((f) => f.type === 'agent.started' || f.type === 'acme.widget_made', N + 1);
    const after = await metricsOf();

    const delta = (m: Scrape, name: string, labels?: Record<string, string>) => (m.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);
    expect(delta(after, 'switchboard_events_appended_total', { family: 'agent' })).toBe(N);
    expect(delta(after, 'switchboard_events_appended_total', { family: 'custom' })).toBe(1);
    expect(after.value('switchboard_events_appended_total', { family: 'acme' })).toBeUndefined();
    expect(after.value('switchboard_log_seq')).toBe(N + 1);
    expect(delta(after, 'switchboard_frames_sent_total')).toBe((N + 1) * K);
    expect(delta(after, 'switchboard_frames_dropped_total')).toBe(0);
    expect(after.value('switchboard_publish_to_send_seconds_count')).toBeGreaterThanOrEqual(1);

    await subs[0]!.close(1000);
    subs[1]!.ws.close(3999); // a code of the client's own choosing
    await subs[1]!.closed;
    await waitFor(async () => (await metricsOf()).value('switchboard_connections', { stream: 'events' }) === K - 2);
    const closed = await metricsOf();
    expect(closed.value('switchboard_ws_closes_total', { code: '1000' })).toBe(1);
    expect(closed.value('switchboard_ws_closes_total', { code: 'other' })).toBe(1);
    expect(closed.text).not.toContain('code="3999"');
  });

  it('counts one resume of each kind and one lagged snapshot with the frames it dropped', async () => {
    await start({ maxQueueBytes: 64 * 1024 });
    await api.post('/api/events', { topic: 'custom.first', data: {} });
    const seed = await open('/ws/events?topics=custom.*');
    const snap = await seed.next((f) => f.type === 'snapshot');
    const resumed = await open(`/ws/events?topics=custom.*&since_epoch=${snap.epoch}&since_seq=0`);
    expect(await resumed.next((f) => f.type === 'subscribed')).toMatchObject({ recovered: true });
    const stale = await open('/ws/events?topics=custom.*&since_epoch=another-epoch&since_seq=3');
    expect(await stale.next((f) => f.type === 'subscribed')).toMatchObject({ recovered: false });
    let m = await metricsOf();
    expect(m.value('switchboard_resumes_total', { recovered: 'true' })).toBe(1);
    expect(m.value('switchboard_resumes_total', { recovered: 'false' })).toBe(1);

    const slow = await open('/ws/events?topics=task.*');
    await slow.next((f) => f.type === 'snapshot');
    const socket = (slow.ws as any)._socket;
    socket.pause();
    const pad = 'p'.repeat(2000);
    // Publish until the paused client's queue overflows (loopback buffers absorb a few MB first).
    for (let round = 0; round < 200; round++) {
      const batch = Array.from({ length: 50 }, (_, j) => ({ topic: 'task.progress', data: { id: `t${j % 5}`, kind: 'index', percent: j, message: pad } }));
      expect((await api.post('/api/events', batch)).status).toBe(201);
      if (((await metricsOf()).value('switchboard_frames_dropped_total') ?? 0) > 0) break;
    }
    expect((await metricsOf()).value('switchboard_frames_dropped_total')).toBeGreaterThan(0);
    socket.resume();
    await slow.next((f) => f.type === 'snapshot' && f.reason === 'lagged', 20_000);
    m = await metricsOf();
    expect(m.value('switchboard_lagged_snapshots_total')).toBe(1);
  }, 60_000);

  it('labels HTTP requests with the route pattern, never the raw path, and unmatched paths as "unmatched"', async () => {
    await start();
    const id = 'no-such-instance-7f3a9c';
    expect((await api.get(`/api/instances/${id}`)).status).toBe(404);
    expect((await api.get(`/api/nothing-here-${id}`)).status).toBe(404);
    expect((await api.get('/api/healthz')).status).toBe(200);
    const m = await metricsOf();
    expect(m.value('switchboard_http_requests_total', { method: 'GET', route: '/api/instances/:name', status: '404' })).toBe(1);
    expect(m.value('switchboard_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(m.value('switchboard_http_requests_total', { method: 'GET', route: '/api/healthz', status: '200' })).toBe(1);
    expect(m.value('switchboard_http_request_duration_seconds_count', { method: 'GET', route: '/api/healthz' })).toBe(1);
    expect(m.text).not.toContain(id);
  });

  it('keeps one "custom" series however many families producers invent', async () => {
    await start();
    const batch = Array.from({ length: 300 }, (_, i) => ({ topic: `fam${i}x.evt`, data: {} }));
    expect((await api.post('/api/events', batch)).status).toBe(201);
    const m = await metricsOf();
    expect(m.series('switchboard_events_appended_total')).toEqual([{ labels: '{family="custom"}', value: 300 }]);
    expect(m.text).not.toContain('fam1x');
  });

  it('counts instances by status and finished plan runs by status', async () => {
    await start({ stopGraceMs: 500 });
    expect((await api.post('/api/instances', { name: 'idle-one', command: 'sleep 30' })).status).toBe(201);
    expect((await metricsOf()).value('switchboard_instances', { status: 'stopped' })).toBe(1);
    const plan = await api.post('/api/plans', { name: 'quick', steps: [{ name: 'one', command: 'true' }] });
    expect(plan.status).toBe(201);
    await api.post(`/api/plans/${plan.body.id}/run`);
    await waitFor(async () => (await metricsOf()).value('switchboard_plan_runs_total', { status: 'completed' }) === 1, { timeoutMs: 10_000 });
    const bad = await api.post('/api/plans', { name: 'bad', steps: [{ name: 'one', command: 'exit 3' }] });
    await api.post(`/api/plans/${bad.body.id}/run`);
    await waitFor(async () => (await metricsOf()).value('switchboard_plan_runs_total', { status: 'failed' }) === 1, { timeoutMs: 10_000 });
  }, 30_000);

  it('needs a read token when --token is set, on the main port and on --metrics-port, and carries no secret', async () => {
    const SECRET = 'metrics-test-secret-5b1e';
    await start({ token: SECRET, metricsPort: 0, stopGraceMs: 500 });
    const read = createToken(SECRET, 'read', 60);
    const write = createToken(SECRET, 'write', 60);
    const metricsUrl = srv!.server.metricsUrl!;
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const base of [srv!.url, metricsUrl]) {
      const denied = await fetch(`${base}/metrics`);
      expect(denied.status).toBe(401);
      expect((await denied.json()).error.code).toBe('unauthorized');
      expect((await fetch(`${base}/metrics?token=wrong`)).status).toBe(401);
      expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${read}` } })).status).toBe(200);
    }
    expect((await fetch(`${metricsUrl}/api/healthz`)).status).toBe(404);

    // Exercise what carries secrets: an event payload, an instance env value, tokens in the query and the header.
    const payload = 'payload-secret-8c2d1f';
    const envValue = 'env-secret-41aa07';
    const auth = { authorization: `Bearer ${write}`, 'content-type': 'application/json' };
    expect((await fetch(`${srv!.url}/api/events`, { method: 'POST', headers: auth, body: JSON.stringify({ topic: 'custom.note', data: { text: payload } }) })).status).toBe(201);
    expect((await fetch(`${srv!.url}/api/instances`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'with-env', command: 'true', env: { API_KEY: envValue } }) })).status).toBe(201);
    expect((await fetch(`${srv!.url}/api/snapshot?token=${read}`)).status).toBe(200);
    const c = await connectRaw(`${srv!.wsUrl}/ws/events?topics=custom.*&token=${read}`);
    clients.push(c);
    await c.next((f) => f.type === 'snapshot');

    const text = await (await fetch(`${metricsUrl}/metrics?token=${read}`)).text();
    expect(parseScrape(text).value('switchboard_connections', { stream: 'events' })).toBe(1);
    for (const secret of [payload, envValue, SECRET, read, write, 'API_KEY']) expect(text).not.toContain(secret);
  });
});

describe('freshness frames', () => {
  it('a timed ping gets the server clock, a plain one the plain pong, and reports feed the histogram within bounds', async () => {
    await start();
    const c = await open('/ws/events?topics=custom.*');
    await c.next((f) => f.type === 'snapshot');
    c.send({ type: 'ping', t: 123.5 });
    const timed = await c.next((f) => f.type === 'pong');
    expect(timed).toEqual({ type: 'pong', t: 123.5, server_ts: expect.any(Number) });
    expect(Math.abs((timed.server_ts as number) - Date.now())).toBeLessThan(5000);
    c.send({ type: 'ping' });
    expect(await c.next((f) => f.type === 'pong')).toEqual({ type: 'pong' });
    c.send({ type: 'freshness', samples_ms: 'lots' });
    expect(await c.next((f) => f.type === 'error')).toMatchObject({ code: 'bad_request' });
    c.send({ type: 'freshness', samples_ms: [5, -1, 'x', 7_200_000, 15] });
    await waitFor(async () => (await metricsOf()).value('switchboard_client_freshness_seconds_count') === 2);
    expect((await metricsOf()).value('switchboard_client_freshness_seconds_sum')).toBeCloseTo(0.02, 6);
    c.send({ type: 'freshness', samples_ms: Array.from({ length: 1000 }, () => 1) });
    await waitFor(async () => (await metricsOf()).value('switchboard_client_freshness_seconds_count') === 2 + 256);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });
});

describe('the operations docs', () => {
  const root = new URL('../../../', import.meta.url);
  const CLUSTER = ['switchboard_cluster_lag_seconds', 'switchboard_cluster_nodes'];

  it('docs/operations.md lists every switchboard_ metric, and the Grafana dashboard queries only exported names', async () => {
    await start();
    const m = await metricsOf();
    const exported = new Set([...m.type.keys(), ...CLUSTER]);
    const own = [...exported].filter((n) => n.startsWith('switchboard_'));
    const doc = readFileSync(new URL('docs/operations.md', root), 'utf8');
    for (const name of own) expect(doc, name).toContain(`\`${name}\``);

    const dashboard = JSON.parse(readFileSync(new URL('docs/grafana-dashboard.json', root), 'utf8'));
    const exprs: string[] = dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr as string));
    const used = new Set(exprs.flatMap((e) => e.match(/\b(switchboard|nodejs|process)_[a-z0-9_]+/g) ?? []));
    for (const name of used) expect(exported.has(name.replace(/_(bucket|count|sum)$/, '')), name).toBe(true);
    for (const name of ['switchboard_connections', 'switchboard_events_appended_total', 'switchboard_client_freshness_seconds', 'switchboard_cluster_lag_seconds']) {
      expect(used.has(name) || used.has(`${name}_bucket`), name).toBe(true);
    }
  });
});
