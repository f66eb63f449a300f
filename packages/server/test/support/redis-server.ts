// A throwaway redis-server on a free port for cluster tests: loopback only, killed by the test file. Without
// persistence by default; `persistent` keeps an append-only file (fsync on every write) in a temp directory, so a
// restart on the same port comes back with every acknowledged write.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor, type TestServer } from '@switchboard/testkit';
import { afterAll, afterEach, beforeAll } from 'vitest';

export interface TestRedis {
  url: string;
  port: number;
  /** Stop the server (SIGTERM by default) and start it again on the same port; `empty` drops its data first. */
  restart(options?: { signal?: NodeJS.Signals; empty?: boolean; downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}

async function spawnRedis(port: number, dir: string | undefined): Promise<Running> {
  const persistence = dir ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir] : ['--appendonly', 'no'];
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--save', '', ...persistence, '--bind', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited: ${out.slice(-500)}`);
      return spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG';
    },
    { timeoutMs: 10_000, intervalMs: 50, message: `redis-server to answer PING on port ${port}` },
  );
  return { child, exited };
}

async function kill(r: Running, signal: NodeJS.Signals): Promise<void> {
  if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill(signal);
  await r.exited;
}

/** `port`: bring a stopped server back where its clients look for it; a free port otherwise. */
export async function startRedis(options: { persistent?: boolean; port?: number } = {}): Promise<TestRedis> {
  const port = options.port ?? (await freePort());
  let dir = options.persistent ? mkdtempSync(join(tmpdir(), 'sb-redis-')) : undefined;
  let running = await spawnRedis(port, dir);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    restart: async ({ signal = 'SIGTERM', empty = false, downMs = 0 } = {}) => {
      await kill(running, signal);
      if (empty && dir) {
        rmSync(dir, { recursive: true, force: true });
        dir = mkdtempSync(join(tmpdir(), 'sb-redis-'));
      }
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      running = await spawnRedis(port, dir);
    },
    stop: async () => {
      await kill(running, 'SIGTERM');
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One redis-server for the whole test file (stopped after it) and the cluster nodes each test starts (closed after
 * that test). Call at the top level of a test file.
 */
export function redisForFile(options: { persistent?: boolean } = {}): { readonly redis: TestRedis; nodes: TestServer[] } {
  let redis: TestRedis | undefined;
  const nodes: TestServer[] = [];
  beforeAll(async () => {
    redis = await startRedis(options);
  }, 20_000);
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
  });
  return {
    get redis() {
      if (!redis) throw new Error('redis-server is not started yet (use it inside a test or hook)');
      return redis;
    },
    nodes,
  };
}
