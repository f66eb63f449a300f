// One run of an instance: the child process in its own group, its stdout and stderr appended to the log file, and
// the way it ends (exit, spawn failure, vanished pid, or stop: SIGTERM to the group, SIGKILL after the grace).

import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { LogFile, type LogRotation } from './log-file';
import { isAlive, signalGroup, spawnInGroup, type SpawnOptions } from './process-group';

/** How a run ended. */
export interface RunEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** We asked it to stop: its end is `stopped` whatever the code. */
  requested: boolean;
  /** It never ran (missing executable, bad cwd…). */
  spawnFailed: boolean;
  /** The health loop found its pid gone without an exit. */
  vanished: boolean;
}

export class InstanceProcess {
  /** Marker in the child's environment (SWITCHBOARD_RUN), to recognise it after a server crash. */
  readonly token = randomUUID();
  /** Set once the process runs. */
  pid: number | null = null;
  /** Resolves true once running, false when it could not start. */
  readonly spawned: Promise<boolean>;
  /** Resolves once the run ended, after `onEnd` ran. */
  readonly ended: Promise<void>;
  private child: ChildProcess | null = null;
  private requested = false;
  private done = false;
  private killTimer: NodeJS.Timeout | null = null;
  private readonly logFile: LogFile;
  private resolveSpawned!: (ok: boolean) => void;
  private resolveEnded!: () => void;

  /**
   * Start `spawn` (whose env gets SWITCHBOARD_RUN added) with output appended to `logPath`. `onEnd` is called
   * synchronously when the run ends, before `spawned` (for a failed start) or `ended` resolve.
   */
  constructor(
    spawn: SpawnOptions,
    logPath: string,
    private readonly onEnd: (end: RunEnd) => void,
    logLine: (line: string) => void,
    rotation?: LogRotation,
  ) {
    this.spawned = new Promise((r) => (this.resolveSpawned = r));
    this.ended = new Promise((r) => (this.resolveEnded = r));
    this.logFile = new LogFile(logPath, logLine, rotation);
    let child: ChildProcess;
    try {
      child = spawnInGroup({ ...spawn, env: { ...spawn.env, SWITCHBOARD_RUN: this.token } });
    } catch (err) {
      this.failToStart((err as Error).message);
      return;
    }
    this.child = child;
    let openStreams = 2;
    for (const s of [child.stdout!, child.stderr!]) {
      s.on('data', (chunk: Buffer) => this.logFile.write(chunk));
      // Output may still drain after the exit; the file closes with the last stream.
      s.on('close', () => {
        if (--openStreams === 0) this.logFile.close();
      });
      s.on('error', () => {});
    }
    child.once('spawn', () => {
      this.pid = child.pid!;
      this.resolveSpawned(true);
    });
    child.once('error', (err) => {
      if (this.pid === null) this.failToStart(err.message);
    });
    child.once('exit', (code, signal) => this.end({ code, signal }));
  }

  /** A start that failed before running: the reason goes into the instance's own log. */
  static failed(logPath: string, reason: string, onEnd: (end: RunEnd) => void): void {
    const log = new LogFile(logPath);
    log.note(`failed to start: ${reason}`);
    log.close();
    onEnd({ code: null, signal: null, requested: false, spawnFailed: true, vanished: false });
  }

  get isDone(): boolean {
    return this.done;
  }

  /** SIGTERM the group, SIGKILL it after `graceMs`; resolves once it ended. */
  async terminate(graceMs: number): Promise<void> {
    const pid = this.child?.pid;
    if (!this.done && pid !== undefined) {
      this.requested = true;
      // While the run is not done the pid is still ours (not reaped), so signalling it alone is safe too.
      signalGroup(pid, 'SIGTERM');
      this.killTimer ??= setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
    }
    await this.ended;
  }

  /** The health check: a running pid that is gone without an exit event ends the run. */
  checkVanished(): void {
    if (this.pid !== null && !this.done && !isAlive(this.pid)) this.end({ code: null, signal: null, vanished: true });
  }

  private failToStart(reason: string): void {
    this.logFile.note(`failed to start: ${reason}`);
    this.logFile.close();
    this.end({ code: null, signal: null, spawnFailed: true });
    this.resolveSpawned(false);
  }

  private end(e: { code: number | null; signal: NodeJS.Signals | null; spawnFailed?: boolean; vanished?: boolean }): void {
    if (this.done) return;
    this.done = true;
    if (this.killTimer) clearTimeout(this.killTimer);
    const pid = this.child?.pid;
    // The leader is gone; what is left of its group are orphans. Only the group is signalled now: the pid alone
    // may already belong to another process.
    if (pid !== undefined) {
      try {
        process.kill(-pid, this.requested ? 'SIGKILL' : 'SIGTERM');
      } catch {
        // No group left.
      }
    }
    this.onEnd({ code: e.code, signal: e.signal, requested: this.requested, spawnFailed: e.spawnFailed ?? false, vanished: e.vanished ?? false });
    this.resolveEnded();
  }
}
