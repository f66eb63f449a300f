// The servers under test: how to start each one's child process, where its subscribers connect, where the
// publisher POSTs, and which client protocol the generator speaks to it.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkTs, type ChildHandle } from './child-process';
import { BENCH_PATTERN, PEER_PUBLISH_PATH } from './constants';
import type { ClientKind } from './generator/subscriber-worker';

export type TargetName = 'switchboard' | 'ws' | 'ws-corked' | 'socketio';

export interface Target {
  name: TargetName;
  /** Column label in the table. */
  label: string;
  client: ClientKind;
  /** How events reach the server (same for every target: an HTTP POST of a JSON batch). */
  publishPath: string;
  file: string;
  args: string[];
  subscribeUrl(port: number): string;
  publishUrl(port: number): string;
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export const TARGETS: Record<TargetName, Target> = {
  switchboard: {
    name: 'switchboard',
    label: 'Switchboard',
    client: 'switchboard',
    publishPath: 'POST /api/events',
    file: here('./servers/switchboard-child.ts'),
    args: [],
    subscribeUrl: (port) => `ws://127.0.0.1:${port}/ws/events?topics=${encodeURIComponent(BENCH_PATTERN)}`,
    publishUrl: (port) => `http://127.0.0.1:${port}/api/events`,
  },
  ws: {
    name: 'ws',
    label: 'ws (plain)',
    client: 'ws',
    publishPath: `POST ${PEER_PUBLISH_PATH}`,
    file: here('./servers/ws-child.ts'),
    args: ['plain'],
    subscribeUrl: (port) => `ws://127.0.0.1:${port}/`,
    publishUrl: (port) => `http://127.0.0.1:${port}${PEER_PUBLISH_PATH}`,
  },
  'ws-corked': {
    name: 'ws-corked',
    label: 'ws (corked)',
    client: 'ws',
    publishPath: `POST ${PEER_PUBLISH_PATH}`,
    file: here('./servers/ws-child.ts'),
    args: ['corked'],
    subscribeUrl: (port) => `ws://127.0.0.1:${port}/`,
    publishUrl: (port) => `http://127.0.0.1:${port}${PEER_PUBLISH_PATH}`,
  },
  socketio: {
    name: 'socketio',
    label: 'Socket.IO 4',
    client: 'socketio',
    publishPath: `POST ${PEER_PUBLISH_PATH}`,
    file: here('./servers/socketio-child.ts'),
    args: [],
    subscribeUrl: (port) => `http://127.0.0.1:${port}`,
    publishUrl: (port) => `http://127.0.0.1:${port}${PEER_PUBLISH_PATH}`,
  },
};

export const TARGET_NAMES = Object.keys(TARGETS) as TargetName[];

export interface RunningTarget {
  target: Target;
  child: ChildHandle;
  port: number;
}

export interface StartTargetOptions {
  pingIntervalMs: number;
  /** Directory for a V8 CPU profile of the server child (node --cpu-prof), if profiling. */
  cpuProfDir?: string;
}

/** Start `target` in its own process (with --expose-gc) and wait until it listens. */
export async function startTarget(target: Target, opts: StartTargetOptions): Promise<RunningTarget> {
  const nodeArgs = ['--expose-gc'];
  // Default profile names (CPU.<date>.<pid>.<thread>…): tsx's loader thread writes its own profile beside the main one.
  if (opts.cpuProfDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${join(opts.cpuProfDir, target.name)}`);
  const child = forkTs(target.file, [JSON.stringify({ pingIntervalMs: opts.pingIntervalMs }), ...target.args], `${target.label} server`, nodeArgs);
  try {
    const ready = await child.once('ready', 30_000);
    return { target, child, port: ready.port as number };
  } catch (err) {
    await child.stop(500);
    throw err;
  }
}
