import { describe, expect, it } from 'vitest';
import { statusLabel } from '../src/index';
import { useHarness } from './helpers/harness';
import { waitFor } from './helpers/wait';

const task = (id: string, percent: number) => ({ topic: 'task.progress', data: { id, kind: 'k', percent } });
const pollCalls = (calls: Array<{ method: string; url: string }>) =>
  calls.filter((c) => c.method === 'GET' && c.url.startsWith('/api/events')).map((c) => Object.fromEntries(new URL(c.url, 'http://x').searchParams));

describe('polling fallback', () => {
  const h = useHarness();

  it('polls /api/events after 3 failed connects, pages at once on has_more, and goes back to open', { timeout: 15_000 }, async () => {
    const server = await h.server();
    const { client, rec } = h.client({ url: server.url, topics: ['task.*'], random: () => 0, pollIntervalMs: 10_000, pollLimit: 2 });
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot' });
    server.append(task('a', 1));
    await waitFor(() => client.cursor?.seq === 1, { message: 'cursor at 1' });

    server.refuseUpgrades = true;
    server.dropAll();
    server.append(task('a', 2), task('a', 3), { topic: 'agent.started', data: { id: 'x', session_id: 's', name: 'n' } }, task('b', 5), task('b', 6));
    await waitFor(() => client.status === 'polling', { message: 'polling', saw: () => rec.states });
    expect(statusLabel(client.status)).toBe('Live updates unavailable — polling');
    expect(rec.states.at(-1)!.reason).toEqual({ code: 'polling_fallback', failures: 3 });

    // Four matching events, two per page: the second page follows the first at once (has_more), long
    // before the 10 s interval.
    await waitFor(() => client.cursor?.seq === 6, { message: 'cursor at 6 through polling', saw: () => server.restCalls });
    expect(pollCalls(server.restCalls)).toEqual([
      { since: '1', epoch: 'epoch-1', topics: 'task.*', limit: '2' },
      { since: '3', epoch: 'epoch-1', topics: 'task.*', limit: '2' },
    ]);
    expect(rec.events.map((e) => e.seq)).toEqual([1, 2, 3, 5, 6]);
    expect(client.state.tasks).toEqual(server.stateFor(['task.*']).tasks);

    // The socket kept retrying behind the poller; once upgrades work, it takes over from the cursor.
    server.refuseUpgrades = false;
    await waitFor(() => client.status === 'open', { message: 'open again', saw: () => rec.states.map((s) => s.to) });
    expect(rec.states.at(-1)).toMatchObject({ from: 'polling', to: 'open' });
    await waitFor(() => server.live.length === 1 && server.live[0]!.received.length > 0, { message: 'subscribe on the new socket' });
    expect(server.live[0]!.received[0]).toEqual({ type: 'subscribe', topics: ['task.*'], since: { epoch: 'epoch-1', seq: 6 } });
    const polls = pollCalls(server.restCalls).length;
    server.append(task('c', 7));
    await waitFor(() => client.cursor?.seq === 7, { message: 'cursor at 7 over the socket' });
    expect(pollCalls(server.restCalls)).toHaveLength(polls);
    expect(rec.events.map((e) => e.seq)).toEqual([1, 2, 3, 5, 6, 7]);
  });

  it('loads the snapshot first when polling starts without a cursor, and again when the epoch changed', { timeout: 15_000 }, async () => {
    const server = await h.server();
    server.refuseUpgrades = true;
    server.append(task('a', 1));
    const { client, rec } = h.client({ url: server.url, topics: ['task.*'], random: () => 0, pollIntervalMs: 30 });
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot over REST', saw: () => rec });
    expect(rec.snapshots[0]).toMatchObject({ source: 'poll', epoch: 'epoch-1', seq: 1 });
    expect(server.restCalls[0]!.url).toBe('/api/snapshot?topics=task.*');
    expect(client.state.tasks.a).toMatchObject({ percent: 1 });

    server.log.length = 0;
    server.epoch = 'epoch-2';
    server.append(task('z', 9));
    await waitFor(() => client.cursor?.epoch === 'epoch-2', { message: 'snapshot of epoch-2', saw: () => client.cursor });
    expect(rec.snapshots.at(-1)).toMatchObject({ source: 'poll', epoch: 'epoch-2', seq: 1 });
    expect(client.state.tasks).toEqual(server.stateFor(['task.*']).tasks);
  });

  it('closes when polling is refused for auth (401)', { timeout: 10_000 }, async () => {
    const server = await h.server();
    server.refuseUpgrades = true;
    server.restFailure = { status: 401, code: 'unauthorized', message: 'token required' };
    const { client, rec } = h.client({ url: server.url, random: () => 0, pollIntervalMs: 30 });
    await waitFor(() => client.status === 'closed', { message: 'closed', saw: () => rec.states });
    expect(rec.states.at(-1)!.reason).toEqual({ code: 'poll_rejected', errorCode: 'unauthorized', status: 401 });
    expect(rec.errors.at(-1)).toMatchObject({ source: 'poll', code: 'unauthorized' });
  });

  it('keeps polling through server errors', { timeout: 10_000 }, async () => {
    const server = await h.server();
    server.refuseUpgrades = true;
    server.restFailure = { status: 503, code: 'unavailable', message: 'starting' };
    const { client, rec } = h.client({ url: server.url, random: () => 0, pollIntervalMs: 20 });
    await waitFor(() => rec.errors.filter((e) => e.source === 'poll').length >= 2, { message: 'two poll errors' });
    server.restFailure = null;
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot once REST works' });
    expect(client.status).toBe('polling');
  });
});
