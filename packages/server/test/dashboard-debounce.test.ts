// The workspace-dashboard contract "Unit tests for debouncing" and "broadcaster registration/unregistration": the DashboardBroadcaster with
// an injected clock (fake timers) and connections that record what they are sent.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { App } from '../src/app';
import { DashboardBroadcaster } from '../src/streams/dashboard';
import type { WsConnection } from '../src/ws/connection';

interface FakeConn {
  isOpen: boolean;
  onResync?: () => void;
  sent: Array<{ at: number; names: string[] }>;
  close(): void;
}

let workspaces: Record<string, unknown> = {};
const app = { log: { get state() { return { workspaces }; } } } as unknown as App;

function fakeConn(): FakeConn & WsConnection {
  const closers: Array<() => void> = [];
  const record = (buf: Buffer) => {
    // Skip the 2- or 4-byte frame header: payloads here are short enough for either.
    const text = buf.toString('utf8', buf[1] === 126 ? 4 : 2);
    const frame = JSON.parse(text) as { workspaces: Array<{ id: string }> };
    conn.sent.push({ at: Date.now(), names: frame.workspaces.map((w) => w.id) });
    return true;
  };
  const conn = {
    isOpen: true,
    sent: [] as FakeConn['sent'],
    onClose: (fn: () => void) => closers.push(fn),
    push: record,
    offer: record,
    close() {
      conn.isOpen = false;
      for (const fn of closers) fn();
    },
  };
  return conn as unknown as FakeConn & WsConnection;
}

/** Replace the projection's slice, as an appended workspace event would. */
function setWorkspaces(ids: string[]): void {
  workspaces = Object.fromEntries(ids.map((id, i) => [id, fakeWorkspace(id, i)]));
}

function fakeWorkspace(id: string, i: number) {
  return {
    id, repo: id, branch: 'main', short_repo: id, path: `/${id}`, sessions: [],
    git_ahead: 0, git_behind: 0, git_dirty: false, git_lines_added: 0, git_lines_removed: 0, git_files_changed: 0,
    added_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), updated_at: '',
  };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
  setWorkspaces([]);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('DashboardBroadcaster', () => {
  it('registers a connection with the current state and unregisters it on close', () => {
    const b = new DashboardBroadcaster(app, 500);
    setWorkspaces(['a']);
    const c1 = fakeConn();
    const c2 = fakeConn();
    b.register(c1);
    b.register(c2);
    expect(b.size).toBe(2);
    expect(c1.sent).toEqual([{ at: 1_000_000, names: ['a'] }]);
    c1.close();
    expect(b.size).toBe(1);
    vi.advanceTimersByTime(1000);
    setWorkspaces(['a', 'b']);
    b.changed();
    expect(c1.sent).toHaveLength(1);
    expect(c2.sent.at(-1)!.names).toEqual(['a', 'b']);
  });

  it('sends the first change at once, folds later ones into one trailing frame with the newest state', () => {
    const b = new DashboardBroadcaster(app, 500);
    const c = fakeConn();
    b.register(c); // t=0
    vi.advanceTimersByTime(600);
    setWorkspaces(['a']);
    b.changed(); // t=600: quiet for > 500 ms, sent now
    expect(c.sent.map((s) => s.at - 1_000_000)).toEqual([0, 600]);
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(10);
      setWorkspaces(Array.from({ length: i + 2 }, (_, k) => `w${k}`));
      b.changed();
    }
    expect(c.sent).toHaveLength(2);
    vi.advanceTimersByTime(500);
    expect(c.sent).toHaveLength(3);
    expect(c.sent[2]!.at - 1_000_000).toBe(1100);
    expect(c.sent[2]!.names).toHaveLength(21); // the state as of the last change
    vi.advanceTimersByTime(5000);
    expect(c.sent).toHaveLength(3); // no change, no frame
  });

  it('never sends two frames within the window, whatever the pattern of changes', () => {
    const b = new DashboardBroadcaster(app, 500);
    const c = fakeConn();
    b.register(c);
    for (let t = 0; t < 5000; t += 37) {
      vi.advanceTimersByTime(37);
      setWorkspaces([`w${t}`]);
      b.changed();
    }
    vi.advanceTimersByTime(500);
    const times = c.sent.map((s) => s.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(500);
    expect(c.sent.length).toBeLessThanOrEqual(5000 / 500 + 2);
    expect(c.sent.at(-1)!.names).toEqual([`w${Math.floor(4999 / 37) * 37}`]);
  });

  it('debounces each connection on its own clock', () => {
    const b = new DashboardBroadcaster(app, 500);
    const early = fakeConn();
    b.register(early); // t=0
    vi.advanceTimersByTime(400);
    const late = fakeConn();
    b.register(late); // t=400
    vi.advanceTimersByTime(200);
    setWorkspaces(['x']);
    b.changed(); // t=600: early's window is over, late's is not
    expect(early.sent.map((s) => s.at - 1_000_000)).toEqual([0, 600]);
    expect(late.sent.map((s) => s.at - 1_000_000)).toEqual([400]);
    vi.advanceTimersByTime(300);
    expect(late.sent.map((s) => s.at - 1_000_000)).toEqual([400, 900]);
    expect(late.sent[1]!.names).toEqual(['x']);
  });

  it('drops pending timers on close', () => {
    const b = new DashboardBroadcaster(app, 500);
    const c = fakeConn();
    b.register(c);
    b.changed();
    b.close();
    vi.advanceTimersByTime(1000);
    expect(c.sent).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
