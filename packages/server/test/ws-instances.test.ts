// The control-plane contract's `/ws/instances` tests (docs/control-plane.md): upgrade, snapshot, deltas on create/start/archive, the
// include_archived toggle and the lag → re-snapshot rule, against a real server with real child processes.

import { afterEach, describe, expect, it } from 'vitest';
import { waitFor, type Frame } from '@switchboard/testkit';
import { frame, startHarness, uniqueName, type Harness } from './control-plane-helpers';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const SLEEPER = 'echo started; sleep 30';

describe('/ws/instances', () => {
  it('ws_instances_upgrade: GET /ws/instances upgrades to a WebSocket', async () => {
    h = await startHarness();
    const c = await h.open('/ws/instances');
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    expect((await c.next()).type).toBe('snapshot');
  }, 15_000);

  it('ws_instances_snapshot: the first frame is the complete instance list without archived ones', async () => {
    h = await startHarness();
    const running = uniqueName();
    const stopped = uniqueName();
    const archived = uniqueName();
    expect((await h.post('/api/instances', { name: running, command: SLEEPER, port: 18801 })).status).toBe(201);
    expect((await h.post('/api/instances', { name: stopped, command: 'true', env: { TOKEN: 's3cr3t-value' } })).status).toBe(201);
    expect((await h.post('/api/instances', { name: archived, command: 'true' })).status).toBe(201);
    const started = await h.post(`/api/instances/${running}/start`);
    expect(started.body).toMatchObject({ status: 'running' });
    await h.post(`/api/instances/${archived}/archive`);

    const c = await h.open('/ws/instances');
    const snap = await c.next();
    expect(snap).toMatchObject({ type: 'snapshot', include_archived: false });
    const list = snap.instances as any[];
    expect(list.map((i) => i.name)).toEqual([running, stopped]);
    expect(list[0]).toMatchObject({ name: running, status: 'running', port: 18801, pid: started.body.pid, archived_at: null });
    expect(list[1]).toMatchObject({ name: stopped, status: 'stopped', port: null, pid: null, archived_at: null, env: { TOKEN: '****' } });
    expect(JSON.stringify(snap)).not.toContain('s3cr3t-value');
  }, 15_000);

  it('ws_instances_delta_on_start: starting an instance produces status_changed within 1 s', async () => {
    h = await startHarness();
    const name = uniqueName();
    await h.post('/api/instances', { name, command: SLEEPER });
    const c = await h.open('/ws/instances');
    await c.next(frame('snapshot'));
    const t0 = Date.now();
    const res = h.post(`/api/instances/${name}/start`);
    const delta = await c.next((f) => f.type === 'status_changed' && f.status === 'running', 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(delta).toEqual({ type: 'status_changed', name, status: 'running', pid: expect.any(Number), timestamp: expect.any(String) });
    expect((await res).body.pid).toBe(delta.pid);

    await h.post(`/api/instances/${name}/stop`);
    expect(await c.next((f) => f.type === 'status_changed' && f.status === 'stopped', 1000)).toMatchObject({ name, pid: null });
  }, 15_000);

  it('ws_instances_delta_on_create: creating an instance produces instance_created', async () => {
    h = await startHarness();
    const c = await h.open('/ws/instances');
    await c.next(frame('snapshot'));
    const name = uniqueName();
    const t0 = Date.now();
    await h.post('/api/instances', { name, command: 'true', port: 18802 });
    const delta = await c.next(frame('instance_created'), 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(delta).toEqual({ type: 'instance_created', name, port: 18802, status: 'stopped', timestamp: expect.any(String) });
    expect(Number.isNaN(Date.parse(delta.timestamp as string))).toBe(false);
  }, 15_000);

  it('ws_instances_delta_on_archive: archiving produces instance_archived for every client', async () => {
    h = await startHarness();
    const name = uniqueName();
    await h.post('/api/instances', { name, command: SLEEPER });
    await h.post(`/api/instances/${name}/start`);
    const plain = await h.open('/ws/instances');
    const all = await h.open('/ws/instances?include_archived=true');
    await plain.next(frame('snapshot'));
    expect(await all.next(frame('snapshot'))).toMatchObject({ include_archived: true });
    const res = await h.post(`/api/instances/${name}/archive`);
    expect(res.body).toMatchObject({ status: 'stopped', archived_at: expect.any(String) });
    for (const c of [plain, all]) {
      // Archiving a running instance stops it first, so views see it stop, then go.
      expect(await c.next((f) => f.type === 'status_changed' && f.status === 'stopped', 1000)).toMatchObject({ name });
      expect(await c.next(frame('instance_archived'), 1000)).toEqual({ type: 'instance_archived', name, timestamp: expect.any(String) });
    }
  }, 15_000);

  it('ws_instances_include_archived: set_include_archived toggles archived instances in snapshots and deltas', async () => {
    h = await startHarness();
    const live = uniqueName();
    const shelved = uniqueName();
    await h.post('/api/instances', { name: live, command: 'true' });
    await h.post('/api/instances', { name: shelved, command: 'true' });
    await h.post(`/api/instances/${shelved}/archive`);

    const c = await h.open('/ws/instances');
    expect(((await c.next(frame('snapshot'))).instances as any[]).map((i) => i.name)).toEqual([live]);
    c.send({ type: 'set_include_archived', value: true });
    const withArchived = await c.next(frame('snapshot'));
    expect(withArchived.include_archived).toBe(true);
    expect((withArchived.instances as any[]).map((i) => [i.name, i.archived_at !== null])).toEqual([[live, false], [shelved, true]]);

    // Deltas about an archived instance reach only clients that include archived ones.
    const plain = await h.open('/ws/instances');
    await plain.next(frame('snapshot'));
    await h.del(`/api/instances/${shelved}`);
    expect(await c.next(frame('instance_deleted'), 1000)).toEqual({ type: 'instance_deleted', name: shelved, timestamp: expect.any(String) });
    plain.send({ type: 'ping' });
    await plain.next(frame('pong'));
    expect(plain.frames.some((f) => f.type === 'instance_deleted')).toBe(false);

    c.send({ type: 'set_include_archived', value: false });
    expect(await c.next(frame('snapshot'))).toMatchObject({ include_archived: false });

    // Unarchiving reaches everyone, with what a view needs to show the instance again.
    await h.post(`/api/instances/${live}/archive`);
    await h.post(`/api/instances/${live}/unarchive`);
    expect(await plain.next(frame('instance_unarchived'), 1000)).toEqual({
      type: 'instance_unarchived', name: live, status: 'stopped', port: null, pid: null, timestamp: expect.any(String),
    });

    c.send({ type: 'set_include_archived', value: 'yes' });
    expect(await c.next(frame('error'))).toMatchObject({ code: 'bad_request' });
    c.send({ type: 'subscribe' });
    expect(await c.next(frame('error'))).toMatchObject({ code: 'unknown_type' });
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  }, 15_000);

  it('ws_instances_lagged_resnapshot: a client that stops reading gets a fresh snapshot instead of stale deltas', async () => {
    h = await startHarness({ maxQueueBytes: 256 * 1024 });
    // Twenty instances with 60 KB commands make every snapshot about 1.2 MB.
    const pad = `: ${'x'.repeat(60_000)}`;
    for (let i = 0; i < 20; i++) expect((await h.post('/api/instances', { name: uniqueName('big'), command: pad })).status).toBe(201);
    const slow = await h.open('/ws/instances');
    const fast = await h.open('/ws/instances');
    await slow.next(frame('snapshot'));
    await fast.next(frame('snapshot'));
    const socket = (slow.ws as any)._socket;
    socket.pause();
    // Loopback buffers take several MB before the server's queue grows: ask for ~50 MB of snapshots.
    const asks = 40;
    for (let i = 0; i < asks; i++) slow.send({ type: 'set_include_archived', value: true });
    const late = uniqueName('late');
    await h.post('/api/instances', { name: late, command: 'true' });
    await h.post(`/api/instances/${late}/start`);
    expect(await fast.next((f) => f.type === 'status_changed' && f.name === late && f.status === 'stopped', 5000)).toBeTruthy();

    socket.resume();
    const resnap = await slow.next((f) => f.type === 'snapshot' && f.reason === 'lagged', 20_000);
    expect(resnap.include_archived).toBe(true);
    // The client's view (last snapshot + the deltas after it) converges to the server's, with no hole: the lag may
    // have struck more than once, each time replacing the dropped deltas with a fresh snapshot.
    const listed: any[] = (await h.get('/api/instances')).body.instances;
    const want = Object.fromEntries(listed.map((i) => [i.name, i.status]).sort());
    expect(want[late]).toBe('stopped');
    await waitFor(() => JSON.stringify(viewOf(slow.frames)) === JSON.stringify(want), { timeoutMs: 20_000, message: 'the slow view equals REST' });
    // Snapshots asked for while it lagged were dropped, not queued without bound.
    const answered = slow.frames.filter((f) => f.type === 'snapshot' && f.reason === undefined).length - 1;
    expect(answered).toBeLessThan(asks);
    // And it is live again.
    const after = uniqueName('after');
    await h.post('/api/instances', { name: after, command: 'true' });
    expect(await slow.next(frame('instance_created', after), 5000)).toBeTruthy();
  }, 60_000);
});

/** name → status as a client holds it: the last snapshot, then the deltas after it, applied in order. */
function viewOf(frames: Frame[]): Record<string, string> {
  let last = -1;
  frames.forEach((f, i) => {
    if (f.type === 'snapshot') last = i;
  });
  const view: Record<string, string> = {};
  for (const i of (frames[last]!.instances as any[])) view[i.name] = i.status;
  for (const f of frames.slice(last + 1)) {
    if (f.type === 'instance_created') view[f.name as string] = f.status as string;
    if (f.type === 'status_changed') view[f.name as string] = f.status as string;
    if (f.type === 'instance_deleted') delete view[f.name as string];
  }
  return Object.fromEntries(Object.entries(view).sort());
}
