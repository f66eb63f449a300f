import { describe, expect, it } from 'vitest';
import { backoffDelay } from '@switchboard/protocol';
import { fastBackoff, useHarness } from './helpers/harness';
import { waitFor } from './helpers/wait';

describe('reconnect backoff', () => {
  const h = useHarness();

  it('waits the backoff table (with the injected random) between failed connects', { timeout: 10_000 }, async () => {
    const server = await h.server();
    server.refuseUpgrades = true;
    const { rec } = h.client({ url: server.url, random: () => 0.5, failuresBeforePolling: 100 });
    await waitFor(() => server.upgradeAttempts.length >= 6, { message: '6 upgrade attempts', saw: () => server.upgradeAttempts });
    const expected = [1, 2, 3, 4, 5].map((n) => backoffDelay(n, 0.5) / 100); // 7.5, 15, 30, 60, 120 ms
    expect(rec.retries.slice(0, 5)).toEqual(expected.map((delayMs, i) => ({ attempt: i + 1, delayMs, failures: i + 1 })));
    const gaps = server.upgradeAttempts.slice(1, 6).map((t, i) => t - server.upgradeAttempts[i]!);
    gaps.forEach((gap, i) => expect(gap, `gap before attempt ${i + 1}`).toBeGreaterThanOrEqual(Math.floor(expected[i]!) - 1));
    expect(rec.states.map((s) => s.to)).toEqual(['connecting', 'reconnecting']);
    expect(rec.states[1]!.reason).toEqual({ code: 'connect_failed', failures: 1, closeCode: 1006, timedOut: false });
  });

  it('starts the backoff over once the server sent a frame', { timeout: 10_000 }, async () => {
    const server = await h.server();
    server.refuseUpgrades = true;
    const { client, rec } = h.client({ url: server.url, random: () => 0, failuresBeforePolling: 100 });
    await waitFor(() => rec.retries.length >= 3, { message: '3 retries' });
    server.refuseUpgrades = false;
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot', saw: () => rec });
    const before = rec.retries.length;
    server.dropAll();
    await waitFor(() => rec.retries.length === before + 1, { message: 'retry after drop' });
    expect(rec.retries.at(-1)).toEqual({ attempt: 1, delayMs: fastBackoff(1, 0), failures: 0 });
    await waitFor(() => client.status === 'open' && rec.snapshots.length + rec.subscribed.length >= 3, { message: 'open again' });
  });

  it('gives up after maxReconnectAttempts (the 3D-client contract: 5) and says why', { timeout: 10_000 }, async () => {
    const server = await h.server();
    server.refuseUpgrades = true;
    const { client, rec } = h.client({ url: server.url, maxReconnectAttempts: 5, random: () => 0 });
    await waitFor(() => client.status === 'closed', { message: 'closed', saw: () => rec.states });
    expect(server.upgradeAttempts).toHaveLength(6); // the first connect + 5 reconnects
    expect(rec.states.map((s) => s.to)).toEqual(['connecting', 'reconnecting', 'polling', 'closed']);
    expect(rec.states.at(-1)!.reason).toEqual({ code: 'retries_exhausted', attempts: 5 });
  });

  it('retries an open socket whose server closes before sending anything as a failed connect', { timeout: 10_000 }, async () => {
    const server = await h.server();
    server.autoSubscribe = false;
    const { rec } = h.client({ url: server.url, random: () => 0, failuresBeforePolling: 100 });
    for (let i = 1; i <= 3; i++) {
      await waitFor(() => server.live.length === 1 && server.connections.length === i, { message: `socket ${i}` });
      server.connections[i - 1]!.ws.close(1011, 'boom');
      await waitFor(() => rec.retries.length === i, { message: `retry ${i}` });
    }
    expect(rec.retries.map((r) => [r.attempt, r.failures])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });
});
