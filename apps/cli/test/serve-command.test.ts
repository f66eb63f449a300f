import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@switchboard/testkit';
import { killAll, startCli, startServe } from './helpers/cli-process';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'switchboard-cli-serve-'));
});
afterEach(async () => {
  await killAll();
  rmSync(dataDir, { recursive: true, force: true });
});

async function getJson(url: string): Promise<any> {
  const res = await fetch(url);
  return res.json();
}

describe('switchboard serve', () => {
  it('prints exactly one listening line with the real port, and exits 0 on SIGTERM', { timeout: 30_000 }, async () => {
    const { cli, url } = await startServe(['--port', '0', '--data', dataDir]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(url).port)).toBeGreaterThan(0);
    const health = await fetch(`${url}/api/events?since=0`);
    expect(health.status).toBe(200);
    cli.signal('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.stdoutLines().filter((l) => l !== '')).toEqual([`Switchboard listening on ${url}`]);
  });

  it('exits 0 on SIGINT after closing WebSockets with 1001, and keeps acknowledged events', { timeout: 30_000 }, async () => {
    const { cli, url } = await startServe(['--port', '0', '--data', dataDir]);
    const post = await fetch(`${url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'cli.test', data: { n: 1 } }),
    });
    expect(post.status).toBe(201);
    const { default: WebSocket } = await import('ws');
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/events`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    cli.signal('SIGINT');
    expect(await closed).toBe(1001);
    expect(await cli.exited).toBe(0);

    const again = await startServe(['--port', '0', '--data', dataDir]);
    const page = await getJson(`${again.url}/api/events?since=0`);
    expect(page.events.map((e: { topic: string }) => e.topic)).toEqual(['cli.test']);
  });

  it('takes its settings from SWITCHBOARD_* variables', { timeout: 30_000 }, async () => {
    const { url } = await startServe([], { SWITCHBOARD_PORT: '0', SWITCHBOARD_DATA: dataDir, SWITCHBOARD_HOST: 'localhost' });
    expect(url).toMatch(/^http:\/\/localhost:\d+$/);
  });

  it('runs the demo fleet in-process with --demo', { timeout: 30_000 }, async () => {
    const { url } = await startServe(['--port', '0', '--data', dataDir, '--demo']);
    const page = await waitFor(async () => {
      const p = await getJson(`${url}/api/events?since=0&topics=session.*,agent.*`);
      return p.events.length >= 3 ? p : undefined;
    }, { timeoutMs: 10_000, message: 'demo events in the log' });
    expect(page.events[0].topic).toBe('session.created');
  });

  it('--demo raises approvals that its agents wait for and act on', { timeout: 60_000 }, async () => {
    const { url } = await startServe(['--port', '0', '--data', dataDir, '--demo']);
    const approval = await waitFor(async () => {
      const p = await getJson(`${url}/api/approvals?status=pending`);
      return p.approvals.find((a: { agent_id?: string }) => a.agent_id);
    }, { timeoutMs: 45_000, intervalMs: 200, message: 'a demo agent asking for a permission' });
    expect(approval.tool).toMatch(/^(Bash|Write|WebFetch)$/);
    // The agent waits: it shows as waiting on this approval and does nothing else until it is answered.
    const agents = (await getJson(`${url}/api/snapshot?topics=agent.*`)).state.agents;
    expect(agents[approval.agent_id]).toMatchObject({ status: 'waiting_permission', approval_id: approval.id });
    const res = await fetch(`${url}/api/approvals/${approval.id}/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'deny', reason: 'not in the demo' }),
    });
    expect(res.status).toBe(200);
    await waitFor(async () => {
      const p = await getJson(`${url}/api/events?since=0&topics=agent.action&limit=10000`);
      return p.events.some((e: { data: { id: string; detail?: string } }) => e.data.id === approval.agent_id && e.data.detail === 'permission denied, skipping that step');
    }, { timeoutMs: 15_000, intervalMs: 200, message: 'the demo agent to act on the denial' });
  });

  it.each([
    [['--port', 'eighty'], /invalid --port "eighty"/],
    [['--idle-timeout', '-5'], /invalid --idle-timeout "-5"/],
    [['--host', '0.0.0.0'], /refusing to listen on 0.0.0.0 without a token/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
  ])('refuses %j with exit code 2 and a clear message', { timeout: 30_000 }, async (args, message) => {
    const cli = startCli(['serve', '--data', dataDir, ...args]);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toMatch(message);
    expect(cli.stdoutLines().join('')).toBe('');
  });

  it('reports a busy port and exits 1', { timeout: 30_000 }, async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const cli = startCli(['serve', '--port', String(port), '--data', dataDir]);
      expect(await cli.exited).toBe(1);
      expect(cli.stderr()).toMatch(new RegExp(`cannot listen on 127.0.0.1:${port}: the port is already in use`));
    } finally {
      blocker.close();
    }
  });
});
