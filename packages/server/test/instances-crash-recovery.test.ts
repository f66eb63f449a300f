// After `kill -9` of the server, its instance keeps running as an orphan; the next server on the same data dir
// recognises that run (by its marker), stops it and starts a fresh one: no duplicate, nothing left stale (docs/control-plane.md).

import { readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, spawnServer, waitFor, type ServerProcess } from '@switchboard/testkit';

const servers: ServerProcess[] = [];
const dirs: string[] = [];
/** Instance pids to kill by group if a failed test left them running. */
const pids: number[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.kill('SIGTERM')));
  for (const pid of pids.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function call(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

describe('crash recovery', () => {
  it('a server killed with SIGKILL: the next one replaces the orphaned run and leaves no duplicate', async () => {
    const dataDir = makeTempDir();
    dirs.push(dataDir);
    const first = await spawnServer(['--data', dataDir]);
    servers.push(first);
    await call(first.url, 'POST', '/api/instances', { name: 'survivor', command: 'sleep 60' });
    const before = await call(first.url, 'POST', '/api/instances/survivor/start');
    expect(before.status).toBe('running');
    pids.push(before.pid);
    await first.kill('SIGKILL');
    // The orphan outlived its server: it has its own process group.
    expect(running(before.pid)).toBe(true);

    const second = await spawnServer(['--data', dataDir]);
    servers.push(second);
    const after = await call(second.url, 'GET', '/api/instances/survivor');
    expect(after.status).toBe('running');
    pids.push(after.pid);
    expect(after.pid).not.toBe(before.pid);
    expect(running(after.pid)).toBe(true);
    await waitFor(() => !running(before.pid), { message: `orphan ${before.pid} stopped` });

    await second.kill('SIGTERM');
    await waitFor(() => !running(after.pid), { message: `instance ${after.pid} stopped with its server` });
  }, 60_000);
});

/** Running (a zombie waiting for init to reap it no longer runs). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
