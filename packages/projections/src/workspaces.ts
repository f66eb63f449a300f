// The `workspaces` slice (docs/workspaces-and-plans.md): registered git checkouts, their git status and the sessions spawned
// in them, folded from `workspace.added` / `workspace.updated` / `workspace.removed`. `listWorkspaces` gives the
// exact the workspace-dashboard contract array that `GET /api/sessions` and the `/ws/dashboard` `sessions` frame carry.

import type { OpaqueView, ProjectedEvent } from './state';

/** A session as the workspace lists it (the workspace-dashboard contract). Strings are `""` when unknown, never absent. */
export type WorkspaceSessionView = {
  id: string;
  /** Agent kind, e.g. `claude`. */
  target: string;
  nickname: string;
  running: boolean;
  created_at: string;
  /** When its output log last changed; `""` before any output. */
  last_output_at: string;
  nudge_state: string;
  nudge_summary: string;
};

/** Git status fields of a workspace, as refreshed by the server. */
export type WorkspaceGitStatus = {
  git_ahead: number;
  git_behind: number;
  git_dirty: boolean;
  git_lines_added: number;
  git_lines_removed: number;
  git_files_changed: number;
};

/** One registered checkout in the projection: the workspace-dashboard fields plus bookkeeping timestamps. */
export type WorkspaceView = WorkspaceGitStatus & {
  id: string;
  repo: string;
  branch: string;
  short_repo: string;
  path: string;
  sessions: WorkspaceSessionView[];
  added_at: string;
  updated_at: string;
};

/** A workspace exactly as the workspace-dashboard contract lists it (field order included). */
export type SeedWorkspace = WorkspaceGitStatus & {
  id: string;
  repo: string;
  branch: string;
  short_repo: string;
  path: string;
  session_count: number;
  sessions: WorkspaceSessionView[];
};

type Workspaces = Record<string, WorkspaceView>;

const STRING_FIELDS = ['repo', 'branch', 'short_repo', 'path'] as const;
const NUMBER_FIELDS = ['git_ahead', 'git_behind', 'git_lines_added', 'git_lines_removed', 'git_files_changed'] as const;
const SESSION_STRING_FIELDS = ['target', 'nickname', 'created_at', 'last_output_at', 'nudge_state', 'nudge_summary'] as const;

/**
 * Fold one `workspace.*` event.
 * - `added` `{id, path, repo, branch, short_repo, git_*}` registers (or re-registers) a workspace with no sessions.
 * - `updated` `{id, <any workspace field>?, session?: {id, …fields}, session_removed?: id}` merges the fields it
 *   names, upserts one session by merging, and removes one; an update of an unknown workspace is dropped.
 * - `removed` `{id}` drops the workspace.
 * Typed as the opaque slice of `FleetState`; the records are `WorkspaceView`s.
 */
export function reduceWorkspaces(slice: Record<string, OpaqueView>, event: ProjectedEvent): Record<string, OpaqueView> {
  return reduce(slice as unknown as Workspaces, event) as unknown as Record<string, OpaqueView>;
}

function reduce(slice: Workspaces, event: ProjectedEvent): Workspaces {
  const d = asObject(event.data);
  const id = d && typeof d.id === 'string' && d.id ? d.id : undefined;
  if (!d || !id) return slice;
  const prev = Object.hasOwn(slice, id) ? slice[id] : undefined;
  switch (event.topic) {
    case 'workspace.added': {
      const base: WorkspaceView = {
        id,
        repo: '',
        branch: '',
        short_repo: '',
        path: '',
        sessions: [],
        git_ahead: 0,
        git_behind: 0,
        git_dirty: false,
        git_lines_added: 0,
        git_lines_removed: 0,
        git_files_changed: 0,
        added_at: event.ts,
        updated_at: event.ts,
      };
      return { ...slice, [id]: mergeFields(base, d) };
    }
    case 'workspace.updated': {
      if (!prev) return slice;
      let next = mergeFields(prev, d);
      const session = asObject(d.session);
      if (session && typeof session.id === 'string' && session.id) next = upsertSession(next, session.id, session, event.ts);
      if (typeof d.session_removed === 'string') {
        const sessions = next.sessions.filter((s) => s.id !== d.session_removed);
        if (sessions.length !== next.sessions.length) next = { ...next, sessions };
      }
      if (next === prev) return slice;
      return { ...slice, [id]: { ...next, updated_at: event.ts } };
    }
    case 'workspace.removed': {
      if (!prev) return slice;
      const { [id]: _gone, ...rest } = slice;
      return rest;
    }
    default:
      return slice;
  }
}

/** `ws` with the top-level fields `d` carries (of the right type); `ws` itself when none changes. */
function mergeFields(ws: WorkspaceView, d: Readonly<Record<string, unknown>>): WorkspaceView {
  let out = ws;
  const set = (key: string, value: unknown) => {
    if (Object.is((out as Record<string, unknown>)[key], value)) return;
    if (out === ws) out = { ...ws };
    (out as Record<string, unknown>)[key] = value;
  };
  for (const k of STRING_FIELDS) if (typeof d[k] === 'string') set(k, d[k]);
  for (const k of NUMBER_FIELDS) if (typeof d[k] === 'number' && Number.isFinite(d[k])) set(k, d[k]);
  if (typeof d.git_dirty === 'boolean') set('git_dirty', d.git_dirty);
  return out;
}

function upsertSession(ws: WorkspaceView, sid: string, d: Readonly<Record<string, unknown>>, ts: string): WorkspaceView {
  const index = ws.sessions.findIndex((s) => s.id === sid);
  const prev: WorkspaceSessionView = index >= 0
    ? ws.sessions[index]!
    : { id: sid, target: '', nickname: '', running: false, created_at: ts, last_output_at: '', nudge_state: '', nudge_summary: '' };
  let changed = index < 0;
  const next: WorkspaceSessionView = { ...prev };
  for (const k of SESSION_STRING_FIELDS) {
    if (typeof d[k] === 'string' && d[k] !== prev[k]) {
      next[k] = d[k] as string;
      changed = true;
    }
  }
  if (typeof d.running === 'boolean' && d.running !== prev.running) {
    next.running = d.running;
    changed = true;
  }
  if (!changed) return ws;
  const sessions = index >= 0 ? ws.sessions.map((s, i) => (i === index ? next : s)) : [...ws.sessions, next];
  return { ...ws, sessions };
}

/** The workspace-dashboard workspaces array: every workspace in registration order, with exactly the seed's fields. */
export function listWorkspaces(slice: Readonly<Record<string, OpaqueView>>): SeedWorkspace[] {
  const all = Object.values(slice as unknown as Workspaces);
  all.sort((a, b) => (a.added_at < b.added_at ? -1 : a.added_at > b.added_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return all.map(toSeedWorkspace);
}

/** One workspace in the workspace-dashboard shape. */
export function toSeedWorkspace(ws: WorkspaceView): SeedWorkspace {
  return {
    id: ws.id,
    repo: ws.repo,
    branch: ws.branch,
    short_repo: ws.short_repo,
    path: ws.path,
    session_count: ws.sessions.length,
    sessions: ws.sessions.map((s) => ({
      id: s.id,
      target: s.target,
      nickname: s.nickname,
      running: s.running,
      created_at: s.created_at,
      last_output_at: s.last_output_at,
      nudge_state: s.nudge_state,
      nudge_summary: s.nudge_summary,
    })),
    git_ahead: ws.git_ahead,
    git_behind: ws.git_behind,
    git_dirty: ws.git_dirty,
    git_lines_added: ws.git_lines_added,
    git_lines_removed: ws.git_lines_removed,
    git_files_changed: ws.git_files_changed,
  };
}

/** The workspace `id` in the slice, typed, or `undefined`. */
export function getWorkspace(slice: Readonly<Record<string, OpaqueView>>, id: string): WorkspaceView | undefined {
  return Object.hasOwn(slice, id) ? (slice[id] as unknown as WorkspaceView) : undefined;
}

function asObject(v: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
