// The instance supervisor (docs/control-plane.md): real child processes with their output appended to a log file, every change an
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
import type { LogRotation } from './log-file';
import { inheritedEnv, isAlive, isOwnRun, signalGroup } from './process-group';
import { DEFAULT_RESTART_TIMING, RestartTracker, wantsRestart, type RestartTiming } from './restart-policy';

export interface SupervisorOptions {
  dataDir: string;
  /** Wait between SIGTERM and SIGKILL. */
  stopGraceMs: number;
  /** Period of the loop that notices vanished processes. @default 1000 */
  healthIntervalMs?: number;
  /** Operational log lines (never env values). */
  log: (line: string) => void;
  /**
   * This node's id in a cluster (docs/architecture.md#cluster-mode); unset on a single node. Each node supervises only the instances it
   * created (their files live in its data dir); the others are refused with `invalid_state` naming the owner.
   */
  nodeId?: string;
  /** Backoff and crash-loop settings of automatic restarts; tests shorten them. */
  restartTiming?: Partial<RestartTiming>;
  /** The clock of the restart bookkeeping. @default Date.now */
  now?: () => number;
  /** Size rotation of every instance's output log (docs/control-plane.md "Bounds"). @default none */
  logRotation?: LogRotation;
}

type Reason = 'user' | 'restart' | 'exit' | 'boot' | 'health' | 'spawn_failed' | 'auto_restart' | 'crash_loop' | 'owner_lost' | 'owner_back' | 'adopted';

/** An automatic restart waiting for its delay. */
interface PendingRestart {
  timer: NodeJS.Timeout;
  attempt: number;
}

export class Supervisor {
  private readonly runs = new Map<string, InstanceProcess>();
  private readonly locks = new Map<string, Promise<void>>();
  private readonly healthTimer: NodeJS.Timeout;
  private closing = false;
  /** Cluster mode: the node named in each instance's `instance.created`, for the refusal message. */
  private readonly owners = new Map<string, string>();
  /** The newest `instance.status_changed` append per instance, so a stop can wait for it to apply. */
  private readonly lastStatus = new Map<string, Promise<unknown>>();
  /** Restart bookkeeping per instance since a person last started it; in memory, so a server restart resets it. */
  private readonly trackers = new Map<string, RestartTracker>();
  private readonly pending = new Map<string, PendingRestart>();
  private readonly timing: RestartTiming;
  private readonly now: () => number;
  /** Runs another node adopted while this one still had them: they end without recording a status. */
  private readonly disowned = new Set<string>();

  constructor(private readonly log: EventLog, private readonly o: SupervisorOptions) {
    this.timing = { ...DEFAULT_RESTART_TIMING, ...o.restartTiming };
    this.now = o.now ?? Date.now;
    this.healthTimer = setInterval(() => this.checkHealth(), o.healthIntervalMs ?? 1000);
    this.healthTimer.unref();
    if (o.nodeId !== undefined) {
      const note = (events: readonly StoredEvent[]) => {
        for (const e of events) {
          const d = e.data as { name?: unknown; node_id?: unknown };
          if (e.topic === 'instance.created' && typeof d.name === 'string' && typeof d.node_id === 'string') this.owners.set(d.name, d.node_id);
          if (e.topic === 'instance.adopted' && typeof d.name === 'string' && d.node_id !== o.nodeId) void this.disown(d.name);
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
        restart: spec.restart ?? 'no',
        stop_grace_ms: spec.stop_grace_ms ?? null,
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
      for (const key of ['nickname', 'command', 'args', 'cwd', 'port', 'restart', 'stop_grace_ms'] as const) {
        if (patch[key] !== undefined && JSON.stringify(patch[key]) !== JSON.stringify(inst[key])) changes[key] = patch[key];
      }
      if (patch.env) {
        writeEnvFile(p.env, patch.env);
        const keys = Object.keys(patch.env);
        if (JSON.stringify(keys) !== JSON.stringify(inst.env_keys)) changes.env_keys = keys;
      }
      if (Object.keys(changes).length > 0) await this.append('instance.updated', { name, ...changes });
      // Turning restarts off also drops the one already waiting.
      if (patch.restart === 'no' && this.cancelPending(name)) await this.append('instance.restart_cancelled', { name, reason: 'policy' });
      return this.require(name);
    });
  }

  async start(name: string): Promise<InstanceView> {
    return this.withLock(name, async () => {
      const inst = this.requireOwned(name);
      if (inst.archived_at) throw invalidState(`Instance '${name}' is archived; unarchive it before starting it`);
      if (this.runs.has(name)) throw invalidState(`Instance '${name}' is already running`);
      this.personStarts(name);
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
      } else if (this.cancelPending(name) || inst.status === 'running' || inst.status === 'starting') {
        // A stop during the backoff drops the pending restart; `stopped` clears `next_restart_at`.
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
      this.personStarts(name);
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
      this.cancelPending(name);
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
          restart: src.restart ?? 'no',
          stop_grace_ms: src.stop_grace_ms ?? null,
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
      this.cancelPending(name);
      const run = this.runs.get(name);
      if (run) await this.terminate(name, run);
      this.trackers.delete(name);
      await this.append('instance.deleted', { name });
      rmSync(this.paths(name).dir, { recursive: true, force: true });
    });
  }

  /** Start again what was running when the server went down (crash or graceful shutdown). */
  async restoreOnBoot(): Promise<void> {
    await this.dropAdoptedAway();
    // A restart that was waiting when the server went down runs now (its timer died with that server). In a
    // cluster, what was running when the others saw this node die counts too (docs/architecture.md).
    const wasLive = (s: InstanceStatus | null | undefined) => s === 'running' || s === 'starting';
    const stale = this.list(true).filter(
      (i) => (wasLive(i.status) || (i.next_restart_at ?? null) !== null || (i.orphaned_at && wasLive(i.orphaned_status))) && this.isOwned(i.name),
    );
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
    await this.reclaimOrphans();
  }

  /**
   * Graceful shutdown: stop every child (SIGTERM, SIGKILL after the grace) without recording it, so the
   * projection still says `running` and the next boot starts them again.
   */
  async shutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.healthTimer);
    for (const name of [...this.pending.keys()]) this.cancelPending(name);
    await Promise.all([...this.runs].map(([name, r]) => r.terminate(this.graceOf(name))));
  }

  private async launch(inst: InstanceView, reason: Reason, extra: Partial<InstanceStatusChangedData> = {}): Promise<void> {
    if (this.closing) throw new SwitchboardError('unavailable', 'the server is shutting down');
    const { name } = inst;
    const p = this.paths(name);
    mkdirSync(p.dir, { recursive: true, mode: 0o700 });
    await this.setStatus(name, 'starting', null, reason, extra);
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
    proc = new InstanceProcess({ command: inst.command, args: inst.args, cwd: inst.cwd, env }, p.log, (end) => this.runEnded(name, proc, end), this.o.log, this.o.logRotation);
    if (proc.isDone) return;
    this.runs.set(name, proc);
    if (!(await proc.spawned) || proc.isDone) return;
    writeFileSync(p.run, JSON.stringify({ pid: proc.pid, token: proc.token }), { mode: 0o600 });
    await this.setStatus(name, 'running', proc.pid, reason, extra);
    this.trackerOf(name).started();
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
    const inst = this.get(name);
    if (this.disowned.delete(name)) return;
    if (this.closing || !inst) return;
    const status: InstanceStatus = end.requested || end.code === 0 ? 'stopped' : 'crashed';
    const reason: Reason = end.spawnFailed ? 'spawn_failed' : end.vanished ? 'health' : end.requested ? 'user' : 'exit';
    const exit = end.spawnFailed || end.vanished ? {} : { exit_code: end.code, signal: end.signal };
    const clean = !end.spawnFailed && !end.vanished && end.code === 0;
    const decision = !inst.archived_at && wantsRestart(inst.restart ?? 'no', { requested: end.requested, clean }) ? this.trackerOf(name).ended() : null;
    if (decision?.action === 'give_up') {
      this.o.log(`instance ${name} crashed ${decision.restarts} times within ${this.timing.crashLoopWindowMs} ms: no more automatic restarts`);
      return void this.setStatus(name, 'crashed', null, 'crash_loop', exit);
    }
    void this.setStatus(name, end.spawnFailed ? 'crashed' : status, null, reason, exit);
    this.o.log(`instance ${name} ${end.spawnFailed ? 'crashed' : status}${end.code !== null ? ` (exit code ${end.code})` : end.signal ? ` (${end.signal})` : ''}`);
    if (decision?.action === 'restart') this.schedule(name, decision.attempt, decision.delayMs, reason, exit);
  }

  /** Write `instance.restart_scheduled` and start the timer of the automatic restart. */
  private schedule(name: string, attempt: number, delayMs: number, reason: Reason, exit: Partial<InstanceStatusChangedData>): void {
    this.cancelPending(name);
    const timer = setTimeout(() => void this.autoRestart(name, pending), delayMs);
    timer.unref();
    const pending: PendingRestart = { timer, attempt };
    this.pending.set(name, pending);
    const at = new Date(this.now() + delayMs).toISOString();
    void this.append('instance.restart_scheduled', { name, attempt, delay_ms: delayMs, next_restart_at: at, reason, ...exit }).catch(() => undefined);
    this.o.log(`instance ${name}: automatic restart ${attempt} in ${delayMs} ms`);
  }

  private async autoRestart(name: string, mine: PendingRestart): Promise<void> {
    try {
      await this.withLock(name, async () => {
        // A stop, start, archive or delete that got the lock first cancelled this restart.
        if (this.pending.get(name) !== mine) return;
        this.pending.delete(name);
        const inst = this.get(name);
        if (!inst || inst.archived_at || this.runs.has(name)) return;
        await this.launch(inst, 'auto_restart', { attempt: mine.attempt });
      });
    } catch (err) {
      this.o.log(`instance ${name}: automatic restart failed: ${(err as Error).message}`);
    }
  }

  /** Drop a pending automatic restart; whether there was one. */
  private cancelPending(name: string): boolean {
    const p = this.pending.get(name);
    if (!p) return false;
    clearTimeout(p.timer);
    this.pending.delete(name);
    return true;
  }

  /** A person started the instance: back to the first delay, and a crash-loop stop is lifted. */
  private personStarts(name: string): void {
    this.cancelPending(name);
    this.trackerOf(name).reset();
  }

  private trackerOf(name: string): RestartTracker {
    let t = this.trackers.get(name);
    if (!t) this.trackers.set(name, (t = new RestartTracker(this.timing, this.now)));
    return t;
  }

  /** The instance's own stop grace, else the server's. */
  private graceOf(name: string): number {
    return this.get(name)?.stop_grace_ms ?? this.o.stopGraceMs;
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
    const deadline = Date.now() + this.graceOf(name);
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
    await run.terminate(this.graceOf(name));
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
   * Whether this node supervises `name`. On a single node, always. In a cluster, the node the instance names
   * (`node_id`, set by `instance.created` and moved by `instance.adopted`); for a record older than that field, the
   * node holding its files (env values, output log) in its data dir.
   */
  isOwned(name: string): boolean {
    if (this.o.nodeId === undefined) return true;
    const owner = this.ownerOf(name);
    return owner !== undefined ? owner === this.o.nodeId : existsSync(this.paths(name).dir);
  }

  /** The node supervising the instance, in cluster mode, if this node has seen it named. */
  ownerOf(name: string): string | undefined {
    return this.get(name)?.node_id ?? this.owners.get(name);
  }

  /**
   * Cluster mode: `owner` died (its heartbeat expired). Mark each of its instances not yet marked orphaned, in one
   * append: a live run becomes `crashed` (nobody supervises it now), the others keep their status; `owner_lost`
   * tells why. The node coming back, or another node adopting, un-marks them.
   */
  async markOrphaned(owner: string): Promise<string[]> {
    if (owner === this.o.nodeId) return [];
    const names = this.list(true).filter((i) => this.ownerOf(i.name) === owner && !i.orphaned_at);
    if (names.length === 0) return [];
    await this.log.append(
      names.map((i) => ({
        topic: 'instance.status_changed',
        data: {
          name: i.name,
          status: i.status === 'running' || i.status === 'starting' ? 'crashed' : i.status,
          pid: null,
          exit_code: i.exit_code,
          reason: 'owner_lost',
          node_id: owner,
        },
      })),
    );
    return names.map((i) => i.name);
  }

  /**
   * This node's instances the cluster marked orphaned while it was down, or while its heartbeat could not reach
   * Redis: record their real status again (`owner_back`).
   */
  async reclaimOrphans(): Promise<void> {
    if (this.o.nodeId === undefined || this.closing) return;
    const mine = this.list(true).filter((i) => i.orphaned_at && this.isOwned(i.name) && !this.locks.has(i.name));
    for (const inst of mine) {
      await this.withLock(inst.name, async () => {
        const now = this.get(inst.name);
        if (!now?.orphaned_at || !this.isOwned(inst.name)) return;
        const run = this.runs.get(inst.name);
        if (run && run.pid !== null) return void (await this.setStatus(inst.name, 'running', run.pid, 'owner_back'));
        const before = now.orphaned_status;
        await this.setStatus(inst.name, before === 'stopped' ? 'stopped' : 'crashed', null, 'owner_back', { exit_code: now.exit_code });
      }).catch((err: Error) => this.o.log(`instance ${inst.name}: reclaiming it failed: ${err.message}`));
    }
  }

  /**
   * Cluster mode: take over an instance whose node died (it must be marked orphaned). Its env values were only on
   * that node, so `env` must give a value for every key the instance has; the output log starts empty here. Starts
   * it unless it is archived or `start` is false.
   */
  async adopt(name: string, env: Record<string, string>, start: boolean): Promise<InstanceView> {
    const me = this.o.nodeId;
    if (me === undefined) throw invalidState('Adopting an instance needs cluster mode');
    return this.withLock(name, async () => {
      const inst = this.require(name);
      const owner = this.ownerOf(name);
      // Orphaned or not (this node reclaims its own within a heartbeat): adopting would wipe its files.
      if (owner === me) throw invalidState(`Instance '${name}' is already supervised by this node`);
      if (!inst.orphaned_at) {
        throw invalidState(`Instance '${name}' is supervised by ${owner ? `node '${owner}'` : 'another node'}, which is alive; only an orphaned instance can be adopted`);
      }
      const missing = inst.env_keys.filter((k) => !Object.hasOwn(env, k));
      const extra = Object.keys(env).filter((k) => !inst.env_keys.includes(k));
      if (missing.length > 0 || extra.length > 0) {
        throw new SwitchboardError(
          'validation_failed',
          missing.length > 0
            ? `env: the values of ${missing.join(', ')} were only on node '${owner ?? 'unknown'}'; give them in "env" to adopt the instance`
            : `env: ${extra.join(', ')} ${extra.length === 1 ? 'is' : 'are'} not keys of instance '${name}'`,
          { details: { field: 'env', ...(missing.length > 0 ? { missing } : { unknown: extra }) } },
        );
      }
      const p = this.paths(name);
      rmSync(p.dir, { recursive: true, force: true });
      mkdirSync(p.dir, { recursive: true, mode: 0o700 });
      writeEnvFile(p.env, env);
      this.disowned.delete(name);
      await this.append('instance.adopted', { name, node_id: me, from: owner ?? null });
      const now = this.require(name);
      if (start && !now.archived_at) {
        this.personStarts(name);
        await this.launch(now, 'adopted');
      } else {
        // Record a status of this node's own, which also tells views the instance is no longer orphaned.
        await this.setStatus(name, now.status === 'stopped' ? 'stopped' : 'crashed', null, 'adopted', { exit_code: now.exit_code });
      }
      return this.require(name);
    });
  }

  /** Another node adopted `name` while this node still ran it (it was wrongly seen dead): stop the run, record nothing. */
  private async disown(name: string): Promise<void> {
    this.cancelPending(name);
    const run = this.runs.get(name);
    if (!run) return;
    this.o.log(`instance ${name}: adopted by another node; stopping the run here`);
    this.disowned.add(name);
    await run.terminate(this.graceOf(name)).catch(() => undefined);
  }

  /** At boot: instances another node adopted while this one was down. Stop what this node left running, drop its files. */
  private async dropAdoptedAway(): Promise<void> {
    if (this.o.nodeId === undefined) return;
    for (const inst of this.list(true)) {
      const owner = inst.node_id;
      if (owner === undefined || owner === this.o.nodeId || !existsSync(this.paths(inst.name).dir)) continue;
      await this.reapPreviousRun(inst.name);
      rmSync(this.paths(inst.name).dir, { recursive: true, force: true });
    }
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
