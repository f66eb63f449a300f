/** @jsxRuntime automatic */
// The instances view of the terminal dashboard against a real server (docs/control-plane.md "Restart policies"):
// `n` opens it; an instance with restart "on-failure" whose command exits 1 shows its policy, a growing restart
// count and a ticking countdown to the next attempt, then the crash-loop give-up; the view fits 80×24.

import { restoreColorEnv } from './helpers/force-color';
import { rmSync } from 'node:fs';
import { createClient, type SwitchboardClient } from '@switchboard/client';
import { startTestServer, waitFor, type TestServer } from '@switchboard/testkit';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../src/app';
import { TUI_TOPICS } from '../src/constants';
import { createDashboardStore, type DashboardStore } from '../src/dashboard-store';
import { fillInstance, INITIAL_INSTANCES, instanceRows, reduceInstances, restartCountdown } from '../src/instances';
import { INITIAL_UI_STATE, reduceUi } from '../src/ui-state';
import { lineWith, plain, uniqueName } from './helpers/server';

restoreColorEnv();

let server: TestServer | undefined;
let client: SwitchboardClient | undefined;
let store: DashboardStore | undefined;
let ui: ReturnType<typeof render> | undefined;
/** Data dirs kept across a server restart, removed after the test. */
const kept: string[] = [];

afterEach(async () => {
  ui?.unmount();
  store?.close();
  await server?.close();
  ui = undefined;
  store = undefined;
  server = undefined;
  for (const dir of kept.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function mount(size: { columns: number; rows: number }) {
  client = createClient({ url: server!.url, topics: TUI_TOPICS });
  store = createDashboardStore(client);
  ui = render(<App store={store} size={size} />);
  await screenShows('● live');
}

function screenShows(text: string | RegExp, timeoutMs = 5000) {
  const has = () => {
    const screen = plain(ui!.lastFrame());
    return typeof text === 'string' ? screen.includes(text) : text.test(screen);
  };
  return waitFor(has, { timeoutMs, message: `the screen to show ${String(text)}\n${plain(ui!.lastFrame())}` });
}

async function post(path: string, body?: unknown): Promise<void> {
  const res = await fetch(server!.url + path, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, await res.text()).toBeLessThan(300);
}

const press = (keys: string) => ui!.stdin.write(keys);

describe('the instances view in the terminal dashboard', () => {
  it('shows an on-failure instance restarting: policy, growing count, ticking countdown, then the crash loop', { timeout: 40_000 }, async () => {
    // Delays of 1.5 s then 3 s: long enough for a one-second countdown to be seen ticking, short for a test.
    server = await startTestServer({
      stopGraceMs: 1000,
      restartTiming: { initialDelayMs: 1500, maxDelayMs: 3000, resetAfterMs: 60_000, crashLoopLimit: 3, crashLoopWindowMs: 60_000 },
    });
    await mount({ columns: 80, rows: 24 });
    const name = uniqueName('flaky');
    const steady = uniqueName('steady');
    await post('/api/instances', { name, command: 'exit 1', restart: 'on-failure' });
    await post('/api/instances', { name: steady, command: 'sleep 30' });

    press('n');
    await screenShows(/Instances 2\b/);
    await screenShows('n/esc back');
    const row = () => plain(lineWith(plain(ui!.lastFrame()), name.slice(0, 17)));
    expect(row()).toContain('on-failure');
    expect(row()).toContain('○ stopped');

    await post(`/api/instances/${steady}/start`);
    await screenShows(/● running/);
    await post(`/api/instances/${name}/start`);

    // The count grows, and while a restart is pending its countdown ticks down.
    await waitFor(() => /restart in \d+s/.test(row()), { timeoutMs: 10_000, message: `a countdown\n${plain(ui!.lastFrame())}` });
    const seen = new Map<string, Set<string>>();
    await waitFor(
      () => {
        const line = row();
        const count = /↻ (\d+)/.exec(line)?.[1] ?? '0';
        const next = /restart in (\d+)s/.exec(line)?.[1];
        if (next) seen.set(count, (seen.get(count) ?? new Set()).add(next));
        return Number(count) >= 2 && [...seen.values()].some((values) => values.size >= 2);
      },
      { timeoutMs: 20_000, intervalMs: 50, message: `a growing count and a ticking countdown; saw ${JSON.stringify([...seen].map(([k, v]) => [k, [...v]]))}\n${plain(ui!.lastFrame())}` },
    );
    expect(row()).toContain('on-failure');

    // At the crash-loop limit it gives up: crashed, with the reason, and nothing pending.
    await waitFor(() => row().includes('crashed · crash_loop'), { timeoutMs: 20_000, message: `the crash loop\n${plain(ui!.lastFrame())}` });
    expect(row()).toContain('↻ 3');
    expect(row()).not.toMatch(/restart (in|now)/);

    // Within 80×24 throughout.
    const lines = plain(ui!.lastFrame()).split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);

    // j moves the selection; the detail line follows it; n goes back to the dashboard.
    await screenShows('$ exit 1');
    press('j');
    await screenShows('$ sleep 30');
    press('n');
    await screenShows('tab pane · i inbox · n instances');
  });

  it('follows creates, deletes and an instance stream that reconnects after the server restarts', { timeout: 30_000 }, async () => {
    server = await startTestServer({ stopGraceMs: 1000 });
    const dataDir = server.dataDir;
    const port = server.port;
    kept.push(dataDir);
    await mount({ columns: 100, rows: 30 });
    press('n');
    await screenShows('no instances');
    const first = uniqueName('one');
    await post('/api/instances', { name: first, command: 'exit 0', restart: 'always' });
    // The created frame has no policy; a REST read fills it in.
    await waitFor(() => lineWith(plain(ui!.lastFrame()), first)?.includes('always'), { message: `the policy of a new instance\n${plain(ui!.lastFrame())}` });
    const res = await fetch(`${server.url}/api/instances/${first}`, { method: 'DELETE' });
    expect(res.status).toBeLessThan(300);
    await screenShows('no instances');

    const second = uniqueName('two');
    await post('/api/instances', { name: second, command: 'sleep 5' });
    await screenShows(second);
    await server.close({ keepData: true });
    await screenShows(/Instances 1 · (reconnecting|polling)/, 10_000);
    server = await startTestServer({ dataDir, port, stopGraceMs: 1000 });
    await screenShows(/Instances 1(?! ·)/, 15_000);
    expect(plain(ui!.lastFrame())).toContain(second);
  });
});

describe('instances view, pure parts', () => {
  it('folds frames: snapshot, status change clears a pending restart, update, archive', () => {
    const info = { name: 'a', status: 'crashed', pid: null, port: null, restart: 'on-failure', restart_count: 2, next_restart_at: '2030-01-01T00:00:10.000Z', status_reason: 'exit', command: 'x' };
    let s = reduceInstances(INITIAL_INSTANCES, { type: 'snapshot', instances: [info], include_archived: false });
    expect(s.loaded).toBe(true);
    expect(instanceRows(s)[0]).toMatchObject({ restart: 'on-failure', restartCount: 2, nextRestartAt: Date.parse('2030-01-01T00:00:10.000Z'), reason: '' });
    s = reduceInstances(s, { type: 'status_changed', name: 'a', status: 'starting', pid: 7 });
    expect(instanceRows(s)[0]).toMatchObject({ status: 'starting', pid: 7, nextRestartAt: null, restartCount: 2 });
    s = reduceInstances(s, { type: 'instance_updated', name: 'a', instance: { ...info, status_reason: 'crash_loop', next_restart_at: null, restart_count: 3 } });
    expect(instanceRows(s)[0]).toMatchObject({ reason: 'crash_loop', restartCount: 3 });
    s = reduceInstances(s, { type: 'instance_created', name: 'constructor', status: 'stopped', port: 9 });
    expect(instanceRows(s).map((r) => r.name)).toEqual(['a', 'constructor']);
    expect(instanceRows(s)[1]!.restart).toBe('');
    // A REST read fills in what the created frame left out, but never what a later frame set.
    s = reduceInstances(s, { type: 'status_changed', name: 'constructor', status: 'running', pid: 8 });
    s = fillInstance(s, { ...info, name: 'constructor', status: 'stopped', pid: null, restart: 'always', command: 'y' } as never);
    expect(instanceRows(s)[1]).toMatchObject({ status: 'running', pid: 8, restart: 'always', command: 'y' });
    s = reduceInstances(s, { type: 'instance_archived', name: 'a' });
    expect(instanceRows(s).map((r) => r.name)).toEqual(['constructor']);
    expect(reduceInstances(s, { type: 'instance_deleted', name: 'toString' })).toBe(s);
  });

  it('counts down in whole seconds, then minutes, then "now"', () => {
    expect(restartCountdown(10_500, 10_000)).toBe('in 1s');
    expect(restartCountdown(13_000, 10_000)).toBe('in 3s');
    expect(restartCountdown(10_000 + 90_000, 10_000)).toBe('in 2m');
    expect(restartCountdown(9_000, 10_000)).toBe('now');
  });

  it('n and i switch between the instances view and the inbox, never both', () => {
    let s = reduceUi(INITIAL_UI_STATE, { type: 'toggle_instances' });
    expect(s).toMatchObject({ instances: true, inbox: false });
    s = reduceUi(s, { type: 'toggle_inbox' });
    expect(s).toMatchObject({ instances: false, inbox: true });
    s = reduceUi(s, { type: 'toggle_instances' });
    expect(s).toMatchObject({ instances: true, inbox: false });
    expect(reduceUi(s, { type: 'tab', step: 1 })).toBe(s);
    s = reduceUi(s, { type: 'instances_move', delta: 1, ids: ['a', 'b'] });
    expect(s.instancesSelectedId).toBe('b');
  });
});
