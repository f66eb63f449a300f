// The control-plane contract's integration tests and whole-control-plane checks: every lifecycle action's delta, an external writer
// streamed live, many clients agreeing, REST polling alongside the streams, a planted secret found nowhere it must
// not be, and a server restart on the same data dir restarting what was running.

import { appendFileSync, copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, waitFor, type Frame, isProcessAlive } from '@switchboard/testkit';
import { frame, startHarness, uniqueName, type Harness } from './control-plane-helpers';

const harnesses: Harness[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function harness(overrides: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(overrides);
  harnesses.push(h);
  return h;
}

describe('control plane integration', () => {
  it('a dashboard sees a delta within 1 s for create, start, stop, restart, clone, archive, unarchive and delete', async () => {
    const h = await harness();
    const c = await h.open('/ws/instances?include_archived=true');
    await c.next(frame('snapshot'));
    const name = uniqueName();
    const twin = uniqueName('twin');
    const steps: Array<[string, () => Promise<unknown>, (f: Frame) => boolean]> = [
      ['create', () => h.post('/api/instances', { name, command: 'sleep 30', port: 18850 }), frame('instance_created', name)],
      ['start', () => h.post(`/api/instances/${name}/start`), (f) => f.type === 'status_changed' && f.name === name && f.status === 'running'],
      ['stop', () => h.post(`/api/instances/${name}/stop`), (f) => f.type === 'status_changed' && f.name === name && f.status === 'stopped'],
      ['restart', () => h.post(`/api/instances/${name}/restart`), (f) => f.type === 'status_changed' && f.name === name && f.status === 'running'],
      ['clone', () => h.post(`/api/instances/${name}/clone`, { name: twin }), frame('instance_created', twin)],
      ['archive', () => h.post(`/api/instances/${name}/archive`), frame('instance_archived', name)],
      ['unarchive', () => h.post(`/api/instances/${name}/unarchive`), frame('instance_unarchived', name)],
      ['delete', () => h.del(`/api/instances/${name}`), frame('instance_deleted', name)],
    ];
    for (const [what, act, pred] of steps) {
      const t0 = Date.now();
      const answer = act();
      await c.next(pred, 1000).catch((err) => {
        throw new Error(`${what}: ${(err as Error).message}`);
      });
      expect(Date.now() - t0, what).toBeLessThan(1000);
      await answer;
    }
    // Frames came in log order: starting always precedes running for the same run.
    const statuses = c.frames.filter((f) => f.type === 'status_changed' && f.name === name).map((f) => f.status);
    // restart of a stopped instance only starts it; archive stops the running one.
    expect(statuses).toEqual(['starting', 'running', 'stopped', 'starting', 'running', 'stopped']);
  }, 20_000);

  it('a log viewer streams lines an external writer appends', async () => {
    const h = await harness();
    const name = uniqueName();
    await h.post('/api/instances', { name, command: 'true' });
    const log = join(h.srv.dataDir, 'instances', name, 'output.log');
    const c = await h.open(`/ws/instances/${name}/logs?backlog=50`);
    expect(await c.next()).toEqual({ type: 'backlog', lines: [], count: 0 });
    for (let i = 0; i < 5; i++) appendFileSync(log, `external ${i}\n`);
    await waitFor(() => c.frames.filter((f) => f.type === 'lines').flatMap((f) => f.lines as string[]).length === 5);
    expect(c.frames.filter((f) => f.type === 'lines').flatMap((f) => f.lines as string[])).toEqual(['external 0', 'external 1', 'external 2', 'external 3', 'external 4']);
  }, 15_000);

  it('multiple simultaneous clients receive the same deltas in the same order', async () => {
    const h = await harness();
    const clients = await Promise.all(Array.from({ length: 8 }, () => h.open('/ws/instances')));
    await Promise.all(clients.map((c) => c.next(frame('snapshot'))));
    const names = [uniqueName(), uniqueName(), uniqueName()];
    for (const name of names) {
      await h.post('/api/instances', { name, command: 'sleep 30' });
      await h.post(`/api/instances/${name}/start`);
    }
    const seqs = await Promise.all(clients.map((c) => c.collect((f) => f.type !== 'snapshot', 9)));
    const strip = (fs: Frame[]) => fs.map((f) => ({ ...f, pid: f.pid === undefined ? undefined : 'pid' }));
    for (const s of seqs) expect(strip(s)).toEqual(strip(seqs[0]!));
    expect(seqs[0]!.map((f) => f.type)).toEqual(Array(3).fill(['instance_created', 'status_changed', 'status_changed']).flat());
  }, 15_000);

  it('REST polling keeps working alongside active streams and agrees with them', async () => {
    const h = await harness();
    const c = await h.open('/ws/instances');
    const m = await h.open('/ws/messages');
    await c.next(frame('snapshot'));
    await m.next(frame('snapshot'));
    const name = uniqueName();
    await h.post('/api/instances', { name, command: 'echo polled; sleep 30' });
    const started = (await h.post(`/api/instances/${name}/start`)).body;
    const delta = await c.next((f) => f.type === 'status_changed' && f.status === 'running');
    const listed = (await h.get('/api/instances')).body.instances;
    expect(listed).toEqual([expect.objectContaining({ name, status: 'running', pid: delta.pid })]);
    expect(started.pid).toBe(delta.pid);
    const polled = (await h.get('/api/events?topics=instance.*')).body;
    expect(polled.events.map((e: any) => e.topic)).toEqual(['instance.created', 'instance.status_changed', 'instance.status_changed']);
    await waitFor(async () => (await h.get(`/api/instances/${name}/logs?tail=10`)).body.lines.includes('polled'));
    const id = (await h.post('/api/messages', { from: name, to: 'other', message_type: 'ping', payload: {} })).body.message_id;
    expect((await m.next(frame('message_event'))).message_id).toBe(id);
    expect((await h.get(`/api/messages?instance=${name}`)).body.messages.map((x: any) => x.message_id)).toEqual([id]);
  }, 15_000);

  it('a planted secret (env value, message payload) appears in no frame, event, log line or answer but GET /api/messages/:id', async () => {
    const h = await harness();
    const secret = 'PLANTED-7f3e9c1d-SECRET';
    const all = await Promise.all(['/ws/instances?include_archived=true', '/ws/messages', '/ws/events?topics=*', '/ws/agents'].map((p) => h.open(p)));
    const name = uniqueName();
    await h.post('/api/instances', { name, command: 'echo "started with a key"; sleep 30', env: { OPENAI_API_KEY: secret } });
    await h.post(`/api/instances/${name}/start`);
    await h.patch(`/api/instances/${name}`, { env: { OPENAI_API_KEY: `${secret}-2`, OTHER: secret } });
    await h.post(`/api/instances/${name}/clone`, { name: `${name}-b` });
    await h.post(`/api/instances/${name}/restart`);
    const logs = await h.open(`/ws/instances/${name}/logs`);
    await logs.next(frame('backlog'));
    const id = (await h.post('/api/messages', { from: name, to: 'b', message_type: 'creds', payload: { key: secret } })).body.message_id;
    await h.post(`/api/messages/${id}/deliver`);
    await h.post(`/api/messages/${id}/fail`, { error: 'receiver crashed' });
    await h.post('/api/messages', { from: 'x', to: 'y', message_type: 'bad', payload: 1, correlation_id: 5, extra: secret });
    await h.post(`/api/instances/${name}/archive`);
    for (const path of ['/api/instances?include_archived=true', `/api/instances/${name}`, '/api/events?limit=10000', '/api/snapshot', '/api/messages', `/api/instances/${name}/logs`]) {
      await h.get(path);
    }
    await waitFor(() => all[2]!.frames.some((f) => f.type === 'instance.archived'));
    const payload = await h.get(`/api/messages/${id}`);
    expect(payload.text).toContain(secret);

    const everything = [...h.transcript.filter((t) => t !== payload.text), ...h.logLines, ...all.flatMap((c) => c.frames.map((f) => JSON.stringify(f)))];
    expect(everything.length).toBeGreaterThan(20);
    const leaks = everything.filter((t) => t.includes('PLANTED-7f3e9c1d'));
    expect(leaks).toEqual([]);
  }, 20_000);

  it('a server restart on the same data dir restarts running instances and leaves the others as they were', async () => {
    const dataDir = makeTempDir();
    dirs.push(dataDir);
    const first = await harness({ dataDir });
    const running = uniqueName('run');
    const idle = uniqueName('idle');
    const broken = uniqueName('broken');
    // An executable that will be gone at the next boot, so restarting it fails.
    const exe = join(dataDir, 'my-sleep');
    copyFileSync('/bin/sleep', exe);
    await first.post('/api/instances', { name: running, command: 'echo "run $SWITCHBOARD_INSTANCE"; sleep 30' });
    await first.post('/api/instances', { name: idle, command: 'sleep 30' });
    await first.post('/api/instances', { name: broken, command: exe, args: ['30'] });
    const before = (await first.post(`/api/instances/${running}/start`)).body;
    expect((await first.post(`/api/instances/${broken}/start`)).body.status).toBe('running');
    await first.close({ keepData: true });
    expect(isProcessAlive(before.pid)).toBe(false);
    rmSync(exe);

    const second = await harness({ dataDir });
    const after = (await second.get(`/api/instances/${running}`)).body;
    expect(after).toMatchObject({ status: 'running' });
    expect(after.pid).not.toBe(before.pid);
    expect(isProcessAlive(after.pid)).toBe(true);
    expect((await second.get(`/api/instances/${idle}`)).body).toMatchObject({ status: 'stopped', pid: null });
    expect((await second.get(`/api/instances/${broken}`)).body).toMatchObject({ status: 'crashed', pid: null });
    await waitFor(async () => (await second.get(`/api/instances/${running}/logs`)).body.lines.filter((l: string) => l.startsWith('run ')).length === 2);
    // The restarts are events like any other.
    const reasons = (await second.get('/api/events?topics=instance.status_changed')).body.events
      .filter((e: any) => e.data.name === running)
      .map((e: any) => `${e.data.status}:${e.data.reason}`);
    expect(reasons).toEqual(['starting:user', 'running:user', 'starting:boot', 'running:boot']);
  }, 30_000);
});

