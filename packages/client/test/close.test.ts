import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Timers } from '../src/index';
import { useHarness } from './helpers/harness';
import { waitFor } from './helpers/wait';

/** Real timers that count what is pending. */
function countingTimers(): { timers: Timers; pending: Set<unknown> } {
  const pending = new Set<unknown>();
  const timers: Timers = {
    setTimeout(fn, ms) {
      const handle = setTimeout(() => {
        pending.delete(handle);
        fn();
      }, ms);
      pending.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      pending.delete(handle);
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    },
    now: () => Date.now(),
  };
  return { timers, pending };
}

describe('close()', () => {
  const h = useHarness();

  it('closes with 1000, moves to closed and leaves no timer', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const { timers, pending } = countingTimers();
    const { client, rec } = h.client({ url: server.url, timers });
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot' });
    expect(pending.size).toBeGreaterThan(0); // ping + watchdog
    client.close();
    expect(client.status).toBe('closed');
    expect(rec.states.at(-1)).toEqual({ from: 'open', to: 'closed', reason: { code: 'client_closed' } });
    expect(pending.size).toBe(0);
    await waitFor(() => server.connections[0]!.closed, { message: 'server saw the close' });
    expect(server.connections[0]!.closed).toEqual({ code: 1000, reason: '' });
    server.append({ topic: 'task.started', data: { id: 't', kind: 'k', percent: 0 } });
    client.close(); // idempotent
    expect(rec.states.filter((s) => s.to === 'closed')).toHaveLength(1);
  });

  it('leaves no timer while polling or waiting to reconnect', { timeout: 10_000 }, async () => {
    const server = await h.server();
    server.refuseUpgrades = true;
    const { timers, pending } = countingTimers();
    const { client } = h.client({ url: server.url, timers, random: () => 0, pollIntervalMs: 30 });
    await waitFor(() => client.status === 'polling' && server.restCalls.length > 0, { message: 'polling' });
    client.close();
    expect(client.status).toBe('closed');
    expect(pending.size).toBe(0);
  });

  it('lets a Node process exit by itself after close()', { timeout: 20_000 }, async () => {
    const server = await h.server();
    const script = fileURLToPath(new URL('./fixtures/close-and-exit.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, server.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.on('exit', (c) => {
        clearTimeout(kill);
        resolve(c);
      });
    });
    expect(out).toContain('closed');
    expect(code, out).toBe(0);
  });

  it('closes on pagehide and stops listening to the page', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const page = new EventTarget();
    const { client, rec } = h.client({ url: server.url, pageTarget: page });
    await waitFor(() => rec.snapshots.length === 1, { message: 'snapshot' });
    page.dispatchEvent(new Event('pagehide'));
    expect(client.status).toBe('closed');
    expect(rec.states.at(-1)!.reason).toEqual({ code: 'page_unload', event: 'pagehide' });
    await waitFor(() => server.connections[0]!.closed?.code === 1000, { message: 'close 1000' });
  });

  it('closes on beforeunload', { timeout: 10_000 }, async () => {
    const server = await h.server();
    const page = new EventTarget();
    const { client } = h.client({ url: server.url, pageTarget: page });
    await waitFor(() => client.status === 'open', { message: 'open' });
    page.dispatchEvent(new Event('beforeunload'));
    expect(client.status).toBe('closed');
  });

  it('retries at once when the page comes back online', { timeout: 10_000 }, async () => {
    const server = await h.server();
    server.refuseUpgrades = true;
    const page = new EventTarget();
    const { client, rec } = h.client({ url: server.url, pageTarget: page, backoff: () => 60_000 });
    await waitFor(() => rec.retries.length === 1, { message: 'first retry scheduled' });
    server.refuseUpgrades = false;
    page.dispatchEvent(new Event('online'));
    await waitFor(() => client.status === 'open', { message: 'open without waiting 60 s', saw: () => rec.states });
  });
});
