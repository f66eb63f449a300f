// The instance supervisor (SPEC §5): real child processes with their output appended to a log file, every change an
// `instance.*` event, and the instances projection (folded from those events) as the only record of what exists.
// Operations on one instance are serialized; a health loop catches processes that vanished without an exit; after
// a restart of the server, instances that were running are started again, or marked crashed, never left stale.

import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { SwitchboardError, type InstanceStatus } from '@switchboard/protocol';
import { instancesOf, type InstanceStatusChangedData, type InstanceView } from '@switchboard/projections';
import type { EventLog } from '../log/event-log';
import type { StoredEvent } from '../store/event-store';
import { readEnvFile, writeEnvFile } from './env-store';
import { instancePaths, type InstancePaths } from './instance-paths';
import { parseCloneBody, parsePatchBody, type InstanceSpec } from './instance-spec';
import { InstanceProcess, type RunEnd } from './instance-process';
import { inheritedEnv, isAlive, isOwnRun, signalGroup } from './process-group';

export interface SupervisorOptions {
  dataDir: string;
  /** Wait between SIGTERM and SIGKILL. */
  stopGraceMs: number;
  /** Period of the loop that notices vanished processes. @default 1000 */
  healthIntervalMs?: number;
  /** Operational log lines (never env values). */
  log: (line: string) => void;
  /**
   * This node's id in a cluster (SPEC §11); unset on a single node. Each node supervises only the instances it
   * created (their files live in its data dir); the others are refused with `invalid_state` naming the owner.
   */
  nodeId?: string;
}

type Reason = 'user' | 'restart' | 'exit' | 'boot' | 'health' | 'spawn_failed';

export class Supervisor {
  private readonly runs = new Map<string, InstanceProcess>();
  private readonly locks = new Map<string, Promise<void>>();
  private readonly healthTimer: NodeJS.Timeout;
  private closing = false;
  /** Cluster mode: the node named in each instance's `instance.created`, for the refusal message. */
  private readonly owners = new Map<string, string>();
  /** The newest `instance.status_changed` append per instance, so a stop can wait for it to apply. */
  private readonly lastStatus = new Map<string, Promise<unknown>>();

  constructor(private readonly log: EventLog, private readonly o: SupervisorOptions) {
    this.healthTimer = setInterval(() => this.checkHealth(), o.healthIntervalMs ?? 1000);
    this.healthTimer.unref();
    if (o.nodeId !== undefined) {
      const note = (events: readonly StoredEvent[]) => {
        for (const e of events) {
          const d = e.data as { name?: unknown; node_id?: unknown };
          if (e.topic === 'instance.created' && typeof d.name === 'string' && typeof d.node_id === 'string') this.owners.set(d.name, d.node_id);
        }
      };
      note(log.readSince(0, Number.MAX_SAFE_INTEGER, (topic) => topic === 'instance.created'));
      log.onAppend(note);
    }
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
      await this.append('instance.created', {
        name: spec.name,
        nickname: spec.nickname,
        command: spec.command,
        args: spec.args,
        cwd: spec.cwd,
        env_keys: Object.keys(spec.env),
        port: spec.port,
        ...this.ownerField(),
      });
      return this.require(spec.name);
    });
  }

  /** Apply a PATCH body; changes take effect at the next start. Env values are written, never evented. */
  async update(name: string, body: unknown): Promise<InstanceView> {
    return this.withLock(name, async () => {
      const inst = this.requireOwned(name);
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
      if (Object.keys(changes).length > 0) await this.append('instance.updated', { name, ...changes });
      return this.require(name);
    });
  }

  async start(name: string): Promise<InstanceView> {
    return this.withLock(name, async () => {
      const inst = this.requireOwned(name);
      if (inst.archived_at) throw invalidState(`Instance '${name}' is archived; unarchive it before starting it`);
      if (this.runs.has(name)) throw invalidState(`Instance '${name}' is already running`);
      await this.launch(inst, 'user');
      return this.require(name);
    });
  }

  async stop(name: string): Promise<InstanceView> {
    return this.withLock(name, async () => {
      const inst = this.requireOwned(name);
      const run = this.runs.get(name);
      if (run) {
        await this.terminate(name, run);
      } else if (inst.status === 'running' || inst.status === 'starting') {
        await this.setStatus(name, 'stopped', null, 'user');
      } else {
        throw invalidState(`Instance '${name}' is not running`);
      }
      return this.require(name);
    });
  }

  async restart(name: string): Promise<InstanceView> {
    return this.withLock(name, async () => {
      const inst = this.requireOwned(name);
      if (inst.archived_at) throw invalidState(`Instance '${name}' is archived; unarchive it before starting it`);
      const run = this.runs.get(name);
      if (run) await this.terminate(name, run);
      await this.launch(this.require(name), 'restart');
      return this.require(name);
    });
  }

  /** Archive (stopping it first when it runs). */
  async archive(name: string): Promise<InstanceView> {
    return this.withLock(name, async () => {
      const inst = this.requireOwned(name);
      if (inst.archived_at) throw invalidState(`Instance '${name}' is already archived`);
      const run = this.runs.get(name);
      if (run) await this.terminate(name, run);
      await this.append('instance.archived', { name });
      return this.require(name);
    });
  }

  async unarchive(name: string): Promise<InstanceView> {
    return this.withLock(name, async () => {
      const inst = this.requireOwned(name);
      if (!inst.archived_at) throw invalidState(`Instance '${name}' is not archived`);
      await this.append('instance.unarchived', { name });
      return this.require(name);
    });
  }

  /** Copy command, args, cwd and env (values included, file to file) under a new name; the copy is stopped. */
  async clone(name: string, body: unknown): Promise<InstanceView> {
    const spec = parseCloneBody(body);
    // A clone onto its own name would take the same lock twice and wait for itself forever.
    if (spec.name === name) {
      this.require(name);
      throw exists(name);
    }
    const [first, second] = [name, spec.name].sort();
    return this.withLock(first!, () =>
      this.withLock(second!, async () => {
        const src = this.requireOwned(name);
        if (this.get(spec.name)) throw exists(spec.name);
        const p = this.paths(spec.name);
        rmSync(p.dir, { recursive: true, force: true });
        mkdirSync(p.dir, { recursive: true, mode: 0o700 });
        writeEnvFile(p.env, readEnvFile(this.paths(name).env));
        await this.append('instance.created', {
          name: spec.name,
          nickname: spec.nickname,
          command: src.command,
          args: src.args,
          cwd: src.cwd,
          env_keys: src.env_keys,
          port: spec.port,
          cloned_from: name,
          ...this.ownerField(),
        });
        return this.require(spec.name);
      }),
    );
  }

  /** Stop the process, forget the instance and remove its files. */
  async delete(name: string): Promise<void> {
    return this.withLock(name, async () => {
      this.requireOwned(name);
      const run = this.runs.get(name);
      if (run) await this.terminate(name, run);
      await this.append('instance.deleted', { name });
      rmSync(this.paths(name).dir, { recursive: true, force: true });
    });
  }

  /** Start again what was running when the server went down (crash or graceful shutdown). */
  async restoreOnBoot(): Promise<void> {
    const stale = this.list(true).filter((i) => (i.status === 'running' || i.status === 'starting') && this.isOwned(i.name));
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
    await Promise.all([...this.runs.values()].map((r) => r.terminate(this.o.stopGraceMs)));
  }

  private async launch(inst: InstanceView, reason: Reason): Promise<void> {
    if (this.closing) throw new SwitchboardError('unavailable', 'the server is shutting down');
    const { name } = inst;
    const p = this.paths(name);
    mkdirSync(p.dir, { recursive: true, mode: 0o700 });
    await this.setStatus(name, 'starting', null, reason);
    // spawn() would blame the executable ("spawn /bin/sh ENOENT") for a missing cwd; say what is really wrong.
    if (inst.cwd !== null && !isDirectory(inst.cwd)) {
      return InstanceProcess.failed(p.log, `cwd ${inst.cwd} is not a directory`, (end) => this.runEnded(name, undefined, end));
    }
    const env = {
      ...inheritedEnv(),
      ...(inst.port !== null ? { PORT: String(inst.port) } : {}),
      ...readEnvFile(p.env),
      SWITCHBOARD_INSTANCE: name,
    };
    // The end callback may run inside the constructor (a synchronous spawn failure), before `proc` is assigned.
    let proc: InstanceProcess | undefined;
    proc = new InstanceProcess({ command: inst.command, args: inst.args, cwd: inst.cwd, env }, p.log, (end) => this.runEnded(name, proc, end), this.o.log);
    if (proc.isDone) return;
    this.runs.set(name, proc);
    if (!(await proc.spawned) || proc.isDone) return;
    writeFileSync(p.run, JSON.stringify({ pid: proc.pid, token: proc.token }), { mode: 0o600 });
    await this.setStatus(name, 'running', proc.pid, reason);
    this.o.log(`instance ${name} running (pid ${proc.pid})`);
  }

  /** A run ended (exit, failed start, vanished): record why, unless the server is shutting down. */
  private runEnded(name: string, proc: InstanceProcess | undefined, end: RunEnd): void {
    if (proc && this.runs.get(name) === proc) this.runs.delete(name);
    try {
      rmSync(this.paths(name).run, { force: true });
    } catch {
      // The directory may be gone already (delete).
    }
    if (this.closing || !this.get(name)) return;
    const status: InstanceStatus = end.requested || end.code === 0 ? 'stopped' : 'crashed';
    if (end.spawnFailed) return void this.setStatus(name, 'crashed', null, 'spawn_failed');
    if (end.vanished) return void this.setStatus(name, status, null, 'health');
    void this.setStatus(name, status, null, end.requested ? 'user' : 'exit', { exit_code: end.code, signal: end.signal });
    this.o.log(`instance ${name} ${status}${end.code !== null ? ` (exit code ${end.code})` : end.signal ? ` (${end.signal})` : ''}`);
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
    for (const proc of this.runs.values()) proc.checkVanished();
    for (const inst of this.list(true)) {
      const live = inst.status === 'running' || inst.status === 'starting';
      if (live && !this.runs.has(inst.name) && !this.locks.has(inst.name) && this.isOwned(inst.name)) void this.setStatus(inst.name, 'crashed', null, 'health');
    }
  }

  private setStatus(name: string, status: InstanceStatus, pid: number | null, reason: Reason, extra: Partial<InstanceStatusChangedData> = {}): Promise<unknown> {
    const written = this.append('instance.status_changed', { name, status, pid, ...extra, reason });
    this.lastStatus.set(name, written);
    return written;
  }

  /** Stop a run and wait until the status its end recorded (`runEnded`) is in the state, which in a cluster is later. */
  private async terminate(name: string, run: InstanceProcess): Promise<void> {
    await run.terminate(this.o.stopGraceMs);
    await this.lastStatus.get(name)?.catch(() => undefined);
  }

  /** On a single node the event is applied when this returns; in a cluster, await it before reading the state. */
  private append(topic: string, data: Record<string, unknown>): Promise<unknown> {
    return this.log.append([{ topic, data }]);
  }

  /** `node_id` for `instance.created` in a cluster; nothing on a single node, whose events stay as they were. */
  private ownerField(): { node_id?: string } {
    return this.o.nodeId === undefined ? {} : { node_id: this.o.nodeId };
  }

  /**
   * Whether this node supervises `name`. On a single node, always. In a cluster, the creating node does: the
   * instance's files (env values, output log) live only in its data dir, so that is what tells.
   */
  isOwned(name: string): boolean {
    return this.o.nodeId === undefined || existsSync(this.paths(name).dir);
  }

  /** The node named in the instance's `instance.created`, in cluster mode, if this node has seen it. */
  ownerOf(name: string): string | undefined {
    return this.owners.get(name);
  }

  /** The instance, if this node supervises it; `invalid_state` (409) naming the owning node otherwise. */
  private requireOwned(name: string): InstanceView {
    const inst = this.require(name);
    if (!this.isOwned(name)) {
      const owner = this.owners.get(name);
      throw invalidState(
        `Instance '${name}' is supervised by ${owner ? `node '${owner}'` : 'another node'}; send this request to that node`,
      );
    }
    return inst;
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
