// The instance supervisor (SPEC §5): real child processes with their output appended to a log file, every change an
// `instance.*` event, and the instances projection (folded from those events) as the only record of what exists.
// Operations on one instance are serialized; a health loop catches processes that vanished without an exit; after
// a restart of the server, instances that were running are started again, or marked crashed, never left stale.

import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { SwitchboardError, type InstanceStatus } from '@switchboard/protocol';
import { instancesOf, type InstanceStatusChangedData, type InstanceView } from '@switchboard/projections';
import type { EventLog } from '../log/event-log';
import { readEnvFile, writeEnvFile } from './env-store';
import { instancePaths, type InstancePaths } from './instance-paths';
import { parseCloneBody, parsePatchBody, type InstanceSpec } from './instance-spec';
import { LogFile } from './log-file';
import { inheritedEnv, isAlive, isOwnRun, signalGroup, spawnInGroup } from './process-group';

export interface SupervisorOptions {
  dataDir: string;
  /** Wait between SIGTERM and SIGKILL. */
  stopGraceMs: number;
  /** Period of the loop that notices vanished processes. @default 1000 */
  healthIntervalMs?: number;
  /** Operational log lines (never env values). */
  log: (line: string) => void;
}

/** One run of an instance's process. */
interface Run {
  child: ChildProcess;
  token: string;
  /** Set once the process runs; null while spawning. */
  pid: number | null;
  /** We asked it to stop: its exit is `stopped` whatever the code. */
  stopping: boolean;
  done: boolean;
  killTimer: NodeJS.Timeout | null;
  exited: Promise<void>;
}

type Reason = 'user' | 'restart' | 'exit' | 'boot' | 'health' | 'spawn_failed';

export class Supervisor {
  private readonly runs = new Map<string, Run>();
  private readonly locks = new Map<string, Promise<void>>();
  private readonly healthTimer: NodeJS.Timeout;
  private closing = false;

  constructor(private readonly log: EventLog, private readonly o: SupervisorOptions) {
    this.healthTimer = setInterval(() => this.checkHealth(), o.healthIntervalMs ?? 1000);
    this.healthTimer.unref();
  }

  /** Instances in creation order, archived ones only when asked. */
  list(includeArchived: boolean): InstanceView[] {
    const all = Object.values(instancesOf(this.log.state));
    return includeArchived ? all : all.filter((i) => i.archived_at === null);
  }

  get(name: string): InstanceView | undefined {
    const all = instancesOf(this.log.state);
    return Object.hasOwn(all, name) ? all[name] : undefined;
  }

  /** The instance, or instance_not_found (404). */
  require(name: string): InstanceView {
    const inst = this.get(name);
    if (!inst) throw notFound(name);
    return inst;
  }

  paths(name: string): InstancePaths {
    return instancePaths(this.o.dataDir, name);
  }

  async create(spec: InstanceSpec): Promise<InstanceView> {
    return this.withLock(spec.name, async () => {
      if (this.get(spec.name)) throw exists(spec.name);
      const p = this.paths(spec.name);
      // Leftovers of a deleted instance of the same name must not become this one's log.
      rmSync(p.dir, { recursive: true, force: true });
      mkdirSync(p.dir, { recursive: true, mode: 0o700 });
      writeEnvFile(p.env, spec.env);
      this.append('instance.created', {
        name: spec.name,
        nickname: spec.nickname,
        command: spec.command,
        args: spec.args,
        cwd: spec.cwd,
        env_keys: Object.keys(spec.env),
        port: spec.port,
      });
      return this.require(spec.name);
    });
  }

  /** Apply a PATCH body; changes take effect at the next start. Env values are written, never evented. */
  async update(name: string, body: unknown): Promise<InstanceView> {
    return this.withLock(name, async () => {
      const inst = this.require(name);
      const p = this.paths(name);
      const patch = parsePatchBody(body, name, readEnvFile(p.env));
      const changes: Record<string, unknown> = {};
      for (const key of ['nickname', 'command', 'args', 'cwd', 'port'] as const) {
        if (patch[key] !== undefined && JSON.stringify(patch[key]) !== JSON.stringify(inst[key])) changes[key] = patch[key];
      }
      if (patch.env) {
        writeEnvFile(p.env, patch.env);
        const keys = Object.keys(patch.env);
        if (JSON.stringify(keys) !== JSON.stringify(inst.env_keys)) changes.env_keys = keys;
      }
      if (Object.keys(changes).length > 0) this.append('instance.updated', { name, ...changes });
      return this.require(name);
    });
  }

  async start(name: string): Promise<InstanceView> {
    return this.withLock(name, async () => {
      const inst = this.require(name);
      if (inst.archived_at) throw invalidState(`Instance '${name}' is archived; unarchive it before starting it`);
      if (this.runs.has(name)) throw invalidState(`Instance '${name}' is already running`);
      await this.launch(inst, 'user');
      return this.require(name);
    });
  }

  async stop(name: string): Promise<InstanceView> {
    return this.withLock(name, async () => {
      const inst = this.require(name);
      const run = this.runs.get(name);
      if (run) {
        await this.terminate(run);
      } else if (inst.status === 'running' || inst.status === 'starting') {
        this.setStatus(name, 'stopped', null, 'user');
      } else {
        throw invalidState(`Instance '${name}' is not running`);
      }
      return this.require(name);
    });
  }

  async restart(name: string): Promise<InstanceView> {
    return this.withLock(name, async () => {
      const inst = this.require(name);
      if (inst.archived_at) throw invalidState(`Instance '${name}' is archived; unarchive it before starting it`);
      const run = this.runs.get(name);
      if (run) await this.terminate(run);
      await this.launch(this.require(name), 'restart');
      return this.require(name);
    });
  }

  /** Archive (stopping it first when it runs). */
  async archive(name: string): Promise<InstanceView> {
    return this.withLock(name, async () => {
      const inst = this.require(name);
      if (inst.archived_at) throw invalidState(`Instance '${name}' is already archived`);
      const run = this.runs.get(name);
      if (run) await this.terminate(run);
      this.append('instance.archived', { name });
      return this.require(name);
    });
  }

  async unarchive(name: string): Promise<InstanceView> {
    return this.withLock(name, async () => {
      const inst = this.require(name);
      if (!inst.archived_at) throw invalidState(`Instance '${name}' is not archived`);
      this.append('instance.unarchived', { name });
      return this.require(name);
    });
  }

  /** Copy command, args, cwd and env (values included, file to file) under a new name; the copy is stopped. */
  async clone(name: string, body: unknown): Promise<InstanceView> {
    const spec = parseCloneBody(body);
    const [first, second] = [name, spec.name].sort();
    return this.withLock(first!, () =>
      this.withLock(second!, async () => {
        const src = this.require(name);
        if (this.get(spec.name)) throw exists(spec.name);
        const p = this.paths(spec.name);
        rmSync(p.dir, { recursive: true, force: true });
        mkdirSync(p.dir, { recursive: true, mode: 0o700 });
        writeEnvFile(p.env, readEnvFile(this.paths(name).env));
        this.append('instance.created', {
          name: spec.name,
          nickname: spec.nickname,
          command: src.command,
          args: src.args,
          cwd: src.cwd,
          env_keys: src.env_keys,
          port: spec.port,
          cloned_from: name,
        });
        return this.require(spec.name);
      }),
    );
  }

  /** Stop the process, forget the instance and remove its files. */
  async delete(name: string): Promise<void> {
    return this.withLock(name, async () => {
      this.require(name);
      const run = this.runs.get(name);
      if (run) await this.terminate(run);
      this.append('instance.deleted', { name });
      rmSync(this.paths(name).dir, { recursive: true, force: true });
    });
  }

  /** Start again what was running when the server went down (crash or graceful shutdown). */
  async restoreOnBoot(): Promise<void> {
    const stale = this.list(true).filter((i) => i.status === 'running' || i.status === 'starting');
    await Promise.all(
      stale.map((inst) =>
        this.withLock(inst.name, async () => {
          await this.reapPreviousRun(inst.name);
          if (inst.archived_at) return this.setStatus(inst.name, 'stopped', null, 'boot');
          try {
            await this.launch(inst, 'boot');
          } catch (err) {
            this.o.log(`instance ${inst.name} could not be restarted: ${(err as Error).message}`);
            this.setStatus(inst.name, 'crashed', null, 'boot');
          }
        }),
      ),
    );
  }

  /**
   * Graceful shutdown: stop every child (SIGTERM, SIGKILL after the grace) without recording it, so the
   * projection still says `running` and the next boot starts them again.
   */
  async shutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.healthTimer);
    await Promise.all([...this.runs.values()].map((r) => this.terminate(r)));
  }

  private async launch(inst: InstanceView, reason: Reason): Promise<void> {
    if (this.closing) throw new SwitchboardError('unavailable', 'the server is shutting down');
    const { name } = inst;
    const p = this.paths(name);
    mkdirSync(p.dir, { recursive: true, mode: 0o700 });
    const logFile = new LogFile(p.log, this.o.log);
    const token = randomUUID();
    const env = {
      ...inheritedEnv(),
      ...(inst.port !== null ? { PORT: String(inst.port) } : {}),
      ...readEnvFile(p.env),
      SWITCHBOARD_INSTANCE: name,
      SWITCHBOARD_RUN: token,
    };
    this.setStatus(name, 'starting', null, reason);
    // spawn() would blame the executable ("spawn /bin/sh ENOENT") for a missing cwd; say what is really wrong.
    if (inst.cwd !== null && !isDirectory(inst.cwd)) {
      logFile.note(`failed to start: cwd ${inst.cwd} is not a directory`);
      logFile.close();
      this.setStatus(name, 'crashed', null, 'spawn_failed');
      return;
    }
    let child: ChildProcess;
    try {
      child = spawnInGroup({ command: inst.command, args: inst.args, cwd: inst.cwd, env });
    } catch (err) {
      logFile.note(`failed to start: ${(err as Error).message}`);
      logFile.close();
      this.setStatus(name, 'crashed', null, 'spawn_failed');
      return;
    }
    const run: Run = { child, token, pid: null, stopping: false, done: false, killTimer: null, exited: Promise.resolve() };
    this.runs.set(name, run);
    let openStreams = 2;
    const streamClosed = () => {
      if (--openStreams === 0) logFile.close();
    };
    for (const s of [child.stdout!, child.stderr!]) {
      s.on('data', (chunk: Buffer) => logFile.write(chunk));
      s.on('close', streamClosed);
      s.on('error', () => {});
    }
    run.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.finish(name, run, code, signal, run.stopping ? 'user' : 'exit');
        resolve();
      });
      child.once('error', (err) => {
        if (run.pid !== null) return;
        logFile.note(`failed to start: ${err.message}`);
        this.finish(name, run, null, null, 'spawn_failed');
        resolve();
      });
    });
    const spawned = await new Promise<boolean>((resolve) => {
      child.once('spawn', () => resolve(true));
      child.once('error', () => resolve(false));
    });
    if (!spawned || run.done) return;
    run.pid = child.pid!;
    writeFileSync(p.run, JSON.stringify({ pid: run.pid, token }), { mode: 0o600 });
    this.setStatus(name, 'running', run.pid, reason);
    this.o.log(`instance ${name} running (pid ${run.pid})`);
  }

  /** The process exited (or vanished): record why, unless the server is shutting down. */
  private finish(name: string, run: Run, code: number | null, signal: NodeJS.Signals | null, reason: Reason): void {
    if (run.done) return;
    run.done = true;
    if (run.killTimer) clearTimeout(run.killTimer);
    if (this.runs.get(name) === run) this.runs.delete(name);
    const pid = run.child.pid;
    // The leader is gone; what is left of its group are orphans. Only the group is signalled: the pid alone may
    // already belong to another process.
    if (pid !== undefined) {
      try {
        process.kill(-pid, run.stopping ? 'SIGKILL' : 'SIGTERM');
      } catch {
        // No group left: nothing to clean up.
      }
    }
    try {
      rmSync(this.paths(name).run, { force: true });
    } catch {
      // The directory may be gone already (delete).
    }
    if (this.closing || !this.get(name)) return;
    const status: InstanceStatus = run.stopping || code === 0 ? 'stopped' : 'crashed';
    this.setStatus(name, status, null, reason, { exit_code: code, signal });
    this.o.log(`instance ${name} ${status}${code !== null ? ` (exit code ${code})` : signal ? ` (${signal})` : ''}`);
  }

  /** SIGTERM the group, SIGKILL it after the grace period; resolves once the process exited. */
  private async terminate(run: Run): Promise<void> {
    const pid = run.child.pid;
    if (!run.done && pid !== undefined) {
      run.stopping = true;
      // While the run is not done the pid is still ours (unreaped), so the single-process fallback is safe.
      signalGroup(pid, 'SIGTERM');
      run.killTimer ??= setTimeout(() => signalGroup(pid, 'SIGKILL'), this.o.stopGraceMs);
    }
    await run.exited;
  }

  /** A previous server process may have died (kill -9) leaving its child running: stop it before a fresh run. */
  private async reapPreviousRun(name: string): Promise<void> {
    const p = this.paths(name);
    let prev: { pid?: unknown; token?: unknown };
    try {
      prev = JSON.parse(readFileSync(p.run, 'utf8'));
    } catch {
      return;
    }
    rmSync(p.run, { force: true });
    if (typeof prev.pid !== 'number' || typeof prev.token !== 'string') return;
    const { pid, token } = prev as { pid: number; token: string };
    if (!isAlive(pid) || !isOwnRun(pid, token)) return;
    this.o.log(`instance ${name}: stopping pid ${pid} left over from a previous server`);
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + this.o.stopGraceMs;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (isAlive(pid)) signalGroup(pid, 'SIGKILL');
  }

  private checkHealth(): void {
    if (this.closing) return;
    for (const [name, run] of this.runs) {
      if (run.pid !== null && !run.done && !isAlive(run.pid)) this.finish(name, run, null, null, 'health');
    }
    for (const inst of this.list(true)) {
      const live = inst.status === 'running' || inst.status === 'starting';
      if (live && !this.runs.has(inst.name) && !this.locks.has(inst.name)) this.setStatus(inst.name, 'crashed', null, 'health');
    }
  }

  private setStatus(name: string, status: InstanceStatus, pid: number | null, reason: Reason, extra: Partial<InstanceStatusChangedData> = {}): void {
    this.append('instance.status_changed', { name, status, pid, ...extra, reason });
  }

  private append(topic: string, data: Record<string, unknown>): void {
    this.log.append([{ topic, data }]);
  }

  /** Run `fn` after every earlier operation on `name` finished. */
  private async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.locks.set(name, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.locks.get(name) === tail) this.locks.delete(name);
    }
  }
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function notFound(name: string): SwitchboardError {
  return new SwitchboardError('instance_not_found', `No instance named '${name.slice(0, 64)}'`);
}

function exists(name: string): SwitchboardError {
  return new SwitchboardError('instance_exists', `An instance named '${name}' already exists`, { details: { field: 'name' } });
}

function invalidState(message: string): SwitchboardError {
  return new SwitchboardError('invalid_state', message);
}
