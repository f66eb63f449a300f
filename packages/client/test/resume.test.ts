import { describe, expect, it } from 'vitest';
import { useHarness } from './helpers/harness';
import { waitFor } from './helpers/wait';

const task = (id: string, percent: number) => ({ topic: 'task.progress', data: { id, kind: 'k', percent } });

describe('resume after a drop', () => {
  const h = useHarness();

  it('reconnects with since = last applied cursor and gets the missed events once', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const { client, rec } = h.client({ url: server.url, topics: ['task.*'], random: () => 0 });
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot' });
    server.append(task('a', 1), task('a', 2));
    await waitFor(() => client.cursor?.seq === 2, { message: 'cursor at 2' });

    server.dropAll();
    await waitFor(() => client.status === 'reconnecting', { message: 'reconnecting', saw: () => client.status });
    server.append(task('a', 3), { topic: 'agent.started', data: { id: 'x', session_id: 's', name: 'n' } }, task('b', 5));
    await waitFor(() => client.cursor?.seq === 5, { message: 'cursor at 5', saw: () => rec });

    expect(server.connections[1]!.received[0]).toEqual({ type: 'subscribe', topics: ['task.*'], since: { epoch: 'epoch-1', seq: 2 } });
    expect(rec.subscribed[1]).toMatchObject({ recovered: true });
    expect(rec.snapshots).toHaveLength(1);
    expect(rec.events.map((e) => e.seq)).toEqual([1, 2, 3, 5]);
    expect(client.state.tasks).toEqual(server.stateFor(['task.*']).tasks);
    const moves = rec.states.map((s) => `${s.to}:${s.reason.code}`);
    expect(moves.slice(-2)).toEqual(['reconnecting:socket_dropped', 'open:socket_opened']);
    expect(rec.states.at(-1)!.reason).toEqual({ code: 'socket_opened', attempt: 1 });
  });

  it('applies a fresh snapshot when the server lost the epoch', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const { client, rec } = h.client({ url: server.url, topics: ['task.*'] });
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot' });
    server.append(task('old', 1), task('old', 2), task('old', 3));
    await waitFor(() => client.cursor?.seq === 3, { message: 'cursor at 3' });

    // The log is replaced: new epoch, seq starts over below our cursor.
    server.log.length = 0;
    server.epoch = 'epoch-2';
    server.append(task('new', 1));
    server.dropAll();
    await waitFor(() => client.cursor?.epoch === 'epoch-2', { message: 'cursor in epoch-2', saw: () => client.cursor });
    expect(server.connections[1]!.received[0]).toMatchObject({ since: { epoch: 'epoch-1', seq: 3 } });
    expect(rec.subscribed[1]).toMatchObject({ recovered: false, epoch: 'epoch-2' });
    expect(client.state.tasks).toEqual({ new: expect.objectContaining({ id: 'new', percent: 1 }) });

    server.append(task('new', 2)); // seq 2 < the old cursor 3: must not be taken for a duplicate
    await waitFor(() => client.cursor?.seq === 2, { message: 'cursor at 2 in epoch-2' });
    expect(client.state.tasks.new).toMatchObject({ percent: 2 });
  });

  it('ignores callbacks of a superseded socket', { timeout: 10_000 }, async () => {
    // A scripted socket (platform double): the first one never opens, the connect timeout replaces it,
    // then it "opens" and delivers a frame through handlers captured before it was replaced.
    const sockets: ScriptedSocket[] = [];
    class ScriptedSocket {
      readyState = 0;
      sent: string[] = [];
      onopen: ((e: unknown) => void) | null = null;
      onmessage: ((e: { data: unknown }) => void) | null = null;
      onclose: ((e: { code: number; reason: string }) => void) | null = null;
      onerror: ((e: unknown) => void) | null = null;
      constructor(readonly url: string) {
        sockets.push(this);
      }
      send(data: string) {
        this.sent.push(data);
      }
      close() {
        this.readyState = 3;
      }
    }
    const { client, rec } = h.client({ url: 'http://127.0.0.1:1', WebSocket: ScriptedSocket, connectTimeoutMs: 20 });
    await waitFor(() => sockets.length === 1 && sockets[0]!.onopen, { message: 'first socket' });
    const stale = { onopen: sockets[0]!.onopen!, onmessage: sockets[0]!.onmessage!, onclose: sockets[0]!.onclose! };
    await waitFor(() => sockets.length === 2, { message: 'second socket after connect timeout', saw: () => rec.states });
    expect(rec.states.at(-1)!.reason).toMatchObject({ code: 'connect_failed', timedOut: true, failures: 1 });

    sockets[0]!.readyState = 1;
    stale.onopen({});
    stale.onmessage({ data: JSON.stringify({ type: 'snapshot', epoch: 'ghost', seq: 9, state: {} }) });
    stale.onclose({ code: 1006, reason: '' });
    expect(client.status).toBe('reconnecting');
    expect(client.cursor).toBeNull();
    expect(rec.snapshots).toEqual([]);
    expect(sockets[0]!.sent).toEqual([]);
  });
});
