// The workspace-dashboard contract against the real server: `/ws/dashboard` (and `/ws/sessions`) with real git checkouts in temp dirs and
// real session processes — broadcaster registration, debouncing, spawn/dispose/git status propagation, several tabs.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectRaw, startTestServer, waitFor, type Frame, type RawClient, type TestServer } from '@switchboard/testkit';
import { commitFiles, git, makeRepo, makeRepoWithUpstream, removeRepos } from './support/git-repos';
import { isAlive } from './support/processes';
import { rest } from './support/rest';

let srv: TestServer;
const clients: RawClient[] = [];
let token: string | undefined;
const api = rest(() => srv.url, () => token);

/** Arrival time by frame index, per client, to check the 500 ms spacing. */
const arrivals = new WeakMap<RawClient, Map<number, number>>();

async function open(path = '/ws/dashboard'): Promise<RawClient> {
  const c = await connectRaw(srv.wsUrl + path);
  const times = new Map<number, number>();
  arrivals.set(c, times);
  // Runs after the raw client's own listener, so the frame just received is the last one. Frames that came in
  // the same TCP read as the upgrade answer arrived before this listener and have no time (they are the first).
  c.ws.on('message', () => times.set(c.frames.length - 1, Date.now()));
  clients.push(c);
  return c;
}

type Ws = { id: string; session_count: number; sessions: Array<Record<string, unknown>>; [k: string]: unknown };

const sessionsFrames = (c: RawClient) => c.frames.filter((f) => f.type === 'sessions');
const lastState = (c: RawClient) => sessionsFrames(c).at(-1)?.workspaces as Ws[] | undefined;

/** The next `sessions` frame whose workspaces satisfy `pred`. */
function nextState(c: RawClient, pred: (ws: Ws[]) => boolean, timeoutMs = 5000): Promise<Ws[]> {
  return c.next((f) => f.type === 'sessions' && pred(f.workspaces as Ws[]), timeoutMs).then((f) => f.workspaces as Ws[]);
}

/** Wait until the last frame a client got equals what `GET /api/sessions` answers (the stream settled). */
async function settled(c: RawClient): Promise<Ws[]> {
  return waitFor(async () => {
    const rest = (await api.get('/api/sessions')).body;
    return JSON.stringify(lastState(c)) === JSON.stringify(rest) ? rest : undefined;
  }, { message: 'last sessions frame equal to GET /api/sessions', timeoutMs: 5000 });
}

/**
 * Client and server share one event loop here, so a frame can reach the client late and shorten the gap measured
 * after it; the server spaces its sends 500 ms apart, and this slack absorbs the delivery delay on a loaded 2-core
 * machine (333 ms was seen). Without debouncing the gaps would be a few milliseconds; the exact 500 ms spacing is
 * checked with an injected clock in dashboard-debounce.test.ts.
 */
const MIN_GAP_MS = 250;

/** Gaps between consecutive `sessions` frames on one client (config is the first frame and is not counted). */
function gaps(c: RawClient): number[] {
  const times = arrivals.get(c)!;
  const at = c.frames.map((f, i) => (f.type === 'sessions' ? times.get(i) : undefined)).filter((t): t is number => t !== undefined);
  return at.slice(1).map((t, k) => t - at[k]!);
}

async function register(path: string): Promise<Ws> {
  const res = await api.post('/api/workspaces', { path });
  expect(res.status).toBe(201);
  return res.body;
}

async function spawn(workspace_id: string, command = 'sleep 60', extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await api.post('/api/spawn', { workspace_id, target: 'claude', command, ...extra });
  expect(res.status).toBe(201);
  return res.body;
}


beforeEach(async () => {
  srv = await startTestServer({ gitIntervalSeconds: 0.2 });
});
afterEach(async () => {
  token = undefined;
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await srv.close();
  removeRepos();
});

describe('broadcaster registration', () => {
  it('sends config first (no secrets), then the workspace-dashboard workspaces array, on /ws/dashboard and /ws/sessions', async () => {
    await srv.close();
    token = 'secret-token-xyz';
    srv = await startTestServer({ gitIntervalSeconds: 0.2, token });
    const ws = await register(await makeRepo());
    for (const path of ['/ws/dashboard', '/ws/sessions']) {
      const c = await open(`${path}?token=secret-token-xyz`);
      const [config, sessions] = await c.collect(() => true, 2);
      expect(config).toMatchObject({
        type: 'config',
        config: { git_interval_seconds: 0.2, debounce_ms: 500, auth_required: true, idle_timeout_seconds: expect.any(Number) },
      });
      expect(JSON.stringify(config)).not.toContain('secret-token-xyz');
      expect(sessions).toEqual({ type: 'sessions', workspaces: (await api.get('/api/sessions')).body });
      // The workspace-dashboard contract's hook sets `workspaces` from every message, so the config frame carries them too.
      expect(config!.workspaces).toEqual(sessions!.workspaces);
    }
    expect((await api.get('/api/sessions')).body).toEqual([
      {
        id: ws.id,
        repo: ws.repo,
        branch: 'main',
        short_repo: expect.any(String),
        path: ws.path,
        session_count: 0,
        sessions: [],
        git_ahead: 0,
        git_behind: 0,
        git_dirty: false,
        git_lines_added: 0,
        git_lines_removed: 0,
        git_files_changed: 0,
      },
    ]);
  });

  it('registers each connection and unregisters it on close', async () => {
    const a = await open('/ws/dashboard');
    const b = await open('/ws/sessions');
    await waitFor(async () => (await api.get('/api/dashboard/stream')).body.connections === 2, { message: 'two registered' });
    await a.close();
    await waitFor(async () => (await api.get('/api/dashboard/stream')).body.connections === 1, { message: 'one unregistered' });
    await b.close();
    await waitFor(async () => (await api.get('/api/dashboard/stream')).body.connections === 0, { message: 'all unregistered' });
  });

  it('ignores client frames other than ping', async () => {
    const c = await open();
    await c.collect(() => true, 2);
    c.send({ type: 'subscribe', topics: ['x'] });
    c.send({ type: 'whatever' });
    c.send({ type: 'ping' });
    expect(await c.next((f) => f.type !== 'config' && f.type !== 'sessions')).toEqual({ type: 'pong' });
    expect(c.frames.some((f) => f.type === 'error')).toBe(false);
  });
});

describe('propagation', () => {
  it('spawn: the new session arrives running, with the seed fields, and as session.created on /ws/events', async () => {
    const ws = await register(await makeRepo());
    const c = await open();
    const events = await open('/ws/events?topics=session.*');
    const s = await spawn(ws.id, 'sleep 60', { nickname: 'fixer' });
    const state = await nextState(c, (w) => w[0]?.session_count === 1);
    expect(state[0]!.sessions).toEqual([
      { id: s.id, target: 'claude', nickname: 'fixer', running: true, created_at: expect.any(String), last_output_at: '', nudge_state: '', nudge_summary: '' },
    ]);
    expect(s).toMatchObject({ id: s.id, workspace_id: ws.id, running: true, nickname: 'fixer' });
    expect(await events.next((f) => f.type === 'session.created')).toMatchObject({
      data: { id: s.id, name: 'fixer', target: 'claude', workspace_id: ws.id },
    });
  });

  it('a session that exits by itself turns running:false with last_output_at from its log', async () => {
    const ws = await register(await makeRepo());
    const c = await open();
    const s = await spawn(ws.id, 'echo hello from the agent');
    const state = await nextState(c, (w) => w[0]?.sessions[0]?.running === false && w[0]?.sessions[0]?.last_output_at !== '');
    expect(Date.parse(state[0]!.sessions[0]!.last_output_at as string)).not.toBeNaN();
    expect(readFileSync(join(srv.dataDir, 'instances', s.instance, 'output.log'), 'utf8')).toBe('hello from the agent\n');
  });

  it('dispose: the process group is stopped and the session leaves the list', async () => {
    const ws = await register(await makeRepo());
    const c = await open();
    const events = await open('/ws/events?topics=session.*');
    const s = await spawn(ws.id, 'echo $$; exec sleep 60');
    const log = join(srv.dataDir, 'instances', s.instance, 'output.log');
    const pid = await waitFor(() => Number(readFileSync(log, 'utf8').trim()) || undefined, { message: 'pid in the output log' });
    expect(isAlive(pid)).toBe(true);
    expect((await api.post(`/api/sessions/${s.id}/dispose`)).body).toEqual({ id: s.id, status: 'disposed' });
    expect(isAlive(pid)).toBe(false);
    await nextState(c, (w) => w[0]?.session_count === 0);
    expect(await events.next((f) => f.type === 'session.ended')).toMatchObject({ data: { id: s.id, workspace_id: ws.id } });
    expect((await api.post(`/api/sessions/${s.id}/dispose`)).body.error.code).toBe('session_not_found');
  });

  it('what an exited session left running in its process group is stopped, and the session disposes cleanly', async () => {
    const ws = await register(await makeRepo());
    const c = await open();
    const s = await spawn(ws.id, 'sleep 60 & echo $!');
    await nextState(c, (w) => w[0]?.sessions[0]?.running === false);
    const log = join(srv.dataDir, 'instances', s.instance, 'output.log');
    const straggler = await waitFor(() => Number(readFileSync(log, 'utf8').trim()) || undefined, { message: 'background pid in the output log' });
    // The supervisor signals the group as soon as its shell exits (docs/control-plane.md: no orphan left behind).
    await waitFor(() => !isAlive(straggler), { message: `background process ${straggler} stopped` });
    expect((await api.post(`/api/sessions/${s.id}/dispose`)).body).toEqual({ id: s.id, status: 'disposed' });
    await nextState(c, (w) => w[0]?.session_count === 0);
  });

  it('git status: editing files arrives as git_dirty with line and file counts', async () => {
    const dir = await makeRepo();
    const ws = await register(dir);
    const c = await open();
    await nextState(c, (w) => w[0]?.git_dirty === false);
    writeFileSync(join(dir, 'src.txt'), 'a\nB\nc\nd\ne\nf\ng\n'); // +3 -1
    writeFileSync(join(dir, 'notes.md'), 'one\ntwo\n'); // untracked, +2
    const state = await nextState(c, (w) => w[0]?.git_files_changed === 2);
    expect(state[0]).toMatchObject({ id: ws.id, git_dirty: true, git_lines_added: 5, git_lines_removed: 1, git_files_changed: 2 });
    await git(dir, 'checkout', '--', 'src.txt');
    const cleaner = await nextState(c, (w) => w[0]?.git_files_changed === 1);
    expect(cleaner[0]).toMatchObject({ git_dirty: true, git_lines_added: 2, git_lines_removed: 0 });
  });

  it('git status: ahead and behind against a real upstream arrive after commits and a fetch', async () => {
    const { checkout, other } = await makeRepoWithUpstream();
    const ws = await register(checkout);
    expect(ws).toMatchObject({ git_ahead: 0, git_behind: 0, short_repo: expect.stringMatching(/^sb-bare-/) });
    const c = await open();
    await commitFiles(checkout, { 'local.txt': 'x\n' }, 'local');
    await nextState(c, (w) => w[0]?.git_ahead === 1);
    await commitFiles(other, { 'remote.txt': 'y\n' }, 'remote');
    await git(other, 'push', '-q', 'origin', 'main');
    await git(checkout, 'fetch', '-q');
    const state = await nextState(c, (w) => w[0]?.git_behind === 1);
    expect(state[0]).toMatchObject({ git_ahead: 1, git_behind: 1, git_dirty: false });
  });

  it('nickname and nudge changes propagate', async () => {
    const ws = await register(await makeRepo());
    const c = await open();
    const s = await spawn(ws.id);
    const patched = await api.patch(`/api/sessions/${s.id}`, { nickname: 'reviewer', nudge_state: 'waiting', nudge_summary: 'needs input' });
    expect(patched.body).toMatchObject({ id: s.id, nickname: 'reviewer', nudge_state: 'waiting', nudge_summary: 'needs input' });
    await nextState(c, (w) => w[0]?.sessions[0]?.nickname === 'reviewer' && w[0]?.sessions[0]?.nudge_summary === 'needs input');
    await api.patch(`/api/sessions/${s.id}`, { nudge_state: '', nudge_summary: '' });
    await nextState(c, (w) => w[0]?.sessions[0]?.nudge_state === '' && w[0]?.sessions[0]?.nickname === 'reviewer');
  });

  it('removing a workspace disposes its sessions and drops it from the list', async () => {
    const keep = await register(await makeRepo());
    const gone = await register(await makeRepo());
    await spawn(gone.id);
    await spawn(gone.id);
    const c = await open();
    expect((await api.del(`/api/workspaces/${gone.id}`)).status).toBe(204);
    const state = await nextState(c, (w) => w.length === 1);
    expect(state[0]!.id).toBe(keep.id);
    expect((await api.del(`/api/workspaces/${gone.id}`)).body.error.code).toBe('workspace_not_found');
  });
});

describe('debouncing', () => {
  it('disposing twenty sessions sends a couple of frames, 500 ms apart, ending with the final state', async () => {
    const ws = await register(await makeRepo());
    const sessions = [];
    for (let i = 0; i < 20; i++) sessions.push(await spawn(ws.id));
    const c = await open();
    await nextState(c, (w) => w[0]?.session_count === 20);
    const before = sessionsFrames(c).length;
    await Promise.all(sessions.map((s) => api.post(`/api/sessions/${s.id}/dispose`)));
    const final = await settled(c);
    expect(final[0]!.session_count).toBe(0);
    const during = sessionsFrames(c).length - before;
    expect(during).toBeGreaterThanOrEqual(1);
    expect(during).toBeLessThanOrEqual(4);
    for (const gap of gaps(c)) expect(gap).toBeGreaterThanOrEqual(MIN_GAP_MS);
  }, 30_000);
});

describe('several tabs', () => {
  it('every tab receives every change, each debounced on its own', async () => {
    const ws = await register(await makeRepo());
    const tabs = [await open('/ws/dashboard'), await open('/ws/sessions'), await open('/ws/dashboard')];
    const s = await spawn(ws.id);
    await api.patch(`/api/sessions/${s.id}`, { nickname: 'tabbed' });
    for (const t of tabs) await nextState(t, (w) => w[0]?.sessions[0]?.nickname === 'tabbed');
    const late = await open('/ws/sessions');
    const [, first] = await late.collect(() => true, 2);
    expect((first!.workspaces as Ws[])[0]!.sessions[0]).toMatchObject({ id: s.id, nickname: 'tabbed' });
    for (const t of [...tabs, late]) {
      const final = await settled(t);
      expect(final[0]!.session_count).toBe(1);
      for (const gap of gaps(t)) expect(gap).toBeGreaterThanOrEqual(MIN_GAP_MS);
    }
  });
});

describe('REST validation', () => {
  it('refuses a path that is missing, absent or not a git repository, naming the field', async () => {
    for (const [body, message] of [
      [{}, 'path is required'],
      [{ path: 42 }, 'path must be a string'],
      [{ path: '/definitely/not/here' }, 'does not exist'],
      [{ path: srv.dataDir }, 'is not a git repository'],
    ] as const) {
      const res = await api.post('/api/workspaces', body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'validation_failed', field: 'path' });
      expect(res.body.error.message).toContain(message);
    }
  });

  it('registers a checkout once, by its top level, whatever path inside it is given', async () => {
    const dir = await makeRepo();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'sub'));
    const first = await register(dir);
    const again = await api.post('/api/workspaces', { path: join(dir, 'sub') });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.id);
    expect((await api.get(`/api/workspaces/${first.id}`)).body).toEqual(first);
    expect((await api.get('/api/workspaces/nope')).body.error.code).toBe('workspace_not_found');
  });

  it('validates spawn and patch bodies', async () => {
    const ws = await register(await makeRepo());
    for (const [body, field] of [
      [{ target: 'claude', command: 'true' }, 'workspace_id'],
      [{ workspace_id: ws.id, command: 'true' }, 'target'],
      [{ workspace_id: ws.id, target: 'claude' }, 'command'],
      [{ workspace_id: ws.id, target: 'claude', command: 'true', nickname: 5 }, 'nickname'],
    ] as const) {
      const res = await api.post('/api/spawn', body);
      expect(res.status).toBe(400);
      expect(res.body.error.field).toBe(field);
    }
    const missing = await api.post('/api/spawn', { workspace_id: 'nope', target: 'claude', command: 'true' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('workspace_not_found');
    const s = await spawn(ws.id);
    expect((await api.patch(`/api/sessions/${s.id}`, {})).body.error.field).toBe('body');
    expect((await api.patch(`/api/sessions/${s.id}`, { nickname: 1 })).body.error.field).toBe('nickname');
    expect((await api.patch('/api/sessions/session-nope', { nickname: 'x' })).status).toBe(404);
  });
});

describe('restart', () => {
  it('sessions a previous server left running are shown stopped', async () => {
    const { makeTempDir } = await import('@switchboard/testkit');
    const dataDir = makeTempDir('sb-data-');
    await srv.close();
    srv = await startTestServer({ dataDir, gitIntervalSeconds: 0.2 });
    const ws = await register(await makeRepo());
    // What a crash leaves behind: a session recorded as running whose process is gone.
    srv.server.log.append([{ topic: 'workspace.updated', data: { id: ws.id, session: { id: 'session-ghost', target: 'claude', running: true } } }]);
    await srv.close();
    srv = await startTestServer({ dataDir, gitIntervalSeconds: 0.2 });
    const c = await open();
    const [, first] = await c.collect(() => true, 2);
    expect((first as Frame).workspaces).toMatchObject([{ id: ws.id, sessions: [{ id: 'session-ghost', running: false }] }]);
    const { rmSync } = await import('node:fs');
    await c.close();
    await srv.close();
    rmSync(dataDir, { recursive: true, force: true });
    srv = await startTestServer();
  });
});
