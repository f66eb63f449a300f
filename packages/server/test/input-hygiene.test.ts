// Input hygiene from the outside (docs/protocol.md, "Input hygiene"): topics, ids, names and env keys named after
// Object.prototype members are ordinary values end to end (REST, the log, /ws/events, the snapshot); request bodies
// that are not UTF-8, nest too deep or hold non-finite numbers are refused with a 400 and store nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRaw, startTestServer, waitFor, type TestServer } from '@switchboard/testkit';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

async function call(method: string, path: string, body?: string | Uint8Array<ArrayBuffer>, timeoutMs = 15_000): Promise<{ status: number; body: any }> {
  const res = await fetch(srv.url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
const post = (path: string, body: unknown) => call('POST', path, JSON.stringify(body));
const head = async () => (await call('GET', '/api/healthz')).body.seq as number;

const PROTOTYPE_TOPICS = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'hasOwnProperty.x', 'constructor.x', 'x.__proto__', 'custom.toString', '__defineGetter__.prototype'];

describe('topics named after Object.prototype members', () => {
  it('are custom topics: 201, read back intact and streamed live', async () => {
    const ws = await connectRaw(`${srv.wsUrl}/ws/events`);
    try {
      ws.send({ type: 'subscribe', topics: ['*'] });
      await ws.next((f) => f.type === 'subscribed');
      const since = await head();
      const seqs: number[] = [];
      for (const topic of PROTOTYPE_TOPICS) {
        // Built with JSON.parse: in a literal, `__proto__: 1` would set the prototype instead of a key.
        const r = await post('/api/events', { topic, data: { topic, nested: JSON.parse('{"__proto__":1}') } });
        expect(r.status, `${topic}: ${JSON.stringify(r.body)}`).toBe(201);
        seqs.push(r.body.seq);
      }
      const poll = await call('GET', `/api/events?since=${since}`);
      expect(poll.status).toBe(200);
      expect(poll.body.events.map((e: any) => e.topic)).toStrictEqual(PROTOTYPE_TOPICS);
      for (const e of poll.body.events) {
        expect(e.data.topic).toBe(e.topic);
        expect(Object.hasOwn(e.data.nested, '__proto__')).toBe(true);
      }
      const live = await ws.collect((f) => typeof f.seq === 'number' && seqs.includes(f.seq), PROTOTYPE_TOPICS.length);
      expect(live.map((f) => f.type)).toStrictEqual(PROTOTYPE_TOPICS);
      expect(live.map((f) => (f.data as { topic: string }).topic)).toStrictEqual(PROTOTYPE_TOPICS);
    } finally {
      await ws.close();
    }
  });

  it('can be subscribed to and filtered on by exact name', async () => {
    const ws = await connectRaw(`${srv.wsUrl}/ws/events`);
    try {
      ws.send({ type: 'subscribe', topics: ['toString', '__proto__.*'] });
      await ws.next((f) => f.type === 'subscribed');
      const since = await head();
      for (const topic of ['custom.other', 'toString', '__proto__.y', 'constructor']) expect((await post('/api/events', { topic, data: {} })).status).toBe(201);
      const frames = await ws.collect((f) => typeof f.seq === 'number' && f.seq > since && f.type !== 'snapshot' && f.type !== 'subscribed', 2);
      expect(frames.map((f) => f.type)).toStrictEqual(['toString', '__proto__.y']);
      const poll = await call('GET', `/api/events?since=${since}&topics=constructor,toString`);
      expect(poll.body.events.map((e: any) => e.topic)).toStrictEqual(['toString', 'constructor']);
    } finally {
      await ws.close();
    }
  });

  it('in a catalogue family are new topics of that family (data must be an object)', async () => {
    expect((await post('/api/events', { topic: 'agent.constructor', data: { any: 1 } })).status).toBe(201);
    const bad = await post('/api/events', { topic: 'agent.__proto__', data: 'text' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation_failed', field: 'data' });
  });
});

describe('ids named after Object.prototype members', () => {
  it.each(['__proto__', 'constructor', 'toString'])('are ordinary agent, session and task ids: %s', async (id) => {
    const events = [
      { topic: 'session.created', data: { id, name: `s-${id}`, target: 't' } },
      { topic: 'agent.started', data: { id, session_id: id, name: `a-${id}` } },
      { topic: 'task.progress', data: { id, kind: 'k', percent: 40 } },
      { topic: 'metrics.cost_updated', data: { session_id: id, cost_usd: 1, tokens_in: 1, tokens_out: 1, total_cost_usd: 1 } },
    ];
    const r = await post('/api/events', events);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const snap = await call('GET', '/api/snapshot?topics=session.*,agent.*,task.*,metrics.*');
    expect(snap.status).toBe(200);
    const { state } = snap.body;
    for (const slice of [state.sessions, state.agents, state.tasks, state.metrics.by_session]) expect(Object.hasOwn(slice, id)).toBe(true);
    expect(Object.getOwnPropertyDescriptor(state.agents, id)!.value).toMatchObject({ id, session_id: id, name: `a-${id}`, status: 'running' });
    expect(Object.getOwnPropertyDescriptor(state.tasks, id)!.value).toMatchObject({ id, percent: 40 });
  });
});

describe('path parameters named after Object.prototype members', () => {
  it.each([
    ['GET', '/api/instances/constructor', 'instance_not_found'],
    ['GET', '/api/instances/__proto__', 'instance_not_found'],
    ['POST', '/api/instances/toString/start', 'instance_not_found'],
    ['DELETE', '/api/instances/hasOwnProperty', 'instance_not_found'],
    ['GET', '/api/messages/__proto__', 'message_not_found'],
    ['POST', '/api/messages/constructor/ack', 'message_not_found'],
    ['GET', '/api/plans/__proto__', 'plan_not_found'],
    ['POST', '/api/plans/constructor/run', 'plan_not_found'],
    ['GET', '/api/dashboard/plan/toString/poll', 'plan_not_found'],
    ['GET', '/api/workspaces/__proto__', 'workspace_not_found'],
    ['POST', '/api/workspaces/constructor/refresh', 'workspace_not_found'],
    ['POST', '/api/sessions/__proto__/dispose', 'session_not_found'],
  ])('%s %s is a clean 404', async (method, path, code) => {
    const r = await call(method, path);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe(code);
  });

  it('an instance named constructor works like any other, env keys __proto__ and constructor included', async () => {
    const env = JSON.parse('{"__proto__":"p","constructor":"c","PLAIN":"x"}');
    const created = await post('/api/instances', { name: 'constructor', command: 'env', env });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(Object.keys(created.body.env).sort()).toStrictEqual(['PLAIN', '__proto__', 'constructor']);
    expect(Object.values(created.body.env).every((v) => v !== 'p' && v !== 'c' && v !== 'x')).toBe(true);
    const list = await call('GET', '/api/instances');
    expect(list.body.instances.map((i: any) => i.name)).toContain('constructor');
    // The masked value sent back keeps the current one, for __proto__ as for any key.
    const masked = created.body.env.__proto__ as string;
    const patched = await call('PATCH', '/api/instances/constructor', JSON.stringify({ env: JSON.parse(`{"__proto__":${JSON.stringify(masked)},"constructor":"c2"}`) }));
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(Object.keys(patched.body.env).sort()).toStrictEqual(['__proto__', 'constructor']);
    expect((await call('POST', '/api/instances/constructor/start')).status).toBe(200);
    const lines = await waitFor(async () => {
      const r = await call('GET', '/api/instances/constructor/logs?tail=1000');
      const l = r.body.lines as string[];
      return l.some((x) => x.startsWith('constructor=')) ? l : undefined;
    }, { timeoutMs: 10_000 });
    expect(lines).toContain('__proto__=p');
    expect(lines).toContain('constructor=c2');
    await waitFor(async () => (await call('GET', '/api/instances/constructor')).body.status === 'stopped', { timeoutMs: 10_000 });
    expect((await call('DELETE', '/api/instances/constructor')).status).toBe(200);
    expect((await call('GET', '/api/instances/constructor')).status).toBe(404);
  });
});

describe('cloning an instance onto its own name', () => {
  it('is a prompt 409 instance_exists, and the instance stays usable', async () => {
    expect((await post('/api/instances', { name: 'self-clone', command: 'true' })).status).toBe(201);
    const started = Date.now();
    const r = await call('POST', '/api/instances/self-clone/clone', JSON.stringify({ name: 'self-clone' }), 5000);
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'instance_exists', field: 'name' });
    expect(Date.now() - started).toBeLessThan(5000);
    // Its lock was not left held: the next operation on it goes through.
    expect((await call('PATCH', '/api/instances/self-clone', JSON.stringify({ nickname: 'n' }), 5000)).status).toBe(200);
    expect((await call('DELETE', '/api/instances/self-clone', undefined, 5000)).status).toBe(200);
  });
});

describe('request bodies', () => {
  const utf8 = (s: string) => new TextEncoder().encode(s);
  const refused = async (body: Uint8Array<ArrayBuffer> | string, code: string, message: RegExp) => {
    const before = await head();
    const r = await call('POST', '/api/events', body);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code, field: 'body' });
    expect(r.body.error.message).toMatch(message);
    expect(await head()).toBe(before);
  };

  it.each([
    ['an invalid byte', [0xff]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
  ])('that are not UTF-8 (%s) answer 400 invalid_json and store nothing', async (_name, bad) => {
    await refused(new Uint8Array([...utf8('{"topic":"custom.utf8","data":{"s":"'), ...bad, ...utf8('"}}')]), 'invalid_json', /not valid UTF-8/);
  });

  it('with a UTF-8 byte order mark are read without it', async () => {
    const r = await call('POST', '/api/events', new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('{"topic":"custom.bom","data":{"s":"é"}}')]));
    expect(r.status).toBe(201);
    const poll = await call('GET', `/api/events?since=${r.body.seq - 1}&limit=1`);
    expect(poll.body.events[0]).toMatchObject({ topic: 'custom.bom', data: { s: 'é' } });
  });

  it('nested deeper than 64 levels answer 400 validation_failed and store nothing', async () => {
    await refused(`{"topic":"custom.deep","data":${'['.repeat(64)}${']'.repeat(64)}}`, 'validation_failed', /64 levels/);
    await refused(`{"topic":"custom.deep","data":${'['.repeat(200_000)}${']'.repeat(200_000)}}`, 'validation_failed', /64 levels/);
    const ok = await post('/api/events', { topic: 'custom.deep', data: JSON.parse(`${'['.repeat(62)}1${']'.repeat(62)}`) });
    expect(ok.status).toBe(201);
  });

  it.each(['1e400', '-1e400'])('holding %s answer 400 validation_failed instead of storing null', async (n) => {
    await refused(`{"topic":"custom.big","data":{"n":${n}}}`, 'validation_failed', /data\.n/);
  });

  it('holding 2**64 store it as the number it parses to', async () => {
    const r = await call('POST', '/api/events', '{"topic":"custom.big","data":{"n":18446744073709551616}}');
    expect(r.status).toBe(201);
    const poll = await call('GET', `/api/events?since=${r.body.seq - 1}&limit=1`);
    expect(poll.body.events[0].data.n).toBe(2 ** 64);
  });
});
