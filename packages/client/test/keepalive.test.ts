import { describe, expect, it } from 'vitest';
import { useHarness } from './helpers/harness';
import { waitFor } from './helpers/wait';

describe('client keepalive', () => {
  const h = useHarness();

  it('pings on the interval and stays open while the server answers', { timeout: 10_000 }, async () => {
    const server = await h.server();
    // A silence timeout well above a loaded machine's event-loop stalls, so only a missing pong can trip it.
    const { client, rec } = h.client({ url: server.url, pingIntervalMs: 100, silenceTimeoutMs: 1000 });
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot' });
    const pings = () => server.connections[0]!.received.filter((f) => f.type === 'ping').length;
    await waitFor(() => pings() >= 20, { message: '20 pings (~2 s, twice the silence timeout)', saw: pings, timeoutMs: 8000 });
    expect(client.status).toBe('open');
    expect(server.connections).toHaveLength(1);
  });

  it('drops a silent socket and reconnects (heartbeat_timeout)', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const { client, rec } = h.client({ url: server.url, pingIntervalMs: 40, silenceTimeoutMs: 150, random: () => 0 });
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot' });
    server.silent = true;
    await waitFor(() => rec.states.some((s) => s.reason.code === 'heartbeat_timeout'), { message: 'heartbeat timeout', saw: () => rec.states });
    const change = rec.states.find((s) => s.reason.code === 'heartbeat_timeout')!;
    expect(change).toMatchObject({ from: 'open', to: 'reconnecting' });
    // Silence counts from the last frame the client got (a pong just before the switch), not from the switch.
    expect((change.reason as { silentMs: number }).silentMs).toBeGreaterThanOrEqual(150);
    server.silent = false;
    await waitFor(() => client.status === 'open' && rec.subscribed.length === 2, { message: 'open again', saw: () => rec.states });
    await waitFor(() => server.connections[0]!.closed !== null, { message: 'old socket closed on the server' });
  });
});
