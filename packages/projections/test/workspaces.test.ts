import { describe, expect, it } from 'vitest';
import type { OpaqueView, ProjectedEvent } from '../src/state';
import { listWorkspaces, reduceWorkspaces, type WorkspaceView } from '../src/workspaces';
import { applyEvents, initialState } from '../src/fleet';

const T0 = Date.UTC(2026, 10, 22);
const at = (n: number) => new Date(T0 + n * 1000).toISOString();
const ev = (topic: string, data: unknown, n = 0): ProjectedEvent => ({ topic, data, ts: at(n) });
const fold = (events: ProjectedEvent[], initial: Record<string, OpaqueView> = {}) => events.reduce(reduceWorkspaces, initial);

const git = { git_ahead: 1, git_behind: 2, git_dirty: true, git_lines_added: 42, git_lines_removed: 10, git_files_changed: 5 };
const added = ev('workspace.added', { id: 'w1', path: '/src/repo', repo: 'git@github.com:u/repo.git', branch: 'main', short_repo: 'repo', ...git }, 0);

const w1 = (over: Partial<WorkspaceView> = {}): WorkspaceView => ({
  id: 'w1',
  repo: 'git@github.com:u/repo.git',
  branch: 'main',
  short_repo: 'repo',
  path: '/src/repo',
  sessions: [],
  ...git,
  added_at: at(0),
  updated_at: at(0),
  ...over,
});

const session = (over: Record<string, unknown> = {}) => ({
  id: 's1',
  target: 'claude',
  nickname: '',
  running: true,
  created_at: at(1),
  last_output_at: '',
  nudge_state: '',
  nudge_summary: '',
  ...over,
});

describe('reduceWorkspaces', () => {
  it.each<[string, ProjectedEvent[], Record<string, WorkspaceView>]>([
    ['workspace.added registers a workspace without sessions', [added], { w1: w1() }],
    [
      'workspace.updated merges git fields of the right type only',
      [added, ev('workspace.updated', { id: 'w1', git_dirty: false, git_ahead: 0, branch: 'dev', git_behind: 'x', path: 7 }, 2)],
      { w1: w1({ git_dirty: false, git_ahead: 0, branch: 'dev', updated_at: at(2) }) },
    ],
    [
      'a session upsert adds a session with defaults, stamped with the event time',
      [added, ev('workspace.updated', { id: 'w1', session: { id: 's1', target: 'claude', running: true } }, 1)],
      { w1: w1({ sessions: [session()], updated_at: at(1) }) },
    ],
    [
      'a later upsert merges into the session (nickname, nudge, last output, running)',
      [
        added,
        ev('workspace.updated', { id: 'w1', session: { id: 's1', target: 'claude', running: true } }, 1),
        ev('workspace.updated', { id: 'w1', session: { id: 's1', nickname: 'fixer', nudge_state: 'waiting', last_output_at: at(3), running: false } }, 4),
      ],
      { w1: w1({ sessions: [session({ nickname: 'fixer', nudge_state: 'waiting', last_output_at: at(3), running: false })], updated_at: at(4) }) },
    ],
    [
      'session_removed drops the session',
      [
        added,
        ev('workspace.updated', { id: 'w1', session: { id: 's1', target: 'claude', running: true } }, 1),
        ev('workspace.updated', { id: 'w1', session: { id: 's2', target: 'codex', running: true } }, 2),
        ev('workspace.updated', { id: 'w1', session_removed: 's1' }, 3),
      ],
      { w1: w1({ sessions: [session({ id: 's2', target: 'codex', created_at: at(2) })], updated_at: at(3) }) },
    ],
    ['workspace.updated of an unknown workspace is dropped', [ev('workspace.updated', { id: 'nope', git_dirty: true })], {}],
    ['workspace.removed drops the workspace', [added, ev('workspace.removed', { id: 'w1' }, 5)], {}],
    ['events without an id are ignored', [added, ev('workspace.removed', {}), ev('workspace.updated', null)], { w1: w1() }],
  ])('%s', (_name, events, expected) => {
    expect(fold(events)).toEqual(expected);
  });

  it('returns the same slice when an update changes nothing', () => {
    const s = fold([added, ev('workspace.updated', { id: 'w1', session: { id: 's1', target: 'claude' } }, 1)]);
    expect(reduceWorkspaces(s, ev('workspace.updated', { id: 'w1', git_dirty: true, session: { id: 's1', target: 'claude' } }, 9))).toBe(s);
    expect(reduceWorkspaces(s, ev('workspace.updated', { id: 'w1', session_removed: 'other' }, 9))).toBe(s);
    expect(reduceWorkspaces(s, ev('workspace.removed', { id: 'other' }, 9))).toBe(s);
  });

  it('never mutates the previous state', () => {
    const before = fold([added, ev('workspace.updated', { id: 'w1', session: { id: 's1', target: 'claude' } }, 1)]);
    const snapshot = JSON.stringify(before);
    fold([ev('workspace.updated', { id: 'w1', git_dirty: false, session: { id: 's1', nickname: 'n' }, session_removed: 's1' }, 2)], before);
    expect(JSON.stringify(before)).toBe(snapshot);
  });

  it('is wired into the fleet state under `workspaces`', () => {
    const state = applyEvents(initialState(), [added]);
    expect(state.workspaces.w1).toEqual(w1());
  });
});

describe('listWorkspaces', () => {
  it('gives the workspace-dashboard shape exactly, in registration order', () => {
    const s = fold([
      ev('workspace.added', { id: 'b', path: '/b', repo: '/b', branch: 'main', short_repo: 'b' }, 2),
      ev('workspace.added', { id: 'a', path: '/a', repo: 'r', branch: 'x', short_repo: 'r', ...git }, 1),
      ev('workspace.updated', { id: 'a', session: { id: 's1', target: 'claude', running: true } }, 3),
    ]);
    const list = listWorkspaces(s);
    expect(list.map((w) => w.id)).toEqual(['a', 'b']);
    expect(list[0]).toEqual({
      id: 'a',
      repo: 'r',
      branch: 'x',
      short_repo: 'r',
      path: '/a',
      session_count: 1,
      sessions: [{ id: 's1', target: 'claude', nickname: '', running: true, created_at: at(3), last_output_at: '', nudge_state: '', nudge_summary: '' }],
      ...git,
    });
    expect(Object.keys(list[0]!)).toEqual([
      'id', 'repo', 'branch', 'short_repo', 'path', 'session_count', 'sessions',
      'git_ahead', 'git_behind', 'git_dirty', 'git_lines_added', 'git_lines_removed', 'git_files_changed',
    ]);
    expect(list[1]).toMatchObject({ session_count: 0, sessions: [], git_dirty: false, git_ahead: 0 });
  });
});
