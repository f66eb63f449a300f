import { describe, expect, it } from 'vitest';
import { SwitchboardError } from '../src/index';
import { useHarness } from './helpers/harness';
import { waitFor } from './helpers/wait';

describe('publish over REST', () => {
  const h = useHarness();

  it('resolves one event with {epoch, seq, id} and an array with {epoch, seqs}', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const { client, rec } = h.client({ url: server.url });
    await expect(client.publish('task.started', { id: 't', kind: 'k', percent: 0 })).resolves.toEqual({ epoch: 'epoch-1', seq: 1, id: 'ev-1' });
    await expect(
      client.publish([
        { topic: 'task.progress', data: { id: 't', kind: 'k', percent: 50 } },
        { topic: 'task.completed', data: { id: 't' } },
      ]),
    ).resolves.toEqual({ epoch: 'epoch-1', seqs: [2, 3] });
    expect(server.restCalls.map((c) => [c.method, c.url])).toEqual([
      ['POST', '/api/events'],
      ['POST', '/api/events'],
    ]);
    await waitFor(() => client.state.tasks.t?.status === 'completed', { message: 'task completed in state', saw: () => rec });
  });

  it('works before connecting and without ever opening a socket', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const { client } = h.client({ url: server.url, autoConnect: false });
    await expect(client.publish('custom.x', { a: 1 })).resolves.toMatchObject({ seq: 1 });
    expect(server.connections).toHaveLength(0);
  });

  it('rejects with SwitchboardError carrying the server code', { timeout: 10_000 }, async () => {
    const server = await h.server();
    server.restFailure = { status: 400, code: 'validation_failed', message: 'data.percent: too big' };
    const { client } = h.client({ url: server.url, autoConnect: false });
    const err = await client.publish('task.progress', { id: 't', kind: 'k', percent: 900 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SwitchboardError);
    expect(err).toMatchObject({ code: 'validation_failed', status: 400, message: 'data.percent: too big', details: { field: 'data' } });
  });

  it('rejects with unavailable when nothing listens', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const url = server.url;
    await server.close();
    const { client } = h.client({ url, autoConnect: false });
    await expect(client.publish('custom.x', {})).rejects.toMatchObject({ code: 'unavailable' });
  });
});
