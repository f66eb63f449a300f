// Plans end to end (docs/workspaces-and-plans.md): steps run in order as real child processes, output streams as printed, a failure
// skips the rest, cancel kills the running step's process group, bad bodies get a 400 naming the field, and every
// change is a plan.* event on /ws/events.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectRaw, makeTempDir, startTestServer, waitFor, type RawClient, type TestServer } from '@switchboard/testkit';
import { isAlive } from './support/processes';
import { rest } from './support/rest';

let srv: TestServer;
const clients: RawClient[] = [];
const dirs: string[] = [];
const api = rest(() => srv.url);

async function open(path: string): Promise<RawClient> {
  const c = await connectRaw(srv.wsUrl + path);
  clients.push(c);
  return c;
}

async function watchPlan(body: unknown): Promise<{ id: string; c: RawClient }> {
  const res = await api.post('/api/plans', body);
  expect(res.status).toBe(201);
  const c = await open('/ws/my-session');
  c.send({ type: 'subscribe', plan_id: res.body.id });
  await c.next((f) => f.type === 'subscribed');
  return { id: res.body.id, c };
}

const isEnd = (f: { type: string }) => f.type === 'plan_completed' || f.type === 'plan_failed';


beforeEach(async () => {
  srv = await startTestServer();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await srv.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('running a plan', () => {
  it('runs three steps in order and streams step_status and step_output in order', async () => {
    const { id, c } = await watchPlan({
      name: 'three',
      steps: [
        { name: 'first', command: 'echo one' },
        { name: 'second', command: "printf 'two-a\\n'; sleep 0.2; printf 'two-b\\n'" },
        { name: 'third', command: 'echo three >&2' },
      ],
    });
    expect((await api.post(`/api/plans/${id}/run`)).body).toMatchObject({ id, status: 'running' });
    await c.next(isEnd, 10_000);
    const seen = c.frames
      .filter((f) => f.plan_id === id && f.type !== 'subscribed')
      .map((f) => (f.type === 'step_status' ? `${f.step_index}:${f.status}` : f.type === 'step_output' ? `${f.step_index}>${f.output}` : f.type));
    expect(seen).toEqual([
      // The subscription's answer: the plan's state as it was, before anything ran.
      'plan_state',
      '0:running', '0>one\n', '0:completed',
      '1:running', '1>two-a\n', '1>two-b\n', '1:completed',
      '2:running', '2>three\n', '2:completed',
      'plan_completed',
    ]);
    const plan = (await api.get(`/api/plans/${id}`)).body;
    expect(plan).toMatchObject({ status: 'completed', error: null });
    expect(plan.steps.map((s: any) => [s.status, s.output])).toEqual([
      ['completed', 'one\n'],
      ['completed', 'two-a\ntwo-b\n'],
      ['completed', 'three\n'],
    ]);
  });

  it('marks the steps after a failure skipped and sends plan_failed', async () => {
    const { id, c } = await watchPlan({
      name: 'breaks',
      steps: [{ name: 'ok', command: 'true' }, { name: 'bad', command: 'exit 7' }, { name: 'never', command: 'touch never-ran' }, { name: 'nor', command: 'true' }],
    });
    await api.post(`/api/plans/${id}/run`);
    const end = await c.next(isEnd, 10_000);
    expect(end).toMatchObject({ type: 'plan_failed', error: 'step 2 "bad" failed: exit code 7' });
    const statuses = c.frames.filter((f) => f.type === 'step_status').map((f) => `${f.step_index}:${f.status}`);
    expect(statuses).toEqual(['0:running', '0:completed', '1:running', '1:failed', '2:skipped', '3:skipped']);
    const plan = (await api.get(`/api/plans/${id}`)).body;
    expect(plan.status).toBe('failed');
    expect(plan.steps.map((s: any) => s.status)).toEqual(['completed', 'failed', 'skipped', 'skipped']);
  });

  it('cancel kills the running step and everything it started, skips the rest and ends the plan cancelled', async () => {
    const dir = makeTempDir('sb-plan-');
    dirs.push(dir);
    const { id, c } = await watchPlan({
      name: 'long',
      cwd: dir,
      steps: [{ name: 'forever', command: 'sleep 60 & echo $! > child.pid; echo started; wait' }, { name: 'after', command: 'true' }],
    });
    await api.post(`/api/plans/${id}/run`);
    await c.next((f) => f.type === 'step_output' && String(f.output).includes('started'));
    const childPid = Number(readFileSync(join(dir, 'child.pid'), 'utf8'));
    expect(isAlive(childPid)).toBe(true);
    const res = await api.post(`/api/plans/${id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled', error: 'cancelled by request' });
    expect(res.body.steps.map((s: any) => [s.status, s.error])).toEqual([['failed', 'cancelled'], ['skipped', null]]);
    expect(await c.next(isEnd)).toMatchObject({ type: 'plan_failed', error: 'cancelled by request' });
    await waitFor(() => !isAlive(childPid), { message: `background child ${childPid} of the cancelled step killed` });
    expect((await api.post(`/api/plans/${id}/cancel`)).body.error.code).toBe('invalid_state');
  });

  it('cancel SIGKILLs, after the stop grace, a background process that ignores SIGTERM', async () => {
    await srv.close();
    srv = await startTestServer({ stopGraceMs: 200 });
    const { id, c } = await watchPlan({
      name: 'stubborn',
      steps: [{ name: 'ignores-term', command: "(trap '' TERM; while :; do sleep 0.05; done) & echo $!; wait" }],
    });
    await api.post(`/api/plans/${id}/run`);
    const pid = Number((await c.next((f) => f.type === 'step_output')).output);
    expect((await api.post(`/api/plans/${id}/cancel`)).body.status).toBe('cancelled');
    await waitFor(() => !isAlive(pid), { message: `SIGTERM-immune ${pid} killed after the grace` });
  });

  it('cancels a plan that never ran, and refuses to run it or any plan twice', async () => {
    const a = (await api.post('/api/plans', { name: 'a', steps: [{ name: 's', command: 'true' }] })).body.id;
    const cancelled = await api.post(`/api/plans/${a}/cancel`);
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    expect(cancelled.body.steps[0].status).toBe('skipped');
    expect((await api.post(`/api/plans/${a}/run`)).status).toBe(409);
    const b = (await api.post('/api/plans', { name: 'b', steps: [{ name: 's', command: 'true' }] })).body.id;
    await api.post(`/api/plans/${b}/run`);
    const again = await api.post(`/api/plans/${b}/run`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('invalid_state');
    expect((await api.post('/api/plans/plan-nope/run')).body.error.code).toBe('plan_not_found');
    expect((await api.get('/api/plans/plan-nope')).status).toBe(404);
    expect((await api.get('/api/plans')).body.map((p: any) => p.id).sort()).toEqual([a, b].sort());
  });

  it('runs steps in the plan cwd and reports a command that cannot start', async () => {
    const dir = makeTempDir('sb-plan-');
    dirs.push(dir);
    const { id, c } = await watchPlan({ name: 'cwd', cwd: dir, steps: [{ name: 'where', command: 'pwd; touch here' }, { name: 'missing', command: 'definitely-not-a-command-xyz' }] });
    await api.post(`/api/plans/${id}/run`);
    const end = await c.next(isEnd, 10_000);
    expect(existsSync(join(dir, 'here'))).toBe(true);
    expect(end).toMatchObject({ type: 'plan_failed', error: 'step 2 "missing" failed: exit code 127' });
  });
});

describe('plan bodies', () => {
  it.each<[string, unknown, string]>([
    ['a missing name', { steps: [{ name: 'a', command: 'true' }] }, 'name'],
    ['an empty name', { name: ' ', steps: [{ name: 'a', command: 'true' }] }, 'name'],
    ['missing steps', { name: 'p' }, 'steps'],
    ['empty steps', { name: 'p', steps: [] }, 'steps'],
    ['a step that is not an object', { name: 'p', steps: ['echo'] }, 'steps[0]'],
    ['a step without a command', { name: 'p', steps: [{ name: 'a', command: 'true' }, { name: 'b' }] }, 'steps[1].command'],
    ['a step name of the wrong type', { name: 'p', steps: [{ name: 3, command: 'true' }] }, 'steps[0].name'],
    ['a cwd that does not exist', { name: 'p', steps: [{ name: 'a', command: 'true' }], cwd: '/definitely/not/here' }, 'cwd'],
    ['a body that is not an object', [1, 2], 'body'],
  ])('answers 400 naming the field for %s', async (_name, body, field) => {
    const res = await api.post('/api/plans', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', field });
    expect(res.body.error.message).toContain(field);
  });

  it('answers 400 invalid_json for a body that is not JSON', async () => {
    const res = await api.postRaw('/api/plans', '{nope');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
  });
});

describe('plan events in the log', () => {
  it('publishes plan.* events on /ws/events and refuses them from producers', async () => {
    const events = await open('/ws/events?topics=plan.*');
    await events.next((f) => f.type === 'snapshot');
    const id = (await api.post('/api/plans', { name: 'logged', steps: [{ name: 'a', command: 'echo x' }] })).body.id;
    await api.post(`/api/plans/${id}/run`);
    await events.next((f) => f.type === 'plan.completed');
    expect(events.frames.filter((f) => f.type.startsWith('plan.')).map((f) => f.type)).toEqual([
      'plan.created', 'plan.step_status', 'plan.step_output', 'plan.step_status', 'plan.completed',
    ]);
    expect(events.frames.find((f) => f.type === 'plan.step_output')).toMatchObject({ data: { plan_id: id, step_index: 0, output: 'x\n' } });
    const forged = await api.post('/api/events', { topic: 'plan.completed', data: { plan_id: id } });
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe('reserved_topic');
  });

  it('after a restart, a plan the old process left running is failed with its remaining steps skipped', async () => {
    const dataDir = makeTempDir('sb-data-');
    dirs.push(dataDir);
    await srv.close();
    srv = await startTestServer({ dataDir });
    // What a crash mid-run leaves in the log: a running step and no end event.
    srv.server.log.append([
      { topic: 'plan.created', data: { plan_id: 'plan-crashed', name: 'c', steps: [{ name: 'a', command: 'true' }, { name: 'b', command: 'sleep 60' }, { name: 'c', command: 'true' }] } },
      { topic: 'plan.step_status', data: { plan_id: 'plan-crashed', step_index: 0, step_name: 'a', status: 'running', output: null, error: null } },
      { topic: 'plan.step_status', data: { plan_id: 'plan-crashed', step_index: 0, step_name: 'a', status: 'completed', output: '', error: null } },
      { topic: 'plan.step_status', data: { plan_id: 'plan-crashed', step_index: 1, step_name: 'b', status: 'running', output: null, error: null } },
    ]);
    await srv.close();
    srv = await startTestServer({ dataDir });
    const plan = (await api.get('/api/plans/plan-crashed')).body;
    expect(plan.status).toBe('failed');
    expect(plan.steps.map((s: any) => s.status)).toEqual(['completed', 'failed', 'skipped']);
    expect(plan.error).toContain('restarted');
  });
});
