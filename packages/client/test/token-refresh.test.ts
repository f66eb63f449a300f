// `getToken()` (docs/protocol.md, "Auth"): asked for every connect and REST call, and before the socket's token
// expires, whose answer refreshes the open socket with an `auth` frame; against the real server with tokens that
// live a few seconds.

import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { mintToken } from '@switchboard/server';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { createClient, type ClientOptions, type SwitchboardClient, type WebSocketConstructor } from '../src/index';
import { refreshDelay, tokenExpiry } from '../src/token-source';
import type { Timers } from '../src/scheduler';
import { fastBackoff, record, useHarness, type Recorded } from './helpers/harness';
import { waitFor } from './helpers/wait';

const SECRET = 'sdk-refresh-secret';
const servers: TestServer[] = [];
const clients: SwitchboardClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

function client(options: ClientOptions): { client: SwitchboardClient; rec: Recorded } {
  const c = createClient({ WebSocket: WebSocket as unknown as WebSocketConstructor, backoff: fastBackoff, pageTarget: null, ...options, autoConnect: false });
  clients.push(c);
  const rec = record(c);
  c.connect();
  return { client: c, rec };
}

describe('token expiry (pure)', () => {
  it('reads exp from JWT and sb1 payloads, and nothing from an opaque token', () => {
    const payload = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    expect(tokenExpiry(`h.${payload({ exp: 1234, role: 'read', sub: 'ü' })}.sig`)).toBe(1234);
    expect(tokenExpiry(`sb1.${payload({ role: 'read', exp: 99 })}.sig`)).toBe(99);
    expect(tokenExpiry('admin-secret')).toBeNull();
    expect(tokenExpiry('a.!!!.b')).toBeNull();
    expect(tokenExpiry(`h.${payload({ exp: '5' })}.s`)).toBeNull();
  });

  it('refreshes 60 s before a long token expires and a fifth of the life before a short one', () => {
    expect(refreshDelay(3600, 0)).toBe(3_540_000);
    expect(refreshDelay(10, 0)).toBe(8_000);
    expect(refreshDelay(10, 20_000)).toBe(0);
  });
});

/** A clock the test moves by hand: timers fire only when `advance` passes them. */
function manualClock(startMs: number): { timers: Timers; advance(ms: number): void; now(): number; dueAt(ms: number): boolean } {
  let now = startMs;
  let next = 1;
  const tasks = new Map<number, { at: number; fn: () => void }>();
  return {
    timers: {
      setTimeout: (fn, ms) => {
        const id = next++;
        tasks.set(id, { at: now + ms, fn });
        return id;
      },
      clearTimeout: (id) => void tasks.delete(id as number),
      now: () => now,
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...tasks.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        tasks.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
    },
    now: () => now,
    dueAt: (ms) => [...tasks.values()].some((t) => t.at === ms),
  };
}

describe('getToken with an injected clock', () => {
  const h = useHarness();

  it('sends an auth frame 60 s before expiry, schedules the next after auth_ok, and asks for every REST call', async () => {
    const server = await h.server();
    const clock = manualClock(1_000_000_000);
    const payload = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    let n = 0;
    // Tokens live ten minutes on the injected clock; the fake server does not check them.
    const getToken = () => `h.${payload({ n: ++n, exp: Math.floor(clock.now() / 1000) + 600 })}.sig`;
    // Keepalive off the injected clock's way: a jump of minutes would otherwise count as silence.
    const { client: c } = h.client({ url: server.url, timers: clock.timers, getToken, pingIntervalMs: 1e10, silenceTimeoutMs: 1e10 });
    await waitFor(() => c.status === 'open', { message: 'open' });
    const conn = server.connections[0]!;
    expect(new URL(conn.url, 'http://x').searchParams.get('token')).toContain('.');
    const auths = () => conn.received.filter((f) => f.type === 'auth');

    clock.advance(539_000);
    expect(auths()).toHaveLength(0);
    clock.advance(2_000);
    await waitFor(() => auths().length === 1, { message: 'the first auth frame', saw: () => conn.received });
    expect(tokenExpiry(auths()[0]!.token as string)).toBe(1_000_000 + 540 + 600);

    // Nothing more until the server confirms; then the new token's own schedule applies.
    clock.advance(30_000);
    expect(auths()).toHaveLength(1);
    server.send(conn, { type: 'auth_ok', exp: tokenExpiry(auths()[0]!.token as string) });
    // The next refresh is due 60 s before the new token's expiry.
    await waitFor(() => clock.dueAt((1_000_000 + 540 + 600 - 60) * 1000), { message: 'the next refresh scheduled' });
    clock.advance(508_000);
    expect(auths()).toHaveLength(1);
    clock.advance(1_000);
    await waitFor(() => auths().length === 2, { message: 'the second auth frame', saw: () => conn.received });

    await c.publish('task.started', { id: 't', kind: 'k', percent: 0 });
    expect(server.restCalls.at(-1)!.headers.authorization).toBe(`Bearer h.${payload({ n: 4, exp: Math.floor(clock.now() / 1000) + 600 })}.sig`);
    expect(server.connections).toHaveLength(1);
  });
});

describe('getToken against the real server', () => {
  it('refreshes the open socket in place, past the first token\'s expiry, without reconnecting', { timeout: 30_000 }, async () => {
    const s = await startTestServer({ token: SECRET, jwtClockToleranceSeconds: 0 });
    servers.push(s);
    const issued: string[] = [];
    const getToken = async () => {
      const t = await mintToken(SECRET, { role: 'publish', ttlSeconds: 4, topics: ['task.*'] });
      issued.push(t);
      return t;
    };
    const { client: c, rec } = client({ url: s.url, topics: ['task.*'], getToken });
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot', saw: () => rec });
    const firstExp = tokenExpiry(issued[0]!)!;
    // The third token is asked for at four fifths of the second one's life, well after the first one expired.
    await waitFor(() => issued.length >= 3 && Date.now() > firstExp * 1000, { timeoutMs: 15_000, message: 'two refreshes', saw: () => issued.length });
    const { seq } = await c.publish('task.started', { id: 't1', kind: 'k', percent: 0 });
    await waitFor(() => c.cursor?.seq === seq, { message: 'the event on the refreshed socket', saw: () => rec });
    expect(rec.states.map((x) => x.to)).toEqual(['connecting', 'open']);
    expect(rec.errors).toEqual([]);
  });

  it('reconnects with a new token after a close 4401 instead of giving up', { timeout: 30_000 }, async () => {
    const s = await startTestServer({ token: SECRET, jwtClockToleranceSeconds: 0 });
    servers.push(s);
    let blocked = false;
    const getToken = async () => {
      if (blocked) throw new Error('auth service down');
      blocked = true; // the refresh fails, so the first token runs out
      return mintToken(SECRET, { role: 'read', ttlSeconds: 2 });
    };
    const { client: c, rec } = client({ url: s.url, topics: ['task.*'], getToken });
    c.on('state', ({ to }) => {
      if (to === 'reconnecting') blocked = false;
    });
    await waitFor(() => rec.states.filter((x) => x.to === 'open').length === 2, { timeoutMs: 15_000, message: 'open again', saw: () => rec.states });
    expect(rec.states.map((x) => x.to)).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(rec.states[2]!.reason).toMatchObject({ code: 'socket_dropped', closeCode: 4401 });
    expect(rec.errors.map((e) => e.code)).toContain('token_refresh_failed');
    expect(rec.errors.map((e) => e.code)).toContain('token_expired');
  });
});
