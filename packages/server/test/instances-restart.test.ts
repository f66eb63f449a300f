// Restart policies with real processes through REST and `/ws/instances` (docs/control-plane.md "Restart
// policies"): on-failure backs off and gives up at the crash-loop limit, always restarts after exit 0, no never
// restarts, a stop (or archive, or a PATCH to "no") during the backoff cancels the pending restart, a server
// shutdown cancels it and the next boot runs it, and a per-instance stop grace replaces the server's.

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@switchboard/testkit';
import { frame, startHarness, uniqueName, type Harness } from './control-plane-helpers';

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((x) => x.close()));
});

const FAST = { initialDelayMs: 100, maxDelayMs: 400, resetAfterMs: 60_000, crashLoopLimit: 4, crashLoopWindowMs: 60_000 };

async function harness(overrides: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness({ restartTiming: FAST, ...overrides });
  harnesses.push(h);
  return h;
}

async function create(h: Harness, body: Record<string, unknown>): Promise<string> {
  const name = uniqueName('restart');
  const res = await h.post('/api/instances', { name, ...body });
  expect(res.status, res.text).toBe(201);
  return name;
}

async function view(h: Harness, name: string): Promise<any> {
  return (await h.get(`/api/instances/${name}`)).body;
}

/** This instance's events, oldest first. */
async function eventsOf(h: Harness, name: string, topics = 'instance.*'): Promise<any[]> {
  const res = await h.get(`/api/events?topics=${encodeURIComponent(topics)}&limit=1000`);
  return res.body.events.filter((e: any) => e.data.name === name);
}

describe('restart policies', () => {
  it('on-failure restarts with growing delays, then gives up at the crash-loop limit until a person starts it', async () => {
    const h = await harness();
    const name = await create(h, { command: 'echo run; exit 1', restart: 'on-failure' });
    expect(await view(h, name)).toMatchObject({ restart: 'on-failure', restart_count: 0, next_restart_at: null, stop_grace_ms: null });
    await h.post(`/api/instances/${name}/start`);
    const gaveUp = await waitFor(async () => {
      const v = await view(h, name);
      return v.status_reason === 'crash_loop' && v;
    }, { timeoutMs: 15_000, message: 'crash_loop' });
    expect(gaveUp).toMatchObject({ status: 'crashed', exit_code: 1, restart_count: 4, next_restart_at: null, pid: null });

    const events = await eventsOf(h, name);
    const scheduled = events.filter((e) => e.topic === 'instance.restart_scheduled').map((e) => e.data);
    expect(scheduled.map((d) => [d.attempt, d.delay_ms, d.reason, d.exit_code])).toEqual([
      [1, 100, 'exit', 1],
      [2, 200, 'exit', 1],
      [3, 400, 'exit', 1],
      [4, 400, 'exit', 1],
    ]);
    // Each automatic start is an event naming its attempt, and came no sooner than its delay after the crash.
    const autoStarts = events.filter((e) => e.topic === 'instance.status_changed' && e.data.reason === 'auto_restart' && e.data.status === 'starting');
    expect(autoStarts.map((e) => e.data.attempt)).toEqual([1, 2, 3, 4]);
    const scheduledAt = events.filter((e) => e.topic === 'instance.restart_scheduled').map((e) => Date.parse(e.ts));
    autoStarts.forEach((e, i) => expect(Date.parse(e.ts) - scheduledAt[i]!).toBeGreaterThanOrEqual(scheduled[i]!.delay_ms - 5));
    // The give-up is the last word: nothing was scheduled after it.
    const last = events.at(-1)!;
    expect(last).toMatchObject({ topic: 'instance.status_changed', data: { status: 'crashed', reason: 'crash_loop', exit_code: 1 } });
    expect(readFileSync(join(h.srv.dataDir, 'instances', name, 'output.log'), 'utf8').trim().split('\n')).toEqual(Array(5).fill('run'));

    // A person starting it again lifts the stop: the count resets and restarts resume from the first delay.
    await h.post(`/api/instances/${name}/start`);
    await waitFor(async () => (await eventsOf(h, name, 'instance.restart_scheduled')).length === 5, { message: 'a fresh schedule' });
    expect((await eventsOf(h, name, 'instance.restart_scheduled')).at(-1).data).toMatchObject({ attempt: 1, delay_ms: 100 });
    await waitFor(async () => (await view(h, name)).status_reason === 'crash_loop', { timeoutMs: 15_000, message: 'second crash_loop' });
  }, 40_000);

  it('always restarts after exit 0; no does not restart', async () => {
    const h = await harness({ restartTiming: { ...FAST, crashLoopLimit: 100 } });
    const always = await create(h, { command: 'echo tick', restart: 'always' });
    const never = await create(h, { command: 'exit 1' });
    expect(await view(h, never)).toMatchObject({ restart: 'no' });
    await h.post(`/api/instances/${always}/start`);
    await h.post(`/api/instances/${never}/start`);
    await waitFor(async () => (await view(h, always)).restart_count >= 3, { timeoutMs: 10_000, message: 'three automatic restarts' });
    const ends = (await eventsOf(h, always, 'instance.status_changed')).filter((e) => e.data.reason === 'exit');
    expect(ends.length).toBeGreaterThanOrEqual(3);
    expect(ends.every((e) => e.data.status === 'stopped' && e.data.exit_code === 0)).toBe(true);
    // Stopped for good by a person, whether it was running or waiting.
    const stopped = await h.post(`/api/instances/${always}/stop`);
    expect(stopped.status, stopped.text).toBe(200);
    expect(stopped.body).toMatchObject({ status: 'stopped', next_restart_at: null });

    await waitFor(async () => (await view(h, never)).status === 'crashed', { message: 'never crashed' });
    expect(await view(h, never)).toMatchObject({ restart_count: 0, next_restart_at: null, status_reason: 'exit' });
    expect(await eventsOf(h, never, 'instance.restart_scheduled')).toEqual([]);
  }, 30_000);

  it('a stop, an archive or a PATCH to "no" during the backoff cancels the pending restart', async () => {
    const slow = { ...FAST, initialDelayMs: 600, maxDelayMs: 600 };
    const h = await harness({ restartTiming: slow });
    const names = await Promise.all([0, 1, 2].map(() => create(h, { command: 'exit 3', restart: 'on-failure' })));
    const ws = await h.open('/ws/instances');
    await ws.next(frame('snapshot'));
    for (const name of names) await h.post(`/api/instances/${name}/start`);
    const pending = await Promise.all(
      names.map((name) => waitFor(async () => (await view(h, name)).next_restart_at, { message: `${name} pending` })),
    );
    // The control-plane frame keeps its fields; the restart bookkeeping follows as the whole instance.
    expect(await ws.next((f) => frame('status_changed', names[0])(f) && f.status === 'crashed')).toEqual({
      type: 'status_changed', name: names[0], status: 'crashed', pid: null, timestamp: expect.any(String),
    });
    expect((await ws.next((f) => frame('instance_updated', names[0])(f) && (f.instance as any).next_restart_at !== null)).instance).toMatchObject({
      restart: 'on-failure', next_restart_at: pending[0],
    });

    const [stopped, archived, patched] = names;
    const s = await h.post(`/api/instances/${stopped}/stop`);
    expect(s.status, s.text).toBe(200);
    expect(s.body).toMatchObject({ status: 'stopped', next_restart_at: null, status_reason: 'user' });
    expect((await h.post(`/api/instances/${archived}/archive`)).body).toMatchObject({ next_restart_at: null });
    const p = await h.patch(`/api/instances/${patched}`, { restart: 'no' });
    expect(p.body).toMatchObject({ restart: 'no', status: 'crashed', next_restart_at: null });
    expect((await eventsOf(h, patched, 'instance.restart_cancelled')).map((e) => e.data)).toEqual([{ name: patched, reason: 'policy' }]);

    // Past the time the restarts were due, none ran.
    const due = Math.max(...pending.map((t) => Date.parse(t)));
    await waitFor(() => Date.now() > due + 400, { timeoutMs: 3000, message: 'past the due time' });
    for (const name of names) {
      const autos = (await eventsOf(h, name, 'instance.status_changed')).filter((e) => e.data.reason === 'auto_restart');
      expect(autos, name).toEqual([]);
    }
    expect((await h.post(`/api/instances/${stopped}/stop`)).body.error.code).toBe('invalid_state');
  }, 20_000);

  it('a shutdown cancels the pending restart; the next boot runs it', async () => {
    const h = await harness({ restartTiming: { ...FAST, initialDelayMs: 800, maxDelayMs: 800 } });
    const name = await create(h, { command: 'echo up; sleep 0.3; exit 2', restart: 'on-failure' });
    await h.post(`/api/instances/${name}/start`);
    const due = await waitFor(async () => (await view(h, name)).next_restart_at, { timeoutMs: 5000, message: 'pending' });
    const { dataDir } = h.srv;
    await h.close({ keepData: true });
    const log = join(dataDir, 'instances', name, 'output.log');
    await waitFor(() => Date.now() > Date.parse(due) + 300, { timeoutMs: 3000, message: 'past the due time' });
    expect(readFileSync(log, 'utf8')).toBe('up\n');

    const again = await harness({ dataDir, restartTiming: FAST });
    try {
      await waitFor(() => readFileSync(log, 'utf8') === 'up\nup\n', { message: 'started on boot' });
      const boot = (await eventsOf(again, name, 'instance.status_changed')).filter((e) => e.data.reason === 'boot');
      expect(boot.map((e) => e.data.status)).toContain('running');
    } finally {
      await again.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 20_000);

  it('validates restart and stop_grace_ms, and a stop waits the instance grace, not the server default', async () => {
    const h = await harness({ stopGraceMs: 20_000 });
    for (const [body, field] of [
      [{ restart: 'sometimes' }, 'restart'],
      [{ restart: null }, 'restart'],
      [{ stop_grace_ms: -1 }, 'stop_grace_ms'],
      [{ stop_grace_ms: 1.5 }, 'stop_grace_ms'],
      [{ stop_grace_ms: 600_001 }, 'stop_grace_ms'],
    ] as const) {
      const res = await h.post('/api/instances', { name: uniqueName(), command: 'true', ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'validation_failed', field });
    }
    const name = await create(h, { command: "trap '' TERM; echo ready; while true; do sleep 0.1; done", stop_grace_ms: 300 });
    expect((await h.patch(`/api/instances/${name}`, { restart: 'always' })).body).toMatchObject({ restart: 'always', stop_grace_ms: 300 });
    expect((await h.patch(`/api/instances/${name}`, { restart: 'no' })).body).toMatchObject({ restart: 'no' });
    await h.post(`/api/instances/${name}/start`);
    await waitFor(() => readFileSync(join(h.srv.dataDir, 'instances', name, 'output.log'), 'utf8').includes('ready'), { message: 'trap set' });
    const t0 = Date.now();
    expect((await h.post(`/api/instances/${name}/stop`)).body).toMatchObject({ status: 'stopped' });
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(5000);
    // The clone keeps the policy and the grace.
    const copy = uniqueName();
    expect((await h.post(`/api/instances/${name}/clone`, { name: copy })).body).toMatchObject({ restart: 'no', stop_grace_ms: 300 });
  }, 20_000);
});
