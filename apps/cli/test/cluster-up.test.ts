// `switchboard cluster up` as a developer runs it: a real redis-server from PATH and real node processes; an event
// published on one node is read on the other, and SIGTERM leaves no process behind.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessAlive, waitFor } from '@switchboard/testkit';
import { killAll, startCli } from './helpers/cli-process';

let dataDir: string;
const pids: number[] = [];
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'switchboard-cli-cluster-'));
});
afterEach(async () => {
  await killAll();
  // The children run in their own process groups: a test that failed half-way must not leave them running.
  for (const pid of pids.splice(0)) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('switchboard cluster up', () => {
  it('starts redis and two nodes sharing one log, and stops them all on SIGTERM', { timeout: 90_000 }, async () => {
    const cli = startCli(['cluster', 'up', '--nodes', '2', '--base-port', '0', '--data', dataDir]);
    await cli.waitForLine(/^cluster ready$/, 60_000);
    const lines = cli.stdoutLines();
    const redis = /^redis listening on (redis:\/\/\S+) \(pid (\d+)\)$/.exec(lines.find((l) => l.startsWith('redis ')) ?? '');
    const nodes = lines.map((l) => /^(node-\d) listening on (http:\/\/\S+) \(pid (\d+)\)$/.exec(l)).filter((m) => m !== null);
    expect(redis).not.toBeNull();
    expect(nodes.map((m) => m[1])).toEqual(['node-1', 'node-2']);
    pids.push(Number(redis![2]), ...nodes.map((m) => Number(m[3])));
    const [one, two] = nodes.map((m) => m[2]!);

    const published = await fetch(`${one}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'cluster.up', data: { n: 1 } }),
    });
    expect(published.status).toBe(201);
    const { epoch, seq } = (await published.json()) as { epoch: string; seq: number };
    await waitFor(
      async () => {
        const page = (await (await fetch(`${two}/api/events?since=${seq - 1}&epoch=${epoch}`)).json()) as { events: Array<{ seq: number; topic: string }> };
        return page.events.some((e) => e.seq === seq && e.topic === 'cluster.up');
      },
      { timeoutMs: 10_000, message: 'node-2 to serve the event published on node-1' },
    );
    expect(((await (await fetch(`${two}/api/healthz`)).json()) as { node_id: string }).node_id).toBe('node-2');

    cli.signal('SIGTERM');
    expect(await cli.exited).toBe(0);
    for (const pid of pids) expect(isProcessAlive(pid), `pid ${pid} still runs`).toBe(false);
    await expect(fetch(`${one}/api/healthz`)).rejects.toThrow();
  });

  it('says clearly when redis-server is not on PATH', { timeout: 30_000 }, async () => {
    const cli = startCli(['cluster', 'up', '--nodes', '1', '--base-port', '0', '--data', dataDir], { env: { PATH: '/nonexistent' } });
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/redis-server was not found on PATH/);
  });

  it('refuses a bad node count', { timeout: 30_000 }, async () => {
    const cli = startCli(['cluster', 'up', '--nodes', '0']);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toMatch(/--nodes must be an integer from 1 to 26/);
  });
});
