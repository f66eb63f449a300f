// Workspaces and their sessions (docs/workspaces-and-plans.md): registration, spawn/dispose through a SessionRunner (sessions
// are supervised instances), the git refresh loop and the session activity check. Every change is a `workspace.*`
// (and `session.*`) event in the log; the `workspaces` projection is the only state, so REST, /ws/dashboard and
// /ws/events all read the same thing.

import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { SwitchboardError } from '@switchboard/protocol';
import { getWorkspace, type WorkspaceSessionView, type WorkspaceView } from '@switchboard/projections';
import type { AppendInput } from '../store/event-store';
import type { EventLog } from '../log/event-log';
import { Coalescer, gitTopLevel, readGitStatus, type WorkspaceGitInfo } from './git-status';
import { newSessionId, sessionInstanceName, type SessionRunner } from './session-runner';

/** Session activity (running, last output) is checked this often, or every git interval when that is shorter. @default 5000 */
const ACTIVITY_CHECK_MS = 5000;

const GIT_FIELDS = ['repo', 'branch', 'short_repo', 'git_ahead', 'git_behind', 'git_dirty', 'git_lines_added', 'git_lines_removed', 'git_files_changed'] as const;

export interface WorkspaceServiceOptions {
  log: EventLog;
  runner: SessionRunner;
  /** Period of the git refresh loop (`--git-interval`). */
  gitIntervalMs: number;
  logLine: (line: string) => void;
}

/** Fields of a session a client may change (`PATCH /api/sessions/:id`). */
export interface SessionPatch {
  nickname?: string;
  nudge_state?: string;
  nudge_summary?: string;
}

/** A session as spawn and PATCH answer it: the workspace-dashboard fields, its workspace and the instance that runs it. */
export type SessionAnswer = WorkspaceSessionView & { workspace_id: string; instance: string };

export class WorkspaceService {
  private readonly refreshes = new Coalescer<void>();
  private readonly activity = new Coalescer<void>();
  private readonly registering = new Map<string, Promise<{ workspace: WorkspaceView; created: boolean }>>();
  private readonly disposing = new Map<string, Promise<void>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly stopChangeListener: () => void;
  private closed = false;

  constructor(private readonly options: WorkspaceServiceOptions) {
    this.stopChangeListener = options.runner.onChange((id) => this.onSessionChange(id));
  }

  private get log(): EventLog {
    return this.options.log;
  }

  /** Every workspace in the projection. */
  all(): WorkspaceView[] {
    return Object.values(this.log.state.workspaces) as unknown as WorkspaceView[];
  }

  get(id: string): WorkspaceView | undefined {
    return getWorkspace(this.log.state.workspaces, id);
  }

  /**
   * Bring every session's `running` in line with its instance, then start the refresh loops. Runs after the
   * supervisor's restart-on-boot, so a session whose instance was started again shows running, and one whose
   * instance could not be (or has none) shows stopped.
   */
  start(): void {
    const stale: AppendInput[] = [];
    for (const ws of this.all()) {
      for (const s of ws.sessions) {
        const running = this.options.runner.isRunning(s.id);
        if (s.running !== running) stale.push({ topic: 'workspace.updated', data: { id: ws.id, session: { id: s.id, running } } });
      }
    }
    if (stale.length) this.log.append(stale);
    for (const ws of this.all()) this.background(this.refresh(ws.id));
    const gitTimer = setInterval(() => {
      for (const ws of this.all()) this.background(this.refresh(ws.id));
    }, this.options.gitIntervalMs);
    const activityTimer = setInterval(() => this.background(this.checkActivity()), Math.min(ACTIVITY_CHECK_MS, this.options.gitIntervalMs));
    for (const t of [gitTimer, activityTimer]) {
      t.unref();
      this.timers.push(t);
    }
  }

  /** Register the git checkout containing `path`; an already registered checkout is returned as is. */
  async register(path: string): Promise<{ workspace: WorkspaceView; created: boolean }> {
    const abs = resolve(path);
    const st = await stat(abs).catch(() => null);
    if (!st?.isDirectory()) {
      throw new SwitchboardError('validation_failed', `path: ${abs} does not exist or is not a directory`, { details: { field: 'path' } });
    }
    const top = await gitTopLevel(abs);
    if (!top) throw new SwitchboardError('validation_failed', `path: ${abs} is not a git repository`, { details: { field: 'path' } });
    const pending = this.registering.get(top);
    if (pending) return pending;
    const p = this.doRegister(top).finally(() => this.registering.delete(top));
    this.registering.set(top, p);
    return p;
  }

  private async doRegister(top: string): Promise<{ workspace: WorkspaceView; created: boolean }> {
    const existing = this.all().find((w) => w.path === top);
    if (existing) return { workspace: existing, created: false };
    const git = await readGitStatus(top);
    const id = `${slug(git.short_repo || basename(top))}-${randomBytes(3).toString('hex')}`;
    await this.log.append([{ topic: 'workspace.added', data: { id, path: top, ...git } }]);
    return { workspace: this.get(id)!, created: true };
  }

  /** Unregister a workspace after disposing its sessions (the checkout on disk is left alone). */
  async remove(id: string): Promise<void> {
    const ws = this.require(id);
    await Promise.all(ws.sessions.map((s) => this.dispose(s.id)));
    if (this.get(id)) await this.log.append([{ topic: 'workspace.removed', data: { id } }]);
  }

  /** Start a session in a workspace as a new instance; answers its the workspace-dashboard contract view. */
  async spawn(input: { workspace_id: string; target: string; command: string; nickname?: string }): Promise<SessionAnswer> {
    const ws = this.require(input.workspace_id);
    const st = await stat(ws.path).catch(() => null);
    if (!st?.isDirectory()) throw new SwitchboardError('invalid_state', `workspace ${ws.id}: ${ws.path} no longer exists`);
    const id = newSessionId();
    const nickname = input.nickname ?? '';
    const { instance } = await this.options.runner.spawn({ id, cwd: ws.path, command: input.command });
    // The start was awaited: the workspace may have been removed (or the server closed) meanwhile, and a session
    // no workspace lists would be an instance nobody disposes.
    if (!this.get(ws.id) || this.closed) {
      await this.options.runner.dispose(id);
      throw this.closed ? new SwitchboardError('unavailable', 'the server is shutting down') : new SwitchboardError('workspace_not_found', `no workspace ${ws.id}`);
    }
    const running = this.options.runner.isRunning(id);
    await this.log.append([
      { topic: 'session.created', data: { id, name: nickname || id, target: input.target, workspace_id: ws.id, instance } },
      { topic: 'workspace.updated', data: { id: ws.id, session: { id, target: input.target, nickname, running } } },
    ]);
    this.background(this.refresh(ws.id));
    // A command that already ended had its exit reported before the session existed: catch its output now.
    if (!running) this.background(this.checkActivity());
    const session = this.get(ws.id)?.sessions.find((s) => s.id === id);
    return { ...(session ?? emptySession(id, input.target, nickname)), workspace_id: ws.id, instance };
  }

  /**
   * Stop a session's process, delete its instance and drop it from its workspace. Concurrent disposes of one session
   * share one run.
   */
  dispose(sessionId: string): Promise<void> {
    const pending = this.disposing.get(sessionId);
    if (pending) return pending;
    const found = this.findSession(sessionId);
    if (!found) return Promise.reject(new SwitchboardError('session_not_found', `no session ${sessionId}`));
    const p = (async () => {
      await this.options.runner.dispose(sessionId);
      const now = this.findSession(sessionId);
      if (!now) return;
      await this.log.append([
        { topic: 'workspace.updated', data: { id: now.ws.id, session_removed: sessionId } },
        { topic: 'session.ended', data: { id: sessionId, target: now.session.target, workspace_id: now.ws.id, instance: sessionInstanceName(sessionId) } },
      ]);
      this.background(this.refresh(now.ws.id));
    })().finally(() => this.disposing.delete(sessionId));
    this.disposing.set(sessionId, p);
    return p;
  }

  /** Change a session's nickname or nudge fields. */
  updateSession(sessionId: string, patch: SessionPatch): SessionAnswer {
    const found = this.findSession(sessionId);
    if (!found) throw new SwitchboardError('session_not_found', `no session ${sessionId}`);
    const events: AppendInput[] = [{ topic: 'workspace.updated', data: { id: found.ws.id, session: { id: sessionId, ...patch } } }];
    if (patch.nickname !== undefined && patch.nickname !== found.session.nickname) {
      events.push({ topic: 'session.updated', data: { id: sessionId, name: patch.nickname || sessionId } });
    }
    this.log.append(events);
    const after = this.findSession(sessionId)!;
    return { ...after.session, workspace_id: after.ws.id, instance: sessionInstanceName(sessionId) };
  }

  /** Refresh one workspace's git status (coalesced); appends `workspace.updated` only when a field changed. */
  refresh(id: string): Promise<void> {
    return this.refreshes.run(id, async () => {
      const ws = this.get(id);
      if (!ws || this.closed) return;
      let git: WorkspaceGitInfo;
      try {
        git = await readGitStatus(ws.path);
      } catch (err) {
        this.options.logLine(`workspace ${id}: git status failed: ${(err as Error).message}`);
        return;
      }
      const now = this.get(id);
      if (!now || this.closed) return;
      const changed: Record<string, unknown> = {};
      for (const k of GIT_FIELDS) if (now[k] !== git[k]) changed[k] = git[k];
      if (Object.keys(changed).length) this.log.append([{ topic: 'workspace.updated', data: { id, ...changed } }]);
    });
  }

  /** Bring `running` and `last_output_at` of every session up to date (the workspace-dashboard contract: log mtime, throttled). */
  checkActivity(): Promise<void> {
    // One pass at a time (overlapping passes would append the same change twice); a call during a pass gets a
    // follow-up pass, so an exit's last output is never missed.
    return this.activity.run('all', () => this.activityOnce());
  }

  private async activityOnce(): Promise<void> {
    const { runner } = this.options;
    const events: AppendInput[] = [];
    for (const ws of this.all()) {
      for (const s of ws.sessions) {
        const change: Record<string, unknown> = {};
        const running = runner.isRunning(s.id);
        if (running !== s.running && !this.disposing.has(s.id)) change.running = running;
        const last = await runner.lastOutputAt(s.id);
        if (last && last !== s.last_output_at) change.last_output_at = last;
        if (Object.keys(change).length) events.push({ topic: 'workspace.updated', data: { id: ws.id, session: { id: s.id, ...change } } });
      }
    }
    if (this.closed || events.length === 0) return;
    // The awaits above let the log move on: drop changes whose session went away meanwhile.
    const live = events.filter((e) => {
      const d = e.data as { id: string; session: { id: string } };
      return this.get(d.id)?.sessions.some((s) => s.id === d.session.id);
    });
    if (live.length) this.log.append(live);
  }

  /**
   * A session's instance changed (exited, crashed, was started or stopped through the instances API…): record its
   * `running`, then catch its last output and refresh its workspace's git status, which the command may have changed.
   */
  private onSessionChange(id: string): void {
    if (this.closed || this.disposing.has(id)) return;
    const found = this.findSession(id);
    if (!found) return;
    const running = this.options.runner.isRunning(id);
    if (running === found.session.running) return;
    this.log.append([{ topic: 'workspace.updated', data: { id: found.ws.id, session: { id, running } } }]);
    this.background(this.checkActivity());
    this.background(this.refresh(found.ws.id));
  }

  /**
   * Stop the loops and stop listening to the runner. Session processes are left to the supervisor, whose shutdown
   * stops them without recording it: the log keeps them `running`, and the next boot starts them again.
   */
  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.closed = true;
    this.stopChangeListener();
    this.options.runner.close();
  }

  /** Run a refresh or check nobody awaits; a failure is logged rather than left unhandled. */
  private background(p: Promise<void>): void {
    p.catch((err) => this.options.logLine(`workspace background task failed: ${(err as Error).message}`));
  }

  private require(id: string): WorkspaceView {
    const ws = this.get(id);
    if (!ws) throw new SwitchboardError('workspace_not_found', `no workspace ${id}`);
    return ws;
  }

  private findSession(sessionId: string): { ws: WorkspaceView; session: WorkspaceSessionView } | undefined {
    for (const ws of this.all()) {
      const session = ws.sessions.find((s) => s.id === sessionId);
      if (session) return { ws, session };
    }
    return undefined;
  }
}

function emptySession(id: string, target: string, nickname: string): WorkspaceSessionView {
  return { id, target, nickname, running: false, created_at: new Date().toISOString(), last_output_at: '', nudge_state: '', nudge_summary: '' };
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'workspace';
}
