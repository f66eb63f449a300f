// What the workspace service needs from whatever runs the processes behind sessions (docs/workspaces-and-plans.md), and how a
// session's instance is named. The runner in use is SupervisorSessionRunner: sessions are supervised instances.

import { randomBytes } from 'node:crypto';
import { isInstanceName } from '@switchboard/protocol';

/** Runs session processes for the workspace service. */
export interface SessionRunner {
  /**
   * Start `command` under `/bin/sh -c` in `cwd`; resolves with the name of the instance that runs it once the
   * start was attempted (the instance is then running, or crashed when it could not start). Rejects when nothing
   * could be started (e.g. the server is shutting down); nothing is left behind then.
   */
  spawn(opts: { id: string; cwd: string; command: string }): Promise<{ instance: string }>;
  /** Stop the session's process (SIGTERM to its group, SIGKILL after the stop grace) and drop it; resolves once it exited. */
  dispose(id: string): Promise<void>;
  /** Whether the session's process is running (or starting). */
  isRunning(id: string): boolean;
  /** ISO time of the session's last output (its log's mtime), or `null` before any output. */
  lastOutputAt(id: string): Promise<string | null>;
  /**
   * Called when the running state of session `id` may have changed (exit, crash, start, restart…), never inside
   * an event log append; the listener reads `isRunning` itself. Returns the unsubscribe.
   */
  onChange(fn: (id: string) => void): () => void;
  /**
   * Stop listening. Running processes are left alone: on server shutdown their owner stops them without recording
   * it, so they start again on the next boot.
   */
  close(): void;
}

/** Session ids are server-generated: `session-` and 12 hex digits. */
const SESSION_ID = /^session-[0-9a-f]{12}$/;

/**
 * The instance that runs session `id`: the id itself, which is already a valid instance name, so the mapping
 * survives restarts without being stored. Throws for an id that is not (a programmer error: ids come from the
 * server).
 */
export function sessionInstanceName(id: string): string {
  if (!isInstanceName(id)) throw new Error(`session id ${JSON.stringify(id)} is not a valid instance name; generate ids with newSessionId()`);
  return id;
}

/** The session an instance runs, when its name is a session id. */
export function sessionIdOfInstance(name: string): string | undefined {
  return SESSION_ID.test(name) ? name : undefined;
}

/** A new session id (48 random bits). */
export function newSessionId(): string {
  return `session-${randomBytes(6).toString('hex')}`;
}
