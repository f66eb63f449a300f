// Workspace sessions are supervised instances (docs/workspaces-and-plans.md, issue 4), against the real server with real processes: a
// spawned session is an instance on /ws/instances, dispose deletes it, its exits and crashes reach /ws/dashboard,
// and after a restart (graceful or kill -9) on the same data dir the dashboard and the instances agree.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRaw, makeTempDir, spawnServer, startTestServer, waitFor, type RawClient, type ServerProcess, type TestServer } from '@switchboard/testkit';
import { makeRepo, removeRepos, tempDir } from './support/git-repos';
import { isAlive } from './support/processes';
import { rest } from './support/rest';

type Ws = { id: string; path: string; session_count: number; git_dirty: boolean; sessions: Array<{ id: string; running: boolean; last_output_at: string }> };
type Api = ReturnType<typeof rest>;

const servers: TestServer[] = [];
const children: ServerProcess[] = [];
const clients: RawClient[] = [];
const dirs: string[] = [];
/** Instance pids to kill by group if a failed test left them running. */
const pids: number[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(children.splice(0).map((s) => s.kill('SIGTERM')));
  for (const pid of pids.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  removeRepos();
});

async function start(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<{ srv: TestServer; api: Api }> {
  const srv = await startTestServer({ gitIntervalSeconds: 0.2, stopGraceMs: 1000, ...overrides });
  servers.push(srv);
  return { srv, api: rest(() => srv.url) };
}

async function open(wsUrl: string, path: string): Promise<RawClient> {
  const c = await connectRaw(wsUrl + path);
  clients.push(c);
  return c;
}

async function register(api: Api, path: string): Promise<Ws> {
  const res = await api.post('/api/workspaces', { path });
  expect(res.status).toBe(201);
  return res.body;
}

async function spawn(api: Api, workspace_id: string, command: string): Promise<{ id: string; instance: string; running: boolean }> {
  const res = await api.post('/api/spawn', { workspace_id, target: 'claude', command });
  expect(res.status).toBe(201);
  return res.body;
}

/** The next `sessions` frame whose workspaces satisfy `pred`. */
function nextState(c: RawClient, pred: (ws: Ws[]) => boolean, timeoutMs = 5000): Promise<Ws[]> {
  return c.next((f) => f.type === 'sessions' && pred(f.workspaces as Ws[]), timeoutMs).then((f) => f.workspaces as Ws[]);
}

const lastState = (c: RawClient) => (c.frames.filter((f) => f.type === 'sessions').at(-1)?.workspaces ?? []) as Ws[];
const sessionOf = (ws: Ws[], id: string) => ws.flatMap((w) => w.sessions).find((s) => s.id === id);

/**
 * Each session's `running` next to its instance's status, from one REST read of each; resolves once they agree
 * (running exactly when the instance is running or starting) and the dashboard's last frame shows the same state.
 */
async function agreed(api: Api, dashboard: RawClient, instanceOf: Map<string, string>): Promise<Array<{ id: string; running: boolean; status: string | null }>> {
  let seen: unknown;
  return waitFor(async () => {
    const [sessions, instances] = await Promise.all([api.get('/api/sessions'), api.get('/api/instances?include_archived=true')]);
    const status = new Map<string, string>(instances.body.instances.map((i: { name: string; status: string }) => [i.name, i.status]));
    const rows = (sessions.body as Ws[]).flatMap((w) =>
      w.sessions.map((s) => ({ id: s.id, running: s.running, status: status.get(instanceOf.get(s.id) ?? '') ?? null })),
    );
    const last = dashboard.frames.filter((f) => f.type === 'sessions').at(-1)?.workspaces;
    seen = { rows, dashboardMatchesRest: JSON.stringify(last) === JSON.stringify(sessions.body) };
    const agree = rows.every((r) => r.running === (r.status === 'running' || r.status === 'starting'));
    return agree && JSON.stringify(last) === JSON.stringify(sessions.body) ? rows : undefined;
  }, { message: 'sessions, instances and the dashboard in agreement', timeoutMs: 10_000 }).catch((err: Error) => {
    throw new Error(`${err.message}; state: ${JSON.stringify(seen)}`);
  });
}

describe('a spawned session is an instance', () => {
  it('shows as a running instance on /ws/instances and GET /api/instances, named in session.created, with its log on /ws/instances/:name/logs', async () => {
    const { srv, api } = await start();
    const ws = await register(api, await makeRepo());
    const instances = await open(srv.wsUrl, '/ws/instances');
    await instances.next((f) => f.type === 'snapshot');
    const events = await open(srv.wsUrl, '/ws/events?topics=session.*');
    const s = await spawn(api, ws.id, 'echo ready; exec sleep 60');
    expect(s).toMatchObject({ running: true, instance: expect.stringMatching(/^[a-z0-9][a-z0-9-]{0,62}$/) });

    expect(await instances.next((f) => f.type === 'instance_created' && f.name === s.instance)).toMatchObject({ status: 'stopped' });
    const running = await instances.next((f) => f.type === 'status_changed' && f.name === s.instance && f.status === 'running');
    pids.push(running.pid as number);
    expect(await events.next((f) => f.type === 'session.created')).toMatchObject({
      data: { id: s.id, target: 'claude', workspace_id: ws.id, instance: s.instance },
    });
    const listed = (await api.get('/api/instances')).body.instances.find((i: { name: string }) => i.name === s.instance);
    expect(listed).toMatchObject({ status: 'running', pid: running.pid, cwd: ws.path, command: 'echo ready; exec sleep 60', args: null });

    const logs = await open(srv.wsUrl, `/ws/instances/${s.instance}/logs?backlog=10`);
    await waitFor(() => logs.frames.some((f) => (f.type === 'backlog' || f.type === 'lines') && (f.lines as string[]).includes('ready')), {
      message: '"ready" in the instance log stream',
    });
    expect((await api.get(`/api/instances/${s.instance}/logs?tail=5`)).body).toMatchObject({ name: s.instance, lines: ['ready'] });
  }, 20_000);

  it('disposing the session stops its process and deletes its instance', async () => {
    const { srv, api } = await start();
    const ws = await register(api, await makeRepo());
    const instances = await open(srv.wsUrl, '/ws/instances');
    await instances.next((f) => f.type === 'snapshot');
    const events = await open(srv.wsUrl, '/ws/events?topics=session.*');
    const s = await spawn(api, ws.id, 'exec sleep 60');
    const { pid } = (await api.get(`/api/instances/${s.instance}`)).body;
    pids.push(pid);
    expect(isAlive(pid)).toBe(true);

    expect((await api.post(`/api/sessions/${s.id}/dispose`)).body).toEqual({ id: s.id, status: 'disposed' });
    expect(isAlive(pid)).toBe(false);
    await instances.next((f) => f.type === 'status_changed' && f.name === s.instance && f.status === 'stopped' && f.pid === null);
    await instances.next((f) => f.type === 'instance_deleted' && f.name === s.instance);
    expect((await api.get(`/api/instances/${s.instance}`)).body.error.code).toBe('instance_not_found');
    expect(await events.next((f) => f.type === 'session.ended')).toMatchObject({ data: { id: s.id, instance: s.instance } });
    expect((await api.get('/api/sessions')).body[0].session_count).toBe(0);
  }, 20_000);
});

describe('running comes from the instance', () => {
  it('an instance that crashes flips running to false on /ws/dashboard and refreshes the git status its command changed', async () => {
    // No periodic git refresh: only spawn, dispose and the session's exit may refresh it.
    const { srv, api } = await start({ gitIntervalSeconds: 3600 });
    const repo = await makeRepo();
    const ws = await register(api, repo);
    const trigger = join(tempDir('sb-trigger-'), 'go');
    const dashboard = await open(srv.wsUrl, '/ws/dashboard');
    const instances = await open(srv.wsUrl, '/ws/instances');
    const s = await spawn(api, ws.id, `while [ ! -e '${trigger}' ]; do sleep 0.05; done; echo changed > dirty.txt; echo bye; exit 3`);
    await nextState(dashboard, (w) => sessionOf(w, s.id)?.running === true);
    // Wait out the spawn's own refresh (a refresh requested during one runs after it), so only the exit can see dirty.txt.
    expect((await api.post(`/api/workspaces/${ws.id}/refresh`)).body).toMatchObject({ git_dirty: false });

    writeFileSync(trigger, '');
    expect(await instances.next((f) => f.type === 'status_changed' && f.name === s.instance && f.status === 'crashed')).toMatchObject({ pid: null });
    const state = await nextState(dashboard, (w) => sessionOf(w, s.id)?.running === false && w[0]!.git_dirty);
    expect(state[0]).toMatchObject({ git_dirty: true, git_files_changed: 1 });
    expect((await api.get(`/api/instances/${s.instance}`)).body).toMatchObject({ status: 'crashed', exit_code: 3 });
    // Output can still drain after the exit; the periodic activity check (every 5 s) picks it up at the latest.
    await waitFor(() => sessionOf(lastState(dashboard), s.id)?.last_output_at, { message: 'last_output_at on the dashboard', timeoutMs: 8000 });
  }, 20_000);

  it('a process killed from outside, and stop and start through the instances API, show on the session', async () => {
    const { srv, api } = await start();
    const ws = await register(api, await makeRepo());
    const dashboard = await open(srv.wsUrl, '/ws/dashboard');
    const s = await spawn(api, ws.id, 'exec sleep 60');
    const instanceOf = new Map([[s.id, s.instance]]);
    const { pid } = (await api.get(`/api/instances/${s.instance}`)).body;
    pids.push(pid);

    process.kill(pid, 'SIGKILL');
    await nextState(dashboard, (w) => sessionOf(w, s.id)?.running === false);
    expect((await api.get(`/api/instances/${s.instance}`)).body).toMatchObject({ status: 'crashed' });

    const restarted = await api.post(`/api/instances/${s.instance}/start`);
    expect(restarted.body).toMatchObject({ status: 'running' });
    pids.push(restarted.body.pid);
    await nextState(dashboard, (w) => sessionOf(w, s.id)?.running === true);
    expect(await agreed(api, dashboard, instanceOf)).toEqual([{ id: s.id, running: true, status: 'running' }]);

    await api.post(`/api/instances/${s.instance}/stop`);
    await nextState(dashboard, (w) => sessionOf(w, s.id)?.running === false);
    expect(await agreed(api, dashboard, instanceOf)).toEqual([{ id: s.id, running: false, status: 'stopped' }]);

    // Deleting the instance behind the session's back leaves the session listed, stopped, and still disposable.
    await api.post(`/api/instances/${s.instance}/start`);
    await nextState(dashboard, (w) => sessionOf(w, s.id)?.running === true);
    expect((await api.del(`/api/instances/${s.instance}`)).body).toEqual({ deleted: s.instance });
    await nextState(dashboard, (w) => sessionOf(w, s.id)?.running === false);
    expect(await agreed(api, dashboard, instanceOf)).toEqual([{ id: s.id, running: false, status: null }]);
    expect((await api.post(`/api/sessions/${s.id}/dispose`)).body).toEqual({ id: s.id, status: 'disposed' });
    await nextState(dashboard, (w) => w[0]?.session_count === 0);
  }, 20_000);
});

describe('server restart on the same data dir', () => {
  it('a graceful restart starts running sessions again, and the dashboard and the instances agree', async () => {
    const dataDir = makeTempDir();
    dirs.push(dataDir);
    let { srv, api } = await start({ dataDir });
    const ws = await register(api, await makeRepo());
    const live = await spawn(api, ws.id, 'exec sleep 60');
    const crashed = await spawn(api, ws.id, 'exit 3');
    const stopped = await spawn(api, ws.id, 'exec sleep 60');
    await api.post(`/api/instances/${stopped.instance}/stop`);
    const instanceOf = new Map([live, crashed, stopped].map((s) => [s.id, s.instance]));
    const before = (await api.get(`/api/instances/${live.instance}`)).body;
    pids.push(before.pid);
    const dashboard = await open(srv.wsUrl, '/ws/dashboard');
    expect(await agreed(api, dashboard, instanceOf)).toEqual([
      { id: live.id, running: true, status: 'running' },
      { id: crashed.id, running: false, status: 'crashed' },
      { id: stopped.id, running: false, status: 'stopped' },
    ]);

    await Promise.all(clients.splice(0).map((c) => c.close()));
    await srv.close();
    servers.splice(servers.indexOf(srv), 1);
    expect(isAlive(before.pid)).toBe(false);

    ({ srv, api } = await start({ dataDir }));
    const after = (await api.get(`/api/instances/${live.instance}`)).body;
    pids.push(after.pid);
    expect(after).toMatchObject({ status: 'running' });
    expect(after.pid).not.toBe(before.pid);
    expect(isAlive(after.pid)).toBe(true);
    const again = await open(srv.wsUrl, '/ws/dashboard');
    const [, first] = await again.collect(() => true, 2);
    expect((first!.workspaces as Ws[])[0]!.sessions.map((s) => [s.id, s.running])).toEqual([
      [live.id, true],
      [crashed.id, false],
      [stopped.id, false],
    ]);
    expect(await agreed(api, again, instanceOf)).toEqual([
      { id: live.id, running: true, status: 'running' },
      { id: crashed.id, running: false, status: 'crashed' },
      { id: stopped.id, running: false, status: 'stopped' },
    ]);
  }, 30_000);

  it('after kill -9 of the server, the next one replaces the orphaned session process and shows it running', async () => {
    const dataDir = makeTempDir();
    dirs.push(dataDir);
    const repo = await makeRepo();
    const first = await spawnServer(['--data', dataDir, '--git-interval', '0.2']);
    children.push(first);
    let api = rest(() => first.url);
    const ws = await register(api, repo);
    const s = await spawn(api, ws.id, 'exec sleep 60');
    const before = (await api.get(`/api/instances/${s.instance}`)).body;
    pids.push(before.pid);
    await first.kill('SIGKILL');
    expect(isAlive(before.pid)).toBe(true);

    const second = await spawnServer(['--data', dataDir, '--git-interval', '0.2']);
    children.push(second);
    api = rest(() => second.url);
    const after = (await api.get(`/api/instances/${s.instance}`)).body;
    pids.push(after.pid);
    expect(after).toMatchObject({ status: 'running' });
    expect(after.pid).not.toBe(before.pid);
    await waitFor(() => !isAlive(before.pid), { message: `orphan ${before.pid} stopped` });
    const dashboard = await open(second.wsUrl, '/ws/dashboard');
    expect(await agreed(api, dashboard, new Map([[s.id, s.instance]]))).toEqual([{ id: s.id, running: true, status: 'running' }]);

    await Promise.all(clients.splice(0).map((c) => c.close()));
    await second.kill('SIGTERM');
    await waitFor(() => !isAlive(after.pid), { message: `session process ${after.pid} stopped with its server` });
  }, 60_000);
});
