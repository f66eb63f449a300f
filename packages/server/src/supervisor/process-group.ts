// Child processes in their own process group: `/bin/sh -c command`, or the executable with `args` and no shell
// (docs/control-plane.md). Signals go to the whole group, so `sh -c 'agent; sleep 30'` never leaves an orphan behind, and a
// Ctrl-C on the server's terminal reaches the server only, which then stops its children itself.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface SpawnOptions {
  command: string;
  args: string[] | null;
  cwd: string | null;
  env: Record<string, string>;
}

/**
 * Environment of the server that children inherit: everything but SWITCHBOARD_* (the admin token and settings
 * are the server's, not the agents').
 */
export function inheritedEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SWITCHBOARD_')) out[k] = v;
  return out;
}

/** Spawn detached (its own session and group) with stdout and stderr piped. May throw synchronously (bad cwd type…). */
export function spawnInGroup(o: SpawnOptions): ChildProcess {
  const file = o.args ? o.command : '/bin/sh';
  const argv = o.args ? o.args : ['-c', o.command];
  return spawn(file, argv, {
    cwd: o.cwd ?? undefined,
    env: o.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
}

/** Signal the group led by `pid` (falling back to the process alone); false when nothing was there. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but is not ours (the pid was reused by another user's process).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` is still the run marked with `token` (its environment holds SWITCHBOARD_RUN=token). Only Linux
 * exposes another process's environment; elsewhere nothing is ever recognised, so nothing is ever killed by mistake
 * after the pid was reused.
 */
export function isOwnRun(pid: number, token: string): boolean {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    return environ.split('\0').includes(`SWITCHBOARD_RUN=${token}`);
  } catch {
    return false;
  }
}
