// Runs the processes behind workspace sessions (seed 003): `/bin/sh -c command` in the workspace, its own process
// group, stdout and stderr appended to `<dataDir>/sessions/<id>/output.log`.
//
// TODO(issue 3): sessions are "supervised instances" (SPEC §7). Once the instance supervisor of issue 3
// (packages/server/src/supervisor/, `instance.*` events) lands, implement SessionRunner on top of it and drop this
// direct child-process runner; the workspace service only talks to the SessionRunner interface.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

/** What the workspace service needs from whatever runs sessions. */
export interface SessionRunner {
  /** Start `command` in `cwd`; throws when the process cannot be started. */
  spawn(opts: { id: string; cwd: string; command: string }): void;
  /** Stop the session's process (SIGTERM to its group, SIGKILL after the grace period); resolves once it exited. */
  dispose(id: string): Promise<void>;
  isRunning(id: string): boolean;
  /** ISO time of the session's last output (its log's mtime), or `null` before any output. */
  lastOutputAt(id: string): Promise<string | null>;
  /** Called when a session's process exits by itself or is stopped; returns the unsubscribe. */
  onExit(fn: (id: string, info: { code: number | null; signal: string | null }) => void): () => void;
  /** Stop every running session (server shutdown). */
  disposeAll(): Promise<void>;
}

export interface ProcessSessionRunnerOptions {
  /** Root of the per-session directories. */
  dataDir: string;
  /** Wait after SIGTERM before SIGKILL. @default 5000 */
  killGraceMs?: number;
}

/** SessionRunner on plain child processes (see the TODO above). */
export class ProcessSessionRunner implements SessionRunner {
  private readonly children = new Map<string, { child: ChildProcess; exited: Promise<void> }>();
  private readonly exitListeners = new Set<(id: string, info: { code: number | null; signal: string | null }) => void>();
  private readonly killGraceMs: number;
  /** Process groups of sessions whose shell exited by itself, until they are disposed. */
  private readonly exitedGroups = new Map<string, number>();
  private readonly disposing = new Set<string>();

  constructor(private readonly options: ProcessSessionRunnerOptions) {
    this.killGraceMs = options.killGraceMs ?? 5000;
  }

  /** Path of a session's output log. Ids are server-generated (`session-<hex>`), so they cannot escape the data dir. */
  logPath(id: string): string {
    return join(this.options.dataDir, 'sessions', id, 'output.log');
  }

  spawn({ id, cwd, command }: { id: string; cwd: string; command: string }): void {
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`session id ${JSON.stringify(id)} is not a safe directory name`);
    if (this.children.has(id)) throw new Error(`session ${id} is already running`);
    mkdirSync(join(this.options.dataDir, 'sessions', id), { recursive: true });
    const fd = openSync(this.logPath(id), 'a');
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', command], {
        cwd,
        detached: true, // its own process group, so dispose reaches the command's children too
        stdio: ['ignore', fd, fd],
        env: childEnv(),
      });
    } finally {
      closeSync(fd);
    }
    const exited = new Promise<void>((resolve) => {
      let done = false;
      const finish = (code: number | null, signal: string | null) => {
        if (done) return;
        done = true;
        this.children.delete(id);
        if (child.pid !== undefined && !this.disposing.has(id)) this.exitedGroups.set(id, child.pid);
        resolve();
        for (const fn of this.exitListeners) fn(id, { code, signal });
      };
      child.once('exit', (code, signal) => finish(code, signal));
      child.once('error', () => finish(null, null));
    });
    this.children.set(id, { child, exited });
  }

  async dispose(id: string): Promise<void> {
    const entry = this.children.get(id);
    if (!entry) {
      // The shell exited, but what it started in the background may still run in its group.
      const pgid = this.exitedGroups.get(id);
      this.exitedGroups.delete(id);
      if (pgid !== undefined) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // The group is empty: nothing left to stop.
        }
      }
      return;
    }
    const { child, exited } = entry;
    this.disposing.add(id);
    const pgid = child.pid;
    signalGroup(child, 'SIGTERM');
    // The timer outlives the shell on purpose: what it started gets the same grace, then SIGKILL.
    const timer = setTimeout(() => {
      if (pgid === undefined) return;
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // Every member already exited.
      }
    }, this.killGraceMs);
    timer.unref();
    await exited;
    this.disposing.delete(id);
  }

  isRunning(id: string): boolean {
    return this.children.has(id);
  }

  async lastOutputAt(id: string): Promise<string | null> {
    try {
      const st = await stat(this.logPath(id));
      return st.size > 0 ? st.mtime.toISOString() : null;
    } catch {
      return null;
    }
  }

  onExit(fn: (id: string, info: { code: number | null; signal: string | null }) => void): () => void {
    this.exitListeners.add(fn);
    return () => this.exitListeners.delete(fn);
  }

  async disposeAll(): Promise<void> {
    await Promise.all([...this.children.keys()].map((id) => this.dispose(id)));
  }
}

/** Signal a child's whole process group (it was spawned detached), falling back to the child alone. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

/** The environment of commands the server runs: the server's own, minus its secret. */
export function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.SWITCHBOARD_TOKEN;
  return env;
}
