/** @jsxRuntime automatic */
// The inbox of the terminal dashboard against a real server (docs/protocol.md, "Approvals"): `i` opens it, requests
// are listed longest-waiting first with a ticking wait, space marks, `a` approves, `d` denies, `r` denies with a
// typed reason; decisions made elsewhere show live with who made them; the unread count shows in the key hints.

import { restoreColorEnv } from './helpers/force-color';
import { createClient, type SwitchboardClient } from '@switchboard/client';
import { startTestServer, waitFor, type TestServer } from '@switchboard/testkit';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../src/app';
import { TUI_TOPICS } from '../src/constants';
import { createDashboardStore, type DashboardStore } from '../src/dashboard-store';
import { decisionTargets, INITIAL_UI_STATE, reduceUi } from '../src/ui-state';
import { plain, publish } from './helpers/server';

restoreColorEnv();

let server: TestServer;
let client: SwitchboardClient;
let store: DashboardStore;
let ui: ReturnType<typeof render>;

async function mount(size = { columns: 100, rows: 30 }) {
  client = createClient({ url: server.url, topics: TUI_TOPICS });
  store = createDashboardStore(client);
  ui = render(<App store={store} size={size} />);
  await screenShows('● live');
}

function screenShows(text: string | RegExp, timeoutMs = 5000) {
  const has = () => {
    const screen = plain(ui.lastFrame());
    return typeof text === 'string' ? screen.includes(text) : text.test(screen);
  };
  return waitFor(has, { timeoutMs, message: `the screen to show ${String(text)}\n${plain(ui.lastFrame())}` });
}

async function ask(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${server.url}/api/approvals`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function approval(id: string): Promise<{ status: string; decision?: string; reason?: string; decided_by?: string }> {
  return (await fetch(`${server.url}/api/approvals/${id}`)).json() as never;
}

const press = (keys: string) => ui.stdin.write(keys);

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  ui?.unmount();
  store?.close();
  await server?.close();
});

describe('the inbox in the terminal dashboard', () => {
  it('lists requests, and approves, denies and denies with a reason from the keyboard', { timeout: 30_000 }, async () => {
    await mount();
    await publish(server.url, [
      { topic: 'session.created', data: { id: 's1', name: 'checkout-fix', target: 'claude' } },
      { topic: 'agent.started', data: { id: 'a1', session_id: 's1', name: 'coder' } },
    ]);
    const first = await ask({ tool: 'Bash', summary: 'npm run deploy', agent_id: 'a1' });
    const second = await ask({ tool: 'Write', summary: 'src/pay.ts' });
    const third = await ask({ tool: 'WebFetch', summary: 'https://example.com' });
    const fourth = await ask({ tool: 'Edit', summary: 'README.md' });

    // The request shows in the feed, and the hints count what arrived.
    await screenShows('coder asks to run Bash: npm run deploy');
    await screenShows('inbox 4 (4 new)');

    press('i');
    await screenShows('Inbox 4 waiting');
    await screenShows('↑↓/jk move · space mark · a approve');
    const screen = plain(ui.lastFrame());
    // Longest-waiting first, with agent and session.
    expect(screen.indexOf('npm run deploy')).toBeLessThan(screen.indexOf('src/pay.ts'));
    expect(screen.indexOf('src/pay.ts')).toBeLessThan(screen.indexOf('https://example.com'));
    expect(screen).toMatch(/› \[ \]\s+\d+s\s+Bash\s+npm run deploy\s+coder · checkout-fix/);
    // The wait ticks.
    const before = /\[ \]\s+(\d+s)\s+Bash/.exec(screen)![1];
    await screenShows(new RegExp(`\\[ \\]\\s+(?!${before})\\d+s\\s+Bash`), 5000);

    // a: approve the selected (first) one.
    press('a');
    await waitFor(async () => (await approval(first)).decision === 'allow', { message: 'the first request approved' });
    await screenShows('Inbox 3 waiting');
    await screenShows('✓ Bash allow by local');

    // space marks two, d denies both.
    press(' ');
    await screenShows('· 1 marked');
    press('j');
    await screenShows(/› \[ \]\s+\d+s\s+WebFetch/);
    press(' ');
    await screenShows('· 2 marked');
    press('d');
    await waitFor(async () => (await approval(second)).decision === 'deny' && (await approval(third)).decision === 'deny', { message: 'two denied' });
    await screenShows('Inbox 1 waiting');

    // r: deny with a reason typed in the prompt.
    press('r');
    await screenShows('reason ›');
    for (const ch of 'not today') press(ch);
    await screenShows('reason › not today');
    press('\r');
    await waitFor(async () => (await approval(fourth)).reason === 'not today', { message: 'denied with the reason' });
    expect((await approval(fourth)).decision).toBe('deny');
    await screenShows('nothing waiting for a decision');
    await screenShows('✗ Edit deny by local: not today');

    // Back to the dashboard.
    press('\u001b');
    await screenShows('tab pane · i inbox');
  });

  it('shows a decision made elsewhere live, with who made it', { timeout: 20_000 }, async () => {
    await mount();
    press('i');
    await screenShows('nothing waiting for a decision');
    const id = await ask({ tool: 'Bash', summary: 'rm -rf dist' });
    await screenShows('rm -rf dist');
    const res = await fetch(`${server.url}/api/approvals/${id}/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'deny', reason: 'use make clean' }),
    });
    expect(res.status).toBe(200);
    await screenShows('✗ Bash deny by local: use make clean');
    await screenShows('Inbox 0 waiting');
  });

  it('escape cancels the reason prompt without deciding', { timeout: 20_000 }, async () => {
    await mount();
    const id = await ask({ tool: 'Bash', summary: 'make' });
    press('i');
    await screenShows('make');
    press('r');
    await screenShows('reason ›');
    press('x');
    await screenShows('reason › x');
    press('\u001b');
    await waitFor(() => !plain(ui.lastFrame()).includes('reason ›'), { message: 'the prompt to close' });
    expect((await approval(id)).status).toBe('pending');
  });
});

describe('inbox keys (pure)', () => {
  it('decides the marked requests that are still pending, else the selected one', () => {
    const ids = ['a', 'b', 'c'];
    let s = reduceUi(INITIAL_UI_STATE, { type: 'toggle_inbox' });
    expect(decisionTargets(s, ids)).toEqual(['a']);
    s = reduceUi(s, { type: 'inbox_move', delta: 2, ids });
    expect(decisionTargets(s, ids)).toEqual(['c']);
    s = reduceUi(s, { type: 'inbox_mark', ids });
    s = reduceUi(s, { type: 'inbox_move', delta: -1, ids });
    s = reduceUi(s, { type: 'inbox_mark', ids });
    expect(decisionTargets(s, ids)).toEqual(['c', 'b']);
    // Decided elsewhere: a marked request that is no longer pending drops out.
    expect(decisionTargets(s, ['a', 'b'])).toEqual(['b']);
    s = reduceUi(s, { type: 'decided', ids: ['b', 'c'] });
    expect(s.marked).toEqual([]);
    expect(decisionTargets(s, [])).toEqual([]);
    // Unmark with a second space.
    s = reduceUi(reduceUi(s, { type: 'inbox_mark', ids }), { type: 'inbox_mark', ids });
    expect(s.marked).toEqual([]);
  });

  it('the prompt collects text, bounded, and closes', () => {
    let s = reduceUi(INITIAL_UI_STATE, { type: 'reason_open', targets: ['a'] });
    s = reduceUi(s, { type: 'reason_input', text: 'no🙂' });
    s = reduceUi(s, { type: 'reason_backspace' });
    expect(s.reason).toEqual({ targets: ['a'], text: 'no' });
    s = reduceUi(s, { type: 'reason_input', text: 'x'.repeat(5000) });
    expect(s.reason!.text.length).toBe(1000);
    expect(reduceUi(s, { type: 'reason_close' }).reason).toBeNull();
    expect(reduceUi(INITIAL_UI_STATE, { type: 'reason_open', targets: [] })).toBe(INITIAL_UI_STATE);
  });
});
