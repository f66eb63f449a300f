/** @jsxRuntime automatic */
import { restoreColorEnv } from './helpers/force-color';
import { createClient, type ClientOptions, type StateChange, type SwitchboardClient } from '@switchboard/client';
import { startTestServer, waitFor, type TestServer } from '@switchboard/testkit';
import { render } from 'ink-testing-library';
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../src/app';
import { TUI_TOPICS } from '../src/constants';
import { createDashboardStore, type DashboardStore } from '../src/dashboard-store';
import { lineWith, plain, publish } from './helpers/server';

restoreColorEnv();

const DIM = '\u001b[2m';
const YELLOW = '\u001b[33m';

let server: TestServer;
let client: SwitchboardClient;
let store: DashboardStore;
let ui: ReturnType<typeof render>;
let states: StateChange[];
/** Data dirs of servers restarted on a kept dir: their `close()` leaves the dir to the caller. */
let keptDirs: string[] = [];

async function mount(size = { columns: 100, rows: 30 }, clientOptions: Omit<ClientOptions, 'url' | 'topics'> = {}) {
  client = createClient({ ...clientOptions, url: server.url, topics: TUI_TOPICS });
  states = [];
  client.on('state', (s) => states.push(s));
  store = createDashboardStore(client);
  ui = render(<App store={store} size={size} />);
  await screenShows('● live');
}

/** Wait until the last frame, read as plain text, contains `text`. */
function screenShows(text: string, timeoutMs = 5000) {
  return waitFor(() => plain(ui.lastFrame()).includes(text), { timeoutMs, message: `the screen to show "${text}"\n${plain(ui.lastFrame())}` });
}

function press(keys: string) {
  ui.stdin.write(keys);
}

const session = (id: string, name: string) => ({ topic: 'session.created', data: { id, name, target: 'claude' } });
const agent = (id: string, sessionId: string, name: string) => ({ topic: 'agent.started', data: { id, session_id: sessionId, name } });

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  ui?.unmount();
  store?.close();
  await server?.close();
  for (const dir of keptDirs) rmSync(dir, { recursive: true, force: true });
  keptDirs = [];
});

describe('terminal dashboard against a real server', () => {
  it('connects on startup and shows a new session in the list', async () => {
    await mount();
    expect(plain(ui.lastFrame())).toContain('no sessions yet');
    await publish(server.url, [session('s1', 'build-api')]);
    await screenShows('● build-api');
    await screenShows('session build-api created');
    expect(plain(ui.lastFrame())).toMatch(/sessions 1\b/);
  });

  it('grays an ended session and marks it ended', async () => {
    await mount();
    await publish(server.url, [session('s1', 'keep-going'), session('s2', 'wrap-up')]);
    await screenShows('wrap-up');
    await publish(server.url, [{ topic: 'session.ended', data: { id: 's2' } }]);
    await screenShows('○ wrap-up');
    const ended = lineWith(ui.lastFrame(), '○ wrap-up')!;
    expect(ended).toContain(DIM);
    expect(plain(ended)).toMatch(/○ wrap-up\s+ended/);
    expect(lineWith(ui.lastFrame(), '● keep-going')).not.toContain(DIM);
    expect(plain(ui.lastFrame())).toMatch(/sessions 1 │ 1 ended/);
  });

  it('follows the active agent count as agents start, finish and fail', async () => {
    await mount();
    await publish(server.url, [session('s1', 'fleet'), agent('a1', 's1', 'planner'), agent('a2', 's1', 'coder'), agent('a3', 's1', 'tester')]);
    await screenShows('agents 3');
    await publish(server.url, [{ topic: 'agent.completed', data: { id: 'a1' } }]);
    await screenShows('agents 2');
    await publish(server.url, [{ topic: 'agent.failed', data: { id: 'a2', detail: 'exit 1' } }]);
    await screenShows('agents 1');
    await screenShows('agent planner completed (fleet)');
    await screenShows('agent coder failed (fleet): exit 1');
  });

  it('updates the total cost in the stats bar as cost events arrive', async () => {
    await mount();
    await screenShows('cost $0.0000');
    const costEvent = (cost: number, total: number) => ({
      topic: 'metrics.cost_updated',
      data: { session_id: 's1', cost_usd: cost, tokens_in: 1000, tokens_out: 500, total_cost_usd: total },
    });
    await publish(server.url, [session('s1', 'spend'), costEvent(0.25, 0.25)]);
    await screenShows('cost $0.2500');
    await publish(server.url, [costEvent(1.5, 1.75)]);
    await screenShows('cost $1.75');
    // The selected session's detail shows its own share.
    await screenShows('cost $1.75 · tokens 2.0k in / 1.0k out');
  });

  it('shows a permission request as a yellow warning in the activity feed', async () => {
    await mount();
    await publish(server.url, [
      session('s1', 'deploy'),
      agent('a1', 's1', 'shipper'),
      { topic: 'agent.permission_requested', data: { id: 'a1', detail: 'Bash: kubectl apply' } },
    ]);
    await screenShows('⚠ agent shipper requests permission (deploy): Bash: kubectl apply');
    const warning = lineWith(ui.lastFrame(), 'requests permission')!;
    expect(warning).toContain(YELLOW);
    expect(plain(ui.lastFrame())).toContain('1 waiting');
  });

  it('lists swarm and task changes in the feed', async () => {
    await mount();
    await publish(server.url, [
      { topic: 'swarm.formed', data: { id: 'w1', agents: ['a1', 'a2'], goal: 'land the migration' } },
      { topic: 'task.completed', data: { id: 't1', kind: 'index' } },
      { topic: 'task.failed', data: { id: 't2', kind: 'search', error: 'shard timeout' } },
      { topic: 'swarm.dissolved', data: { id: 'w1' } },
    ]);
    await screenShows('◇ swarm w1 dissolved');
    const screen = plain(ui.lastFrame());
    expect(screen).toContain('◆ swarm w1 formed with 2 agents: land the migration');
    expect(screen).toContain('✓ task index t1 completed');
    expect(screen).toContain('✗ task search t2 failed: shard timeout');
  });

  it('moves the selection with j, k and the arrows, and the detail pane follows', async () => {
    await mount();
    // Active sessions are listed newest first (ties by id): gamma, beta, alpha.
    await publish(server.url, [session('s3', 'alpha'), agent('a3', 's3', 'alpha-agent')]);
    await publish(server.url, [session('s2', 'beta'), agent('a2', 's2', 'beta-agent')]);
    await publish(server.url, [session('s1', 'gamma'), agent('a1', 's1', 'gamma-agent')]);
    await screenShows('Detail · gamma');
    expect(plain(ui.lastFrame())).toContain('gamma-agent');
    press('j');
    await screenShows('Detail · beta');
    expect(plain(lineWith(ui.lastFrame(), '› ● beta'))).toBeTruthy();
    press('\u001b[B'); // arrow down
    await screenShows('Detail · alpha');
    await screenShows('alpha-agent');
    press('k');
    await screenShows('Detail · beta');
    press('\u001b[A'); // arrow up
    await screenShows('Detail · gamma');
  });

  it('switches panes with tab and scrolls the focused one', async () => {
    await mount({ columns: 80, rows: 24 });
    // More entries than the feed has rows (7 at 80×24), so it can scroll.
    await publish(server.url, Array.from({ length: 12 }, (_, i) => session(`s${i}`, `session-${i}`)));
    await screenShows('Activity (12)');
    const detailTitle = () => /Detail · [\w-]+/.exec(plain(ui.lastFrame()))?.[0];
    const before = detailTitle();
    press('\t'); // detail
    press('\t'); // activity
    press('j'); // scrolls the feed, not the session list
    await screenShows('Activity (1 newer above)');
    expect(detailTitle()).toBe(before);
    press('\u001b[Z'); // shift+tab back to detail
    press('\t'); // activity again
    press('k');
    await screenShows('Activity (12)');
    press('\t'); // sessions
    press('j');
    await waitFor(() => detailTitle() !== before, { message: 'the detail pane to follow the session list again' });
  });

  it('toggles the help with ? and hides it with esc', async () => {
    await mount();
    press('?');
    await screenShows('tab  shift+tab');
    press('?');
    await waitFor(() => !plain(ui.lastFrame()).includes('shift+tab'), { message: 'the help to close' });
    press('?');
    await screenShows('tab  shift+tab');
    press('\u001b');
    await waitFor(() => !plain(ui.lastFrame()).includes('shift+tab'), { message: 'esc to close the help' });
  });

  it('fits 80×24: no line wider than 80 columns and never more than 23 lines', async () => {
    await mount({ columns: 80, rows: 24 });
    const long = 'a-session-name-that-is-far-too-long-for-any-reasonable-terminal-pane-width';
    await publish(server.url, [
      session('s1', long),
      agent('a1', 's1', 'agent-with-a-long-name-as-well'),
      { topic: 'agent.permission_requested', data: { id: 'a1', detail: 'x'.repeat(300) } },
    ]);
    await screenShows('requests permission');
    const lines = plain(ui.lastFrame()).split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('coalesces renders to at most one per 100 ms under 50 events/s', async () => {
    await mount();
    await publish(server.url, [session('s1', 'busy')]);
    await screenShows('busy');
    const before = ui.frames.length;
    const started = Date.now();
    // 50 events/s for one second, one POST every 20 ms.
    for (let i = 0; i < 50; i++) {
      const due = started + i * 20;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      await publish(server.url, [agent(`a${i}`, 's1', `worker-${i}`)]);
    }
    await screenShows('agents 50');
    const elapsed = Date.now() - started;
    const renders = ui.frames.length - before;
    // One render per 100 ms window at most, plus the window the burst ended in.
    expect(renders).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
    expect(renders).toBeGreaterThan(1);
  });

  it('falls back to polling while the server is down, queues a ping and flushes it when the server is back', async () => {
    const dataDir = server.dataDir;
    const port = server.port;
    keptDirs.push(dataDir);
    await mount({ columns: 100, rows: 30 }, { backoff: () => 300, pollIntervalMs: 100 });
    let pollErrors = 0;
    client.on('error', (e) => void (e.source === 'poll' && pollErrors++));
    await publish(server.url, [session('s1', 'survivor')]);
    await screenShows('survivor');
    await server.close({ keepData: true });
    await screenShows('connection lost: reconnecting');
    // Three failed connects later the SDK polls; a failing poll is noted once, not every time it retries.
    await screenShows('live updates unavailable: polling');
    await screenShows('◍ polling');
    await waitFor(() => pollErrors >= 3, { message: 'three failed polls' });
    await screenShows('poll error');
    expect(plain(ui.lastFrame()).match(/poll error/g)).toHaveLength(1);
    press('p');
    await screenShows('1 queued');
    await screenShows('ping queued');
    expect(client.queuedFrames).toBe(1);
    server = await startTestServer({ dataDir, port });
    await screenShows('● live', 10_000);
    await screenShows('reconnected: live again');
    await waitFor(() => client.queuedFrames === 0, { message: 'the queued ping to be flushed' });
    await waitFor(() => !plain(ui.lastFrame()).includes('1 queued'), { message: 'the queued count to clear' });
    // The list survived and new events arrive again.
    await publish(server.url, [session('s2', 'newcomer')]);
    await screenShows('newcomer');
    expect(plain(ui.lastFrame())).toContain('survivor');
  });

  it('q closes the client with a normal closure and exits the app', async () => {
    await mount();
    press('q');
    await waitFor(() => client.status === 'closed', { message: 'the client to close' });
    expect(states.at(-1)).toMatchObject({ from: 'open', to: 'closed', reason: { code: 'client_closed' } });
  });
});
