// A local cluster for development (README "Cluster"): one redis-server from PATH and N `switchboard serve` nodes on
// consecutive ports, each with its own data dir and node id, all sharing the log through that Redis. Every child
// is stopped (SIGTERM, then SIGKILL after a grace) when the cluster stops.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, EXIT } from '../cli-error';

/** apps/cli/bin/switchboard.js: each node is this same CLI running `serve`. */
const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));
/** How long a node or Redis gets to start, and to stop before SIGKILL. */
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 15_000;

export interface LocalClusterOptions {
  nodes: number;
  /** First node's port; the others follow. 0: every node on a free port. */
  basePort: number;
  /** 0: a free port. */
  redisPort: number;
  host: string;
  /** Parent of every node's data dir and of Redis's append-only file. */
  dataDir: string;
  /** Where the children's output goes, one prefixed line at a time. */
  out: (line: string) => void;
}

export interface ClusterChild {
  name: string;
  pid: number;
  /** `http://host:port` of a node, `redis://host:port` of Redis. */
  url: string;
}

export interface LocalCluster {
  redis: ClusterChild;
  nodes: ClusterChild[];
  /** Stop every node, then Redis; resolves when all have exited. */
  stop(): Promise<void>;
  /** Resolves when Redis exits without being asked to. A node that exits is only reported (try failover by hand). */
  redisExited: Promise<number | string>;
}

interface Running {
  name: string;
  child: ChildProcess;
  exited: Promise<number | string>;
}

export async function startLocalCluster(o: LocalClusterOptions): Promise<LocalCluster> {
  const started: Running[] = [];
  let stopping = false;
  let reportExit!: (code: number | string) => void;
  const redisExited = new Promise<number | string>((r) => (reportExit = r));
  const stop = async () => {
    stopping = true;
    // Nodes first: they flush their last writes to Redis while it still runs.
    const [redis, ...nodes] = started;
    await Promise.all(nodes.map(terminate));
    if (redis) await terminate(redis);
  };
  try {
    const redisPort = o.redisPort || (await freePort(o.host));
    const redisDir = resolve(o.dataDir, 'redis');
    mkdirSync(redisDir, { recursive: true });
    const redis = launch('redis', 'redis-server', ['--port', String(redisPort), '--bind', o.host, '--dir', redisDir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], o.out);
    started.push(redis);
    await redisReady(redis, o.host, redisPort);
    void redis.exited.then((code) => !stopping && reportExit(code));
    const redisUrl = `redis://${o.host}:${redisPort}`;
    const nodes: ClusterChild[] = [];
    for (let i = 0; i < o.nodes; i++) {
      const name = `node-${i + 1}`;
      const port = o.basePort === 0 ? 0 : o.basePort + i;
      const dataDir = join(o.dataDir, name);
      const node = launch(name, process.execPath, [BIN, 'serve', '--host', o.host, '--port', String(port), '--data', dataDir, '--redis', redisUrl, '--node-id', name], o.out);
      started.push(node);
      const url = await listening(node, o.out);
      nodes.push({ name, pid: node.child.pid!, url });
    }
    return { redis: { name: 'redis', pid: redis.child.pid!, url: redisUrl }, nodes, stop, redisExited };
  } catch (err) {
    await stop();
    throw err;
  }
}

function launch(name: string, command: string, args: string[], out: (line: string) => void): Running {
  // Own process group: a terminal's Ctrl-C reaches only this command, which stops the children in order (a node
  // getting both the terminal's SIGINT and the stop's SIGTERM would take the second as "exit now").
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env, detached: true });
  const exited = new Promise<number | string>((res) => {
    child.once('exit', (code, signal) => res(code ?? signal ?? -1));
    // Not found on PATH (or not executable): there is no process to wait for.
    child.once('error', (err: NodeJS.ErrnoException) => {
      (child as { spawnError?: NodeJS.ErrnoException }).spawnError = err;
      res(err.code ?? 'error');
    });
  });
  for (const stream of [child.stdout!, child.stderr!]) prefixLines(stream, name, out);
  return { name, child, exited };
}

function prefixLines(stream: NodeJS.ReadableStream, name: string, out: (line: string) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const line of parts) out(`[${name}] ${line}`);
  });
}

async function terminate(r: Running): Promise<void> {
  const { child } = r;
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await r.exited;
  clearTimeout(timer);
}

/** Redis answers PING (over a plain socket: the CLI carries no Redis client). */
async function redisReady(r: Running, host: string, port: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const spawnError = (r.child as { spawnError?: NodeJS.ErrnoException }).spawnError;
    if (spawnError?.code === 'ENOENT') {
      throw new CliError('redis-server was not found on PATH: install Redis (e.g. `apt install redis-server` or `brew install redis`), or start the nodes yourself with `switchboard serve --redis redis://…`', EXIT.failure);
    }
    if (spawnError) throw new CliError(`redis-server could not be started: ${spawnError.message}`, EXIT.failure);
    if (r.child.exitCode !== null) throw new CliError(`redis-server exited (${r.child.exitCode}) before answering on port ${port}; is the port taken? (see its output above)`, EXIT.failure);
    if (await pingOnce(host, port)) return;
    if (Date.now() > deadline) throw new CliError(`redis-server did not answer on port ${port} within ${START_TIMEOUT_MS / 1000} s`, EXIT.failure);
    await new Promise((res) => setTimeout(res, 100));
  }
}

function pingOnce(host: string, port: number): Promise<boolean> {
  return new Promise((res) => {
    const socket = connect({ host, port });
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      res(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      answer += d.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

/** The node's "listening on <url>" line (see `switchboard serve`). */
function listening(r: Running, out: (line: string) => void): Promise<string> {
  return new Promise((res, rej) => {
    let seen = '';
    const onData = (chunk: Buffer | string) => {
      seen += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(seen);
      if (!m) return;
      cleanup();
      res(m[1]!);
    };
    const timer = setTimeout(() => {
      cleanup();
      rej(new CliError(`${r.name} did not start within ${START_TIMEOUT_MS / 1000} s (see its output above)`, EXIT.failure));
    }, START_TIMEOUT_MS);
    const cleanup = () => {
      clearTimeout(timer);
      r.child.stdout!.off('data', onData);
    };
    r.child.stdout!.on('data', onData);
    void r.exited.then((code) => {
      cleanup();
      out(`${r.name} exited (${code})`);
      rej(new CliError(`${r.name} exited (${code}) before listening (see its output above)`, EXIT.failure));
    });
  });
}

function freePort(host: string): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}
