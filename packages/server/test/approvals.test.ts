// Approvals end to end against a real server (docs/protocol.md, "Approvals"): ask → listed pending → decide → a second
// decision is 409 → long-poll and /ws/events waiters released → expiry → a restart keeps pending ones; the agents
// projection shows the wait; `agent.permission_requested` opens an approval; roles and topics with JWT tokens.

import { afterEach, describe, expect, it } from 'vitest';
import { mintToken } from '@switchboard/server';
import { connectRaw, makeTempDir, startTestServer, waitFor, type RawClient, type TestServer } from '@switchboard/testkit';
import { rmSync } from 'node:fs';
import { approvalServiceOf } from '../src/features/approvals';
import { rest } from './support/rest';

let srv: TestServer | undefined;
const clients: RawClient[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await srv?.close();
  srv = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const api = (token?: string) => rest(() => srv!.url, () => token);

async function ask(body: Record<string, unknown> = {}, token?: string): Promise<{ id: string; expires_at: string }> {
  const r = await api(token).post('/api/approvals', { tool: 'Bash', summary: 'npm test', ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

describe('approvals over REST', () => {
  it('asks, lists pending, decides once, and answers 409 to a second decision', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    const { id, expires_at } = await ask({ agent_id: 'a1', session_id: 's1', timeout_s: 60 });
    expect(id).toMatch(/^apr_[0-9a-f]{20}$/);
    expect(Date.parse(expires_at) - Date.now()).toBeGreaterThan(50_000);

    const pending = await api().get('/api/approvals?status=pending');
    expect(pending.body.approvals.map((a: any) => a.id)).toEqual([id]);
    expect(pending.body.approvals[0]).toMatchObject({ status: 'pending', tool: 'Bash', summary: 'npm test', agent_id: 'a1', session_id: 's1' });

    const decided = await api().post(`/api/approvals/${id}/decision`, { decision: 'deny', reason: 'not now' });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ id, status: 'decided', decision: 'deny', reason: 'not now', decided_by: 'local' });

    const again = await api().post(`/api/approvals/${id}/decision`, { decision: 'allow' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', decision: 'deny', decided_by: 'local' });

    expect((await api().get('/api/approvals?status=pending')).body.approvals).toEqual([]);
    expect((await api().get('/api/approvals?status=decided')).body.approvals.map((a: any) => a.id)).toEqual([id]);
    expect((await api().get(`/api/approvals/${id}`)).body.decision).toBe('deny');
    const events = (await api().get('/api/events?topics=approval.*')).body.events;
    expect(events.map((e: any) => e.topic)).toEqual(['approval.requested', 'approval.decided']);
  });

  it('lists pending ones longest-waiting first', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await ask({ summary: `step ${i}` })).id);
    await api().post(`/api/approvals/${ids[2]}/decision`, { decision: 'allow' });
    const pending = (await api().get('/api/approvals?status=pending')).body.approvals.map((a: any) => a.id);
    expect(pending).toEqual([ids[0], ids[1], ids[3], ids[4]]);
    expect((await api().get('/api/approvals?status=pending&limit=2')).body.approvals).toHaveLength(2);
  });

  it('refuses bad requests with the field named', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    const cases: Array<[unknown, string]> = [
      [{}, 'tool'],
      [{ tool: '' }, 'tool'],
      [{ tool: 'x'.repeat(300) }, 'tool'],
      [{ tool: 'Bash', timeout_s: 0 }, 'timeout_s'],
      [{ tool: 'Bash', timeout_s: 1.5 }, 'timeout_s'],
      [{ tool: 'Bash', timeout_s: 86_401 }, 'timeout_s'],
      [{ tool: 'Bash', agent_id: 5 }, 'agent_id'],
      [[1], 'body'],
    ];
    for (const [body, field] of cases) {
      const r = await api().post('/api/approvals', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'validation_failed', field });
    }
    const { id } = await ask();
    for (const [body, field] of [[{ decision: 'maybe' }, 'decision'], [{ decision: 'expired' }, 'decision'], [{ decision: 'allow', reason: 7 }, 'reason']] as const) {
      const r = await api().post(`/api/approvals/${id}/decision`, body);
      expect(r.body.error).toMatchObject({ code: 'validation_failed', field });
    }
    for (const path of ['/api/approvals/nope', '/api/approvals/__proto__', '/api/approvals/constructor/wait?timeout=0']) {
      const r = await api().get(path);
      expect(r.status, path).toBe(404);
      expect(r.body.error.code).toBe('approval_not_found');
    }
    expect((await api().post('/api/approvals/toString/decision', { decision: 'allow' })).body.error.code).toBe('approval_not_found');
    expect((await api().get(`/api/approvals/${id}/wait?timeout=61`)).body.error.field).toBe('timeout');
    expect((await api().get('/api/approvals?status=open')).body.error.field).toBe('status');
  });

  it('reserves approval.* for the server', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    const r = await api().post('/api/events', { topic: 'approval.decided', data: { id: 'x', decision: 'allow' } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('reserved_topic');
  });

  it('summarizes input without secrets and bounds the summary', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    const secretToken = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    const { id } = await ask({
      summary: undefined,
      input: { command: `curl -H "Authorization: Bearer abc.def-1234567890" https://u:hunter2@example.com?token=zzz && GITHUB_TOKEN=${secretToken} git push`, password: 'hunter2', content: 'x'.repeat(5000) },
    });
    const view = (await api().get(`/api/approvals/${id}`)).body;
    expect(view.summary.length).toBeLessThanOrEqual(300);
    expect(view.summary).toContain('command: curl');
    for (const secret of ['abc.def-1234567890', 'hunter2', 'zzz', secretToken]) expect(view.summary).not.toContain(secret);
    const events = JSON.stringify((await api().get('/api/events')).body);
    for (const secret of ['abc.def-1234567890', 'hunter2', secretToken]) expect(events).not.toContain(secret);
  });
});

describe('waiting for a decision', () => {
  it('releases a long-poll waiter as soon as the decision is made', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    const { id } = await ask();
    const started = Date.now();
    const waiting = api().get(`/api/approvals/${id}/wait?timeout=30`);
    await waitFor(() => approvalServiceOf(srv!.server.log)!.waiting === 1, { message: 'the long-poll to be waiting' });
    await api().post(`/api/approvals/${id}/decision`, { decision: 'allow' });
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id, status: 'decided', decision: 'allow', decided_by: 'local' });
    expect(Date.now() - started).toBeLessThan(10_000);
    // Decided already: answers at once.
    expect((await api().get(`/api/approvals/${id}/wait?timeout=30`)).body.decision).toBe('allow');
  });

  it('answers 200 pending when the wait times out, and 0 answers at once', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    const { id } = await ask();
    const started = Date.now();
    const r = await api().get(`/api/approvals/${id}/wait?timeout=1`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id, status: 'pending' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect((await api().get(`/api/approvals/${id}/wait?timeout=0`)).body.status).toBe('pending');
  });

  it('bounds the number of waiters and frees a slot when a client goes away', { timeout: 20_000 }, async () => {
    const { ApprovalService } = await import('../src/approvals/approval-service');
    srv = await startTestServer();
    const { id } = await ask();
    // A small service over the same log, so the bound is reached with a few requests.
    const small = new ApprovalService(srv.server.log, { maxWaiters: 2 });
    small.start();
    try {
      const one = small.wait(id, 30, null);
      const two = small.wait(id, 30, null);
      expect(() => small.wait(id, 30, null)).toThrowError(expect.objectContaining({ code: 'unavailable' }));
      expect(small.waiting).toBe(2);
      await api().post(`/api/approvals/${id}/decision`, { decision: 'deny' });
      expect((await one).decision).toBe('deny');
      expect((await two).decision).toBe('deny');
      expect(small.waiting).toBe(0);
    } finally {
      small.close();
    }
    // Over HTTP: an aborted long-poll frees its slot.
    const { id: other } = await ask();
    const service = approvalServiceOf(srv.server.log)!;
    const controller = new AbortController();
    const aborted = fetch(`${srv.url}/api/approvals/${other}/wait?timeout=30`, { signal: controller.signal }).catch(() => 'aborted');
    await waitFor(() => service.waiting === 1, { message: 'the long-poll to be waiting' });
    controller.abort();
    expect(await aborted).toBe('aborted');
    await waitFor(() => service.waiting === 0, { message: 'the aborted waiter to be gone' });
  });

  it('delivers the decision on /ws/events', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    const ws = await connectRaw(`${srv.wsUrl}/ws/events?topics=approval.*`);
    clients.push(ws);
    await ws.next((f) => f.type === 'subscribed');
    const { id } = await ask();
    const requested = await ws.next((f) => f.type === 'approval.requested');
    expect((requested.data as any).id).toBe(id);
    await api().post(`/api/approvals/${id}/decision`, { decision: 'allow', reason: 'fine' });
    const decided = await ws.next((f) => f.type === 'approval.decided');
    expect(decided.data).toMatchObject({ id, decision: 'allow', reason: 'fine', decided_by: 'local' });
  });
});

describe('expiry and restarts', () => {
  it('expires an approval after its timeout and releases its waiters', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    const { id } = await ask({ timeout_s: 1 });
    const { id: later } = await ask({ timeout_s: 60 });
    const waited = await api().get(`/api/approvals/${id}/wait?timeout=10`);
    expect(waited.body).toMatchObject({ id, status: 'decided', decision: 'expired', decided_by: 'server' });
    expect((await api().post(`/api/approvals/${id}/decision`, { decision: 'allow' })).status).toBe(409);
    expect((await api().get(`/api/approvals/${later}`)).body.status).toBe('pending');
  });

  it('keeps pending approvals across a restart, and their expiry still applies', { timeout: 20_000 }, async () => {
    const dataDir = makeTempDir();
    dirs.push(dataDir);
    srv = await startTestServer({ dataDir });
    const { id: long } = await ask({ timeout_s: 600 });
    const { id: short } = await ask({ timeout_s: 2 });
    const { id: done } = await ask();
    await api().post(`/api/approvals/${done}/decision`, { decision: 'allow' });
    await srv.close();
    srv = await startTestServer({ dataDir });
    const pending = (await api().get('/api/approvals?status=pending')).body.approvals.map((a: any) => a.id);
    expect(pending).toEqual([long, short]);
    expect((await api().get(`/api/approvals/${done}`)).body.decision).toBe('allow');
    await waitFor(async () => (await api().get(`/api/approvals/${short}`)).body.decision === 'expired', { timeoutMs: 8000, message: 'the short approval to expire after the restart' });
    expect((await api().post(`/api/approvals/${long}/decision`, { decision: 'deny' })).status).toBe(200);
  });

  it('expires at startup an approval whose time ran out while the server was down', { timeout: 20_000 }, async () => {
    const dataDir = makeTempDir();
    dirs.push(dataDir);
    srv = await startTestServer({ dataDir });
    const { id } = await ask({ timeout_s: 1 });
    await srv.close();
    await new Promise((r) => setTimeout(r, 1200)); // the expiry must pass while no server runs
    srv = await startTestServer({ dataDir });
    await waitFor(async () => (await api().get(`/api/approvals/${id}`)).body.decision === 'expired', { message: 'expiry at startup' });
  });
});

describe('agents and approvals', () => {
  it('opens an approval for agent.permission_requested, links it to the agent, and ends the wait on decision', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    await srv.server.publish([{ topic: 'agent.started', data: { id: 'a1', session_id: 's1', name: 'coder' } }]);
    const published = await api().post('/api/events', { topic: 'agent.permission_requested', data: { id: 'a1', tool: 'Write', detail: { file_path: 'src/a.ts', api_key: 'sk-should-not-appear-anywhere-123' } } });
    expect(published.status).toBe(201);
    expect(typeof published.body.seq).toBe('number');
    const [approval] = (await api().get('/api/approvals?status=pending')).body.approvals;
    expect(approval).toMatchObject({ tool: 'Write', agent_id: 'a1', session_id: 's1' });
    expect(approval.summary).toContain('file_path: src/a.ts');
    expect(approval.summary).not.toContain('sk-should-not');
    let agent = (await api().get('/api/snapshot?topics=agent.*')).body.state.agents.a1;
    expect(agent).toMatchObject({ status: 'waiting_permission', approval_id: approval.id });
    const stored = (await api().get('/api/events?topics=agent.permission_requested')).body.events[0];
    expect(stored.data.approval_id).toBe(approval.id);

    await api().post(`/api/approvals/${approval.id}/decision`, { decision: 'allow' });
    agent = (await api().get('/api/snapshot?topics=agent.*')).body.state.agents.a1;
    expect(agent.status).toBe('running');
    expect(agent.approval_id).toBeUndefined();
  });

  it('keeps a given approval_id, and a batch answers only the producer seqs', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    const { id } = await ask({ agent_id: 'a2' });
    const batch = await api().post('/api/events', [
      { topic: 'agent.started', data: { id: 'a2', session_id: 's1', name: 'x' } },
      { topic: 'agent.permission_requested', data: { id: 'a2', approval_id: id } },
      { topic: 'agent.started', data: { id: 'a3', session_id: 's1', name: 'y' } },
      { topic: 'agent.permission_requested', data: { id: 'a3' } },
    ]);
    expect(batch.body.seqs).toHaveLength(4);
    const pending = (await api().get('/api/approvals?status=pending')).body.approvals;
    expect(pending.map((a: any) => a.agent_id)).toEqual(['a2', 'a3']);
    const agents = (await api().get('/api/snapshot?topics=agent.*')).body.state.agents;
    expect(agents.a2).toMatchObject({ status: 'waiting_permission', approval_id: id });
    expect(agents.a3).toMatchObject({ status: 'waiting_permission', approval_id: pending[1].id });
  });

  it('takes the expiry of an agent.permission_requested from its timeout_s', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    await srv.server.publish([
      { topic: 'agent.started', data: { id: 'a1', session_id: 's1', name: 'x' } },
      { topic: 'agent.permission_requested', data: { id: 'a1', tool: 'Bash', timeout_s: 1 } },
      { topic: 'agent.started', data: { id: 'a2', session_id: 's1', name: 'y' } },
      { topic: 'agent.permission_requested', data: { id: 'a2', tool: 'Bash', timeout_s: 'soon' } },
    ]);
    const [short, long] = (await api().get('/api/approvals?status=pending')).body.approvals;
    expect(Date.parse(short.expires_at) - Date.parse(short.requested_at)).toBe(1000);
    expect(Date.parse(long.expires_at) - Date.parse(long.requested_at)).toBe(600_000);
    await waitFor(async () => (await api().get(`/api/approvals/${short.id}`)).body.decision === 'expired', { message: 'the 1 s approval to expire' });
    expect((await api().get('/api/snapshot?topics=agent.*')).body.state.agents.a1.status).toBe('running');
  });

  it('an approval asked over REST for a known agent makes it wait', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    await srv.server.publish([{ topic: 'agent.started', data: { id: 'a1', session_id: 's1', name: 'coder' } }]);
    const { id } = await ask({ agent_id: 'a1' });
    expect((await api().get('/api/snapshot?topics=agent.*')).body.state.agents.a1).toMatchObject({ status: 'waiting_permission', approval_id: id });
  });
});

describe('roles and topics with JWT tokens', () => {
  const SECRET = 'approvals-secret';
  it('read may list and wait but not ask or decide; publish may; topics need approval.*', { timeout: 20_000 }, async () => {
    srv = await startTestServer({ token: SECRET });
    const read = await mintToken(SECRET, { role: 'read', ttlSeconds: 300, sub: 'viewer' });
    const publish = await mintToken(SECRET, { role: 'publish', ttlSeconds: 300, sub: 'alice' });
    const narrow = await mintToken(SECRET, { role: 'publish', ttlSeconds: 300, sub: 'bob', topics: ['agent.*'] });
    const scoped = await mintToken(SECRET, { role: 'publish', ttlSeconds: 300, sub: 'carol', topics: ['approval.*'] });

    expect((await api(read).post('/api/approvals', { tool: 'Bash' })).status).toBe(403);
    expect((await api(narrow).post('/api/approvals', { tool: 'Bash' })).status).toBe(403);
    const { id } = await ask({}, publish);
    expect((await api(read).get('/api/approvals?status=pending')).body.approvals).toHaveLength(1);
    expect((await api(read).get(`/api/approvals/${id}/wait?timeout=0`)).status).toBe(200);
    expect((await api(narrow).get(`/api/approvals/${id}`)).status).toBe(403);

    const refused = await api(read).post(`/api/approvals/${id}/decision`, { decision: 'allow' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await api(read).get(`/api/approvals/${id}`)).body.status).toBe('pending');

    const ok = await api(scoped).post(`/api/approvals/${id}/decision`, { decision: 'allow' });
    expect(ok.status).toBe(200);
    expect(ok.body.decided_by).toBe('carol');
    expect((await api().get('/api/approvals')).status).toBe(401);
  });
});
