import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@switchboard/testkit';

let srv: TestServer;
beforeEach(async () => {
  srv = await startTestServer();
});
afterEach(async () => {
  await srv.close();
});

function post(body: string | unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${srv.url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
const json = (r: Response) => r.json() as Promise<any>;

describe('POST /api/events', () => {
  it('appends one event and answers 201 {epoch, seq, id}', async () => {
    const r = await post({ topic: 'custom.hello', data: { a: 1 } });
    expect(r.status).toBe(201);
    const b = await json(r);
    expect(b).toMatchObject({ seq: 1 });
    expect(typeof b.epoch).toBe('string');
    expect(typeof b.id).toBe('string');
  });

  it('appends an array atomically and answers {epoch, seqs}', async () => {
    const r = await post([
      { topic: 'custom.a', data: {} },
      { topic: 'custom.b', data: {} },
    ]);
    expect(r.status).toBe(201);
    expect((await json(r)).seqs).toEqual([1, 2]);
    // One bad event rejects the whole array and appends nothing.
    const bad = await post([
      { topic: 'custom.c', data: {} },
      { topic: 'task.progress', data: { id: 't', kind: 'k', percent: 150 } },
    ]);
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.field).toBe('[1].data.percent');
    const poll = await json(await fetch(`${srv.url}/api/events?since=0`));
    expect(poll.events.map((e: any) => e.topic)).toEqual(['custom.a', 'custom.b']);
  });

  it.each([
    [{ topic: 'agent.started', data: { id: 'a', session_id: 's' } }, 'data.name'],
    [{ topic: 'task.progress', data: { id: 't', kind: 'k', percent: 'half' } }, 'data.percent'],
    [{ topic: 'search.completed', data: { id: 's', query: 'q', results: -1 } }, 'data.results'],
    [{ topic: 'metrics.cost_updated', data: { cost_usd: 1, tokens_in: 1, tokens_out: 1 } }, 'data.total_cost_usd'],
    [{ topic: 'bad topic!', data: {} }, 'topic'],
    [{ data: {} }, 'topic'],
    [{ topic: 'instance.created', data: { name: 'x' } }, 'topic'],
  ])('rejects %j with 400 naming %s', async (body, field) => {
    const r = await post(body);
    expect(r.status).toBe(400);
    const b = await json(r);
    expect(b.error.field).toBe(field);
    expect(b.error.message).toContain(field.replace(/^data\./, ''));
  });

  it('accepts unknown families with any data', async () => {
    expect((await post({ topic: 'deploy.finished', data: [1, 2, 3] })).status).toBe(201);
  });

  it('answers 400 for malformed JSON and 413 over 1 MiB, and the store is untouched', async () => {
    const bad = await post('{"topic":');
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe('invalid_json');
    const big = await post({ topic: 'custom.big', data: { pad: 'x'.repeat(1024 * 1024 + 10) } });
    expect(big.status).toBe(413);
    const health = await json(await fetch(`${srv.url}/api/healthz`));
    expect(health.seq).toBe(0);
  });

  it('answers 404 for unknown routes and 405 for a wrong method', async () => {
    expect((await fetch(`${srv.url}/api/nope`)).status).toBe(404);
    expect((await fetch(`${srv.url}/api/events`, { method: 'DELETE' })).status).toBe(405);
  });
});

describe('GET /api/events (polling fallback)', () => {
  it('pages with since (exclusive), limit and has_more, filtered by topics', async () => {
    for (let i = 0; i < 5; i++) await post({ topic: i % 2 ? 'custom.odd' : 'custom.even', data: { i } });
    const all = await json(await fetch(`${srv.url}/api/events?since=1&limit=2`));
    expect(all).toMatchObject({ seq: 5, recovered: true, has_more: true });
    expect(all.events.map((e: any) => e.seq)).toEqual([2, 3]);
    expect(Object.keys(all.events[0]).sort()).toEqual(['data', 'id', 'seq', 'topic', 'ts']);
    const odd = await json(await fetch(`${srv.url}/api/events?since=0&topics=custom.odd&epoch=${all.epoch}`));
    expect(odd.events.map((e: any) => e.data.i)).toEqual([1, 3]);
    expect(odd.has_more).toBe(false);
  });

  it('says recovered:false for another epoch, and the snapshot reloads state', async () => {
    await post({ topic: 'session.created', data: { id: 's1', name: 'one', target: 'claude' } });
    const r = await json(await fetch(`${srv.url}/api/events?since=0&epoch=elsewhere`));
    expect(r).toMatchObject({ recovered: false, events: [], seq: 1 });
    const snap = await json(await fetch(`${srv.url}/api/snapshot?topics=session.*`));
    expect(snap.seq).toBe(1);
    expect(Object.keys(snap.state)).toEqual(['sessions']);
    expect(snap.state.sessions.s1).toMatchObject({ name: 'one' });
  });

  it('rejects bad parameters with 400 naming them', async () => {
    for (const [q, field] of [['since=-1', 'since'], ['limit=0', 'limit'], ['topics=a b', 'topics']]) {
      const r = await fetch(`${srv.url}/api/events?${q}`);
      expect(r.status).toBe(400);
      expect((await json(r)).error.field).toBe(field);
    }
  });
});

describe('CORS', () => {
  it('lets a loopback dev server call the API and answers its preflight, but not a foreign page', async () => {
    const pre = await fetch(`${srv.url}/api/events`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(pre.headers.get('access-control-allow-headers')).toContain('content-type');
    const get = await fetch(`${srv.url}/api/healthz`, { headers: { origin: 'http://127.0.0.1:3000' } });
    expect(get.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    const foreign = await fetch(`${srv.url}/api/healthz`, { headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(200);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const foreignPre = await fetch(`${srv.url}/api/events`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(foreignPre.status).toBe(403);
  });
});
