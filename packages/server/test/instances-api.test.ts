// The instance supervisor through its REST API (docs/control-plane.md): validation, lifecycle with real processes, exit and crash
// detection, stop escalation, process groups, PATCH, clone, delete, env masking and the log tail.

import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor, isProcessAlive } from '@switchboard/testkit';
import { startHarness, uniqueName, type Harness } from './control-plane-helpers';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function create(body: Record<string, unknown>): Promise<string> {
  const name = (body.name as string | undefined) ?? uniqueName();
  const res = await h.post('/api/instances', { name, ...body });
  expect(res.status, res.text).toBe(201);
  return name;
}

async function status(name: string): Promise<any> {
  return (await h.get(`/api/instances/${name}`)).body;
}

async function logLines(name: string): Promise<string[]> {
  return (await h.get(`/api/instances/${name}/logs?tail=1000`)).body.lines;
}

describe('instances REST', () => {
  it('validates the create body and names the field', async () => {
    h = await startHarness();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'Bad_Name', command: 'true' }, 'name'],
      [{ name: '-leading', command: 'true' }, 'name'],
      [{ name: 'a'.repeat(64), command: 'true' }, 'name'],
      [{ name: '../etc', command: 'true' }, 'name'],
      [{ name: 'ok-name' }, 'command'],
      [{ name: 'ok-name', command: '' }, 'command'],
      [{ name: 'ok-name', command: 'x', args: 'nope' }, 'args'],
      [{ name: 'ok-name', command: 'x', args: ['a', 1] }, 'args[1]'],
      [{ name: 'ok-name', command: 'x', cwd: 'relative' }, 'cwd'],
      [{ name: 'ok-name', command: 'x', env: { GOOD: 'a', 'BAD-KEY': 'b' } }, 'env.BAD-KEY'],
      [{ name: 'ok-name', command: 'x', env: { N: 1 } }, 'env.N'],
      [{ name: 'ok-name', command: 'x', port: 70000 }, 'port'],
    ];
    for (const [body, field] of cases) {
      const res = await h.post('/api/instances', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'validation_failed', field });
    }
    expect((await h.get('/api/instances')).body).toEqual({ instances: [], include_archived: false });
  }, 15_000);

  it('answers 404 instance_not_found and 409 instance_exists', async () => {
    h = await startHarness();
    for (const [method, path] of [['GET', '/api/instances/ghost'], ['POST', '/api/instances/ghost/start'], ['DELETE', '/api/instances/ghost'], ['GET', '/api/instances/ghost/logs']] as const) {
      const res = method === 'GET' ? await h.get(path) : method === 'POST' ? await h.post(path) : await h.del(path);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('instance_not_found');
    }
    const name = await create({ command: 'true' });
    const dup = await h.post('/api/instances', { name, command: 'true' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'instance_exists', field: 'name' });
    const other = await create({ command: 'true' });
    expect((await h.post(`/api/instances/${name}/clone`, { name: other })).status).toBe(409);
    expect((await h.post(`/api/instances/${name}/stop`)).body.error.code).toBe('invalid_state');
  }, 15_000);

  it('runs the command through /bin/sh -c, or the executable with args and no shell', async () => {
    h = await startHarness();
    const shell = await create({ command: 'echo "$((1 + 2)) via sh"', env: { GREETING: 'hi' } });
    const direct = await create({ command: '/bin/echo', args: ['$((1 + 2))', 'two words'] });
    await h.post(`/api/instances/${shell}/start`);
    await h.post(`/api/instances/${direct}/start`);
    await waitFor(async () => (await status(shell)).status === 'stopped' && (await status(direct)).status === 'stopped');
    expect(await logLines(shell)).toEqual(['3 via sh']);
    expect(await logLines(direct)).toEqual(['$((1 + 2)) two words']);
    expect(await status(direct)).toMatchObject({ exit_code: 0, pid: null });
  }, 15_000);

  it('exit 0 becomes stopped, any other exit crashed', async () => {
    h = await startHarness();
    const ok = await create({ command: 'exit 0' });
    const bad = await create({ command: 'echo oops >&2; exit 3' });
    await h.post(`/api/instances/${ok}/start`);
    await h.post(`/api/instances/${bad}/start`);
    await waitFor(async () => (await status(ok)).status === 'stopped', { message: 'ok stopped' });
    await waitFor(async () => (await status(bad)).status === 'crashed', { message: 'bad crashed' });
    expect(await status(bad)).toMatchObject({ exit_code: 3, pid: null });
    expect(await logLines(bad)).toEqual(['oops']);
  }, 15_000);

  it('marks a crash-looping instance crashed every time and stays healthy', async () => {
    h = await startHarness();
    const name = await create({ command: 'echo boom; exit 7' });
    const events = await h.open('/ws/instances');
    await events.next();
    for (let i = 0; i < 5; i++) {
      const started = await h.post(`/api/instances/${name}/start`);
      // It may already have crashed by the time the start answers; either way it ends crashed.
      expect(started.status).toBe(200);
      await waitFor(async () => (await status(name)).status === 'crashed', { message: `crash ${i + 1}` });
    }
    expect(await status(name)).toMatchObject({ status: 'crashed', exit_code: 7, pid: null });
    expect(await logLines(name)).toEqual(Array(5).fill('boom'));
    const crashes = await events.collect((f) => f.type === 'status_changed' && f.status === 'crashed', 5);
    expect(crashes).toHaveLength(5);
    expect((await h.get('/api/healthz')).status).toBe(200);
  }, 20_000);

  it('a command that cannot be started is marked crashed with the reason in its log', async () => {
    h = await startHarness();
    const name = await create({ command: '/definitely/not/here', args: [] });
    const res = await h.post(`/api/instances/${name}/start`);
    expect(res.body).toMatchObject({ status: 'crashed', pid: null });
    expect((await logLines(name))[0]).toMatch(/^\[switchboard\] failed to start: .*ENOENT/);
    const lost = await create({ command: 'true', cwd: '/no/such/dir' });
    expect((await h.post(`/api/instances/${lost}/start`)).body).toMatchObject({ status: 'crashed' });
    expect(await logLines(lost)).toEqual(['[switchboard] failed to start: cwd /no/such/dir is not a directory']);
    const here = await create({ command: 'pwd', cwd: '/tmp' });
    await h.post(`/api/instances/${here}/start`);
    await waitFor(async () => (await logLines(here)).length === 1);
    expect(await logLines(here)).toEqual(['/tmp']);
  }, 15_000);

  it('stop sends SIGTERM to the whole process group and SIGKILL after the grace period', async () => {
    h = await startHarness({ stopGraceMs: 300 });
    const name = await create({ command: 'sleep 31 & echo $!; wait' });
    const { body } = await h.post(`/api/instances/${name}/start`);
    expect(body.status).toBe('running');
    await waitFor(async () => (await logLines(name)).length === 1);
    const grandchild = Number((await logLines(name))[0]);
    expect(isProcessAlive(grandchild)).toBe(true);
    const stopped = await h.post(`/api/instances/${name}/stop`);
    expect(stopped.body).toMatchObject({ status: 'stopped', pid: null });
    await waitFor(() => !isProcessAlive(body.pid) && !isProcessAlive(grandchild), { message: 'leader and grandchild gone' });

    const stubborn = await create({ command: "trap '' TERM; echo ready; sleep 30" });
    const run = (await h.post(`/api/instances/${stubborn}/start`)).body;
    await waitFor(async () => (await logLines(stubborn)).includes('ready'), { message: 'the trap is set' });
    const t0 = Date.now();
    expect((await h.post(`/api/instances/${stubborn}/stop`)).body.status).toBe('stopped');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    await waitFor(() => !isProcessAlive(run.pid));
  }, 15_000);

  it('restart replaces the process; start of a running instance is a 409', async () => {
    h = await startHarness();
    const name = await create({ command: 'sleep 30' });
    const first = (await h.post(`/api/instances/${name}/start`)).body;
    expect((await h.post(`/api/instances/${name}/start`)).status).toBe(409);
    const second = (await h.post(`/api/instances/${name}/restart`)).body;
    expect(second.status).toBe('running');
    expect(second.pid).not.toBe(first.pid);
    await waitFor(() => !isProcessAlive(first.pid));
  }, 15_000);

  it('PATCH changes nickname, command and env (masked values keep theirs); the name cannot change', async () => {
    h = await startHarness();
    const name = await create({ command: 'echo "$FOO $BAR"', env: { FOO: 'one', BAR: 'two' } });
    const patched = await h.patch(`/api/instances/${name}`, { nickname: 'Primary', env: { FOO: '****', BAR: 'three', BAZ: 'new' }, port: 18900 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ nickname: 'Primary', port: 18900, env: { FOO: '****', BAR: '****', BAZ: '****' } });
    await h.post(`/api/instances/${name}/start`);
    await waitFor(async () => (await logLines(name)).length === 1);
    expect(await logLines(name)).toEqual(['one three']);
    expect((await h.patch(`/api/instances/${name}`, { name: 'other' })).body.error.field).toBe('name');
    expect((await h.patch(`/api/instances/${name}`, { env: { NEW: '****' } })).body.error.field).toBe('env.NEW');
    expect((await h.patch(`/api/instances/ghost`, { nickname: 'x' })).status).toBe(404);
  }, 15_000);

  it('clone copies command and env under a new name, stopped; delete stops the process and removes its files', async () => {
    h = await startHarness();
    const name = await create({ command: 'echo "$SECRET_KEY"; sleep 30', env: { SECRET_KEY: 'copied-value' } });
    const twin = uniqueName('twin');
    const cloned = await h.post(`/api/instances/${name}/clone`, { name: twin });
    expect(cloned.status).toBe(201);
    expect(cloned.body).toMatchObject({ name: twin, status: 'stopped', command: 'echo "$SECRET_KEY"; sleep 30', env: { SECRET_KEY: '****' } });
    const run = (await h.post(`/api/instances/${twin}/start`)).body;
    await waitFor(async () => (await logLines(twin)).includes('copied-value'));

    const dir = join(h.srv.dataDir, 'instances', twin);
    expect(existsSync(dir)).toBe(true);
    expect((await h.del(`/api/instances/${twin}`)).status).toBe(200);
    expect(isProcessAlive(run.pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    expect((await h.get(`/api/instances/${twin}`)).status).toBe(404);
  }, 15_000);

  it('keeps env values in a 0600 file, never in events, the projection or answers', async () => {
    h = await startHarness();
    const name = await create({ command: 'true', env: { API_TOKEN: 'very-secret-token' } });
    const envFile = join(h.srv.dataDir, 'instances', name, 'env.json');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(h.srv.dataDir, 'instances', name)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(envFile, 'utf8'))).toEqual({ API_TOKEN: 'very-secret-token' });
    for (const path of ['/api/instances', `/api/instances/${name}`, '/api/events', '/api/snapshot']) {
      const res = await h.get(path);
      expect(res.text).not.toContain('very-secret-token');
    }
    expect((await h.get('/api/snapshot?topics=instance.*')).body.state.instances[name]).toMatchObject({ env_keys: ['API_TOKEN'] });
  }, 15_000);

  it('lists archived instances only when asked and refuses to start them', async () => {
    h = await startHarness();
    const a = await create({ command: 'true' });
    const b = await create({ command: 'true' });
    expect((await h.post(`/api/instances/${b}/archive`)).body.archived_at).toEqual(expect.any(String));
    expect((await h.get('/api/instances')).body.instances.map((i: any) => i.name)).toEqual([a]);
    expect((await h.get('/api/instances?include_archived=true')).body.instances.map((i: any) => i.name)).toEqual([a, b]);
    expect((await h.post(`/api/instances/${b}/start`)).body.error.code).toBe('invalid_state');
    expect((await h.post(`/api/instances/${b}/archive`)).status).toBe(409);
    expect((await h.post(`/api/instances/${b}/unarchive`)).body.archived_at).toBeNull();
    expect((await h.post(`/api/instances/${b}/unarchive`)).status).toBe(409);
  }, 15_000);

  it('tails the log over REST with ?tail=N and validates it', async () => {
    h = await startHarness();
    const name = await create({ command: 'seq 1 50' });
    await h.post(`/api/instances/${name}/start`);
    await waitFor(async () => (await status(name)).status === 'stopped');
    await waitFor(async () => (await logLines(name)).length === 50);
    expect((await h.get(`/api/instances/${name}/logs?tail=3`)).body).toEqual({ name, lines: ['48', '49', '50'], count: 3 });
    expect((await h.get(`/api/instances/${name}/logs`)).body.count).toBe(50);
    expect((await h.get(`/api/instances/${name}/logs?tail=-1`)).body.error.field).toBe('tail');
    expect((await h.get(`/api/instances/${name}/logs?tail=10001`)).status).toBe(400);
  }, 15_000);
});

