// Sessions as supervised instances (docs/workspaces-and-plans.md, issue 4): each session runs as the instance named after it, so it is on
// `/ws/instances` and `GET /api/instances` like any other, its output streams on `/ws/instances/:name/logs`, and
// `running` is the instance's status and `last_output_at` its log's mtime. Restart-on-boot applies to it too.

import { stat } from 'node:fs/promises';
import { SwitchboardError } from '@switchboard/protocol';
import type { EventLog } from '../log/event-log';
import type { Supervisor } from '../supervisor/supervisor';
import { sessionIdOfInstance, sessionInstanceName, type SessionRunner } from './session-runner';

/** Instance events after which a session's running state may differ. Archiving stops first, so it is a status change. */
const STATE_TOPICS: ReadonlySet<string> = new Set(['instance.status_changed', 'instance.deleted']);

/** SessionRunner on the instance supervisor. */
export class SupervisorSessionRunner implements SessionRunner {
  private readonly listeners = new Set<(id: string) => void>();
  /** Sessions whose instance changed since the last notification. */
  private readonly pending = new Set<string>();
  private readonly stopListening: () => void;

  /**
   * @param supervisor the control plane's supervisor (`controlPlaneOf(app).supervisor`).
   * @param log the event log the supervisor writes to; its `instance.*` events drive `onChange`.
   * @param logLine where a failing change listener is reported.
   */
  constructor(private readonly supervisor: Supervisor, log: EventLog, private readonly logLine: (line: string) => void) {
    this.stopListening = log.onAppend((events) => {
      for (const e of events) {
        if (!STATE_TOPICS.has(e.topic)) continue;
        const name = (e.data as { name?: unknown } | null)?.name;
        const id = typeof name === 'string' ? sessionIdOfInstance(name) : undefined;
        if (id) this.notify(id);
      }
    });
  }

  async spawn({ id, cwd, command }: { id: string; cwd: string; command: string }): Promise<{ instance: string }> {
    const name = sessionInstanceName(id);
    // args null: the supervisor runs `command` under `/bin/sh -c`, as the workspace-dashboard contract sessions always did.
    await this.supervisor.create({ name, nickname: null, command, args: null, cwd, env: {}, port: null });
    try {
      // A process that cannot start (cwd gone, …) leaves the instance `crashed` with the reason in its log; only a
      // server that is shutting down throws here.
      await this.supervisor.start(name);
    } catch (err) {
      await this.supervisor.delete(name).catch(() => {});
      throw err;
    }
    return { instance: name };
  }

  /**
   * Stop and delete the session's instance. Deleted rather than archived: the instance exists only to run the
   * session, so a disposed session leaves nothing on the instances page (archives would pile up, one per spawn,
   * each unarchivable into an instance no workspace shows). Its log goes with it.
   */
  async dispose(id: string): Promise<void> {
    try {
      await this.supervisor.delete(sessionInstanceName(id));
    } catch (err) {
      // Already deleted through the instances API: there is nothing left to stop.
      if (!(err instanceof SwitchboardError && err.code === 'instance_not_found')) throw err;
    }
  }

  isRunning(id: string): boolean {
    const status = this.supervisor.get(sessionInstanceName(id))?.status;
    return status === 'running' || status === 'starting';
  }

  async lastOutputAt(id: string): Promise<string | null> {
    try {
      const st = await stat(this.supervisor.paths(sessionInstanceName(id)).log);
      return st.size > 0 ? st.mtime.toISOString() : null;
    } catch {
      return null;
    }
  }

  onChange(fn: (id: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  close(): void {
    this.stopListening();
    this.listeners.clear();
    this.pending.clear();
  }

  /**
   * Listeners run in a microtask, not inside the append that reported the change: they append events themselves,
   * and a nested append would reach the log's later listeners before the events that caused it.
   */
  private notify(id: string): void {
    if (this.pending.size === 0) queueMicrotask(() => this.flush());
    this.pending.add(id);
  }

  private flush(): void {
    const ids = [...this.pending];
    this.pending.clear();
    for (const id of ids) {
      for (const fn of this.listeners) {
        try {
          fn(id);
        } catch (err) {
          this.logLine(`session ${id}: change listener failed: ${(err as Error).message}`);
        }
      }
    }
  }
}
