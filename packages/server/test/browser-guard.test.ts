// Safe by default (docs/security.md): another site's page — by Origin, `Origin: null`, Sec-Fetch-Site, a simple
// content type or a DNS-rebinding host name — changes nothing and reads nothing, while curl-like clients, the
// server's own pages and a loopback dev server keep working. Real HTTP requests with hand-set headers.

import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, waitFor, type TestServer } from '@switchboard/testkit';
import { makeRepo, removeRepos } from './support/git-repos';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** One request with exactly the given headers (fetch would not let us set Host, and adds its own). */
function raw(srv: TestServer, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const length: Record<string, string> = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const req = request({ host: '127.0.0.1', port: srv.port, method, path, headers: { host: `127.0.0.1:${srv.port}`, ...length, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON: keep the text for the assertion message
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Try a WebSocket upgrade; resolves with the HTTP status and JSON body of a refusal, or 101. */
function upgrade(srv: TestServer, path: string, headers: Record<string, string>): Promise<{ status: number; body?: any }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}${path}`, { headers, perMessageDeflate: false });
    ws.on('open', () => {
      ws.terminate();
      resolve({ status: 101 });
    });
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    ws.on('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

const json = { 'content-type': 'application/json' };

describe('a default server (loopback, no token) against another site', () => {
  let srv: TestServer;
  let marker: string;
  let planId: string;
  let workspaceId: string;
  let sessionId: string;
  let messageId: string;
  /** Every route that changes state, with a body that would succeed, and what it would run. */
  let writes: Array<{ method: string; path: string; body?: unknown }>;
  const own = () => ({ host: `127.0.0.1:${srv.port}`, origin: `http://127.0.0.1:${srv.port}` });
  const post = (path: string, body?: unknown) =>
    raw(srv, 'POST', path, body === undefined ? {} : json, body === undefined ? undefined : JSON.stringify(body));

  beforeAll(async () => {
    srv = await startTestServer({ stopGraceMs: 500 });
    marker = join(srv.dataDir, 'attacker-was-here');
    const touch = `touch '${marker}'`;
    expect((await post('/api/instances', { name: 'victim', command: touch })).status).toBe(201);
    const plan = await post('/api/plans', { name: 'p', steps: [{ name: 's', command: touch }] });
    planId = plan.body.id ?? plan.body.plan_id;
    const repo = await makeRepo();
    const ws = await post('/api/workspaces', { path: repo });
    workspaceId = ws.body.id;
    const spawned = await post('/api/spawn', { workspace_id: workspaceId, target: 'victim-target', command: 'sleep 30' });
    sessionId = spawned.body.id ?? spawned.body.session_id ?? spawned.body.session?.id;
    messageId = (await post('/api/messages', { from: 'a', to: 'b', message_type: 'm', payload: {} })).body.message_id;
    expect([planId, workspaceId, sessionId, messageId].every((v) => typeof v === 'string')).toBe(true);
    writes = [
      { method: 'POST', path: '/api/events', body: { topic: 'custom.attack', data: {} } },
      { method: 'POST', path: '/api/instances', body: { name: 'evil', command: touch } },
      { method: 'PATCH', path: '/api/instances/victim', body: { command: touch } },
      { method: 'DELETE', path: '/api/instances/victim' },
      ...['start', 'stop', 'restart', 'archive', 'unarchive'].map((a) => ({ method: 'POST', path: `/api/instances/victim/${a}` })),
      { method: 'POST', path: '/api/instances/victim/clone', body: { name: 'evil-clone' } },
      { method: 'POST', path: '/api/plans', body: { name: 'evil', steps: [{ name: 's', command: touch }] } },
      { method: 'POST', path: `/api/plans/${planId}/run` },
      { method: 'POST', path: `/api/plans/${planId}/cancel` },
      { method: 'POST', path: '/api/workspaces', body: { path: repo } },
      { method: 'DELETE', path: `/api/workspaces/${workspaceId}` },
      { method: 'POST', path: `/api/workspaces/${workspaceId}/refresh` },
      { method: 'POST', path: '/api/spawn', body: { workspace_id: workspaceId, target: 'evil', command: touch } },
      { method: 'PATCH', path: `/api/sessions/${sessionId}`, body: { nickname: 'pwned' } },
      { method: 'POST', path: `/api/sessions/${sessionId}/dispose` },
      { method: 'POST', path: '/api/messages', body: { from: 'x', to: 'y', message_type: 'm', payload: {} } },
      ...['deliver', 'ack'].map((a) => ({ method: 'POST', path: `/api/messages/${messageId}/${a}` })),
      { method: 'POST', path: `/api/messages/${messageId}/fail`, body: { error: 'x' } },
      { method: 'POST', path: '/api/dashboard/sessions/s1/send', body: { type: 'x' } },
    ];
  }, 60_000);

  afterAll(async () => {
    await srv?.close();
    removeRepos();
  });

  /** The state an attacker must not be able to touch, as the server reports it. */
  const state = async () => {
    const events = await raw(srv, 'GET', '/api/events?limit=1');
    const instances = await raw(srv, 'GET', '/api/instances?include_archived=true');
    const sessions = await raw(srv, 'GET', '/api/sessions');
    return { seq: events.body.seq, instances: instances.body, sessions: sessions.body };
  };

  const attacks: Array<[string, () => Record<string, string>, number, string]> = [
    ['a page on another site', () => ({ ...json, origin: 'https://evil.example' }), 403, 'origin_not_allowed'],
    ['a sandboxed frame (Origin: null)', () => ({ ...json, origin: 'null' }), 403, 'origin_not_allowed'],
    ['a cross-site request without Origin', () => ({ ...json, 'sec-fetch-site': 'cross-site' }), 403, 'origin_not_allowed'],
    ['a no-cors text/plain body from another site', () => ({ 'content-type': 'text/plain;charset=UTF-8', origin: 'https://evil.example' }), 403, 'origin_not_allowed'],
    ['a DNS-rebinding host name with its own Origin', () => ({ ...json, host: `attacker.example:${srv.port}`, origin: `http://attacker.example:${srv.port}` }), 403, 'host_not_allowed'],
    ['a text/plain body without Origin', () => ({ 'content-type': 'text/plain' }), 415, 'unsupported_media_type'],
    ['a form body from the own origin', () => ({ 'content-type': 'application/x-www-form-urlencoded', origin: `http://127.0.0.1:${srv.port}` }), 415, 'unsupported_media_type'],
    ['an untyped (Blob) body', () => ({}), 415, 'unsupported_media_type'],
  ];

  it.each(attacks)('%s changes nothing on any write route', async (_name, headersFor, status, code) => {
    const before = await state();
    for (const w of writes) {
      const body = JSON.stringify(w.body ?? {});
      const res = await raw(srv, w.method, w.path, headersFor(), body);
      expect({ route: `${w.method} ${w.path}`, status: res.status, code: res.body?.error?.code }).toEqual({ route: `${w.method} ${w.path}`, status, code });
    }
    expect(await state()).toEqual(before);
    expect(existsSync(marker)).toBe(false);
  });

  it('a rebinding host name cannot read anything either: REST, the dashboard page or a stream', async () => {
    const rebound = { host: `attacker.example:${srv.port}`, origin: `http://attacker.example:${srv.port}` };
    for (const path of ['/api/events', `/api/messages/${messageId}`, '/api/instances', '/', '/api/healthz']) {
      const res = await raw(srv, 'GET', path, rebound);
      expect({ path, status: res.status, code: res.body?.error?.code }).toEqual({ path, status: 403, code: 'host_not_allowed' });
    }
    for (const path of ['/ws/events', '/ws/agents', '/ws/messages', '/ws/instances', '/ws/dashboard']) {
      expect(await upgrade(srv, path, rebound)).toEqual({ status: 403, body: { error: expect.objectContaining({ code: 'host_not_allowed' }) } });
    }
  });

  it('refuses foreign upgrades with the registry error, and unknown paths with not_found', async () => {
    const foreign: Array<Record<string, string>> = [{ origin: 'https://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }];
    for (const headers of foreign) {
      expect(await upgrade(srv, '/ws/events', headers)).toEqual({ status: 403, body: { error: expect.objectContaining({ code: 'origin_not_allowed' }) } });
    }
    expect(await upgrade(srv, '/nope', {})).toEqual({ status: 404, body: { error: expect.objectContaining({ code: 'not_found' }) } });
    expect(await upgrade(srv, '/ws/events', { origin: 'http://localhost:5173' })).toEqual({ status: 101 });
  });

  it('answers a request Node cannot parse with a registry error body', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const sock = connect(srv.port, '127.0.0.1', () => sock.write('GET /api/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n'));
      let text = '';
      sock.setTimeout(10_000, () => sock.destroy(new Error('no answer')));
      sock.on('data', (c) => (text += c));
      sock.on('close', () => resolve(text));
      sock.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe('bad_request');
  });

  it('a foreign preflight gets the registry error instead of a bare 403', async () => {
    const res = await raw(srv, 'OPTIONS', '/api/events', { origin: 'https://evil.example', 'access-control-request-method': 'POST' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('origin_not_allowed');
  });

  it('keeps serving curl, its own pages, a loopback dev server and every name of loopback', async () => {
    const event = JSON.stringify({ topic: 'custom.ok', data: {} });
    const allowed: Array<Record<string, string>> = [
      { ...json },
      { ...json, ...own() },
      { ...json, ...own(), 'sec-fetch-site': 'same-origin' },
      { ...json, origin: 'http://localhost:5173', 'sec-fetch-site': 'same-site' },
      { ...json, origin: 'http://127.0.0.1:3000' },
      { 'content-type': 'application/json; charset=utf-8' },
      { 'content-type': 'application/merge-patch+json' },
      { ...json, host: `localhost:${srv.port}`, origin: `http://localhost:${srv.port}` },
      { ...json, host: `[::1]:${srv.port}` },
      { ...json, host: `app.localhost:${srv.port}` },
      { ...json, 'sec-fetch-site': 'none' },
    ];
    for (const headers of allowed) {
      const res = await raw(srv, 'POST', '/api/events', headers, event);
      expect({ headers, status: res.status }).toEqual({ headers, status: 201 });
    }
    // A write without a body needs no content type (curl -X POST).
    expect((await raw(srv, 'POST', '/api/instances/victim/archive')).status).toBe(200);
    expect((await raw(srv, 'POST', '/api/instances/victim/unarchive')).status).toBe(200);
    expect((await raw(srv, 'GET', '/api/events', { origin: 'https://evil.example' })).headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('with a token', () => {
  let srv: TestServer;
  const auth = { authorization: 'Bearer s3cret', 'content-type': 'application/json' };
  const event = JSON.stringify({ topic: 'custom.t', data: {} });

  beforeAll(async () => {
    srv = await startTestServer({ token: 's3cret', allowedOrigins: ['https://app.example.com'], allowedHosts: ['sb.example.com', '.corp.test'] });
  });
  afterAll(() => srv?.close());

  it('refuses loopback dev origins and same-site requests, even holding a valid token', async () => {
    const refused: Array<Record<string, string>> = [{ origin: 'http://localhost:5173' }, { 'sec-fetch-site': 'same-site' }, { origin: 'https://evil.example' }];
    for (const extra of refused) {
      const res = await raw(srv, 'POST', '/api/events', { ...auth, ...extra }, event);
      expect({ extra, status: res.status, code: res.body.error?.code }).toEqual({ extra, status: 403, code: 'origin_not_allowed' });
    }
    expect(await upgrade(srv, '/ws/events?token=s3cret', { origin: 'http://localhost:5173' })).toMatchObject({ status: 403 });
  });

  it('accepts --allowed-origins and --allowed-hosts, and checks the host before the token', async () => {
    expect((await raw(srv, 'POST', '/api/events', { ...auth, origin: 'https://app.example.com' }, event)).status).toBe(201);
    expect((await raw(srv, 'GET', '/api/events', { ...auth, host: 'sb.example.com' })).status).toBe(200);
    expect((await raw(srv, 'GET', '/api/events', { ...auth, host: 'a.corp.test:443' })).status).toBe(200);
    const own = await raw(srv, 'POST', '/api/events', { ...auth, host: 'sb.example.com', origin: 'https://sb.example.com' }, event);
    expect(own.status).toBe(201);
    const rebound = await raw(srv, 'GET', '/api/events', { ...auth, host: 'evil.example' });
    expect({ status: rebound.status, code: rebound.body.error.code }).toEqual({ status: 403, code: 'host_not_allowed' });
    expect(await upgrade(srv, '/ws/events?token=s3cret', { host: 'evil.example' })).toMatchObject({ status: 403 });
    expect(await upgrade(srv, '/ws/events?token=s3cret', { origin: 'https://app.example.com' })).toEqual({ status: 101 });
  });

  it('answers a refused upgrade with the same code as REST: token_expired stays token_expired', async () => {
    const { createLegacyToken } = await import('../src/auth/tokens');
    const expired = createLegacyToken('s3cret', 'read', 1, Date.now() - 10_000);
    const rest = await raw(srv, 'GET', '/api/events', { authorization: `Bearer ${expired}` });
    expect(rest.body.error.code).toBe('token_expired');
    expect(await upgrade(srv, `/ws/events?token=${expired}`, {})).toEqual({ status: 401, body: { error: expect.objectContaining({ code: 'token_expired' }) } });
    expect(await upgrade(srv, '/ws/events', {})).toEqual({ status: 401, body: { error: expect.objectContaining({ code: 'unauthorized' }) } });
  });
});

describe('bound to every interface', () => {
  it('answers IP-literal hosts and its own host name, and refuses other names', async () => {
    const srv = await startTestServer({ host: '0.0.0.0', token: 't' });
    try {
      const get = (host: string) => raw(srv, 'GET', '/api/healthz', { host });
      await waitFor(async () => (await get('127.0.0.1')).status === 200);
      expect((await get(`10.1.2.3:${srv.port}`)).status).toBe(200);
      expect((await get(`[fe80::1]:${srv.port}`)).status).toBe(200);
      expect((await get(`rebind.example:${srv.port}`)).status).toBe(403);
    } finally {
      await srv.close();
    }
  });
});
