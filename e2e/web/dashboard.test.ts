// The web dashboard in headless Chromium against a real server (README.md#dashboard): live overview, instances with
// their log tail, plans, toasts, and the connection indicator through a server restart. Any console error
// fails the test.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, makeTempDir, type TestServer } from '@switchboard/testkit';
import { launchBrowser, watchConsole, type BrowserSession, type Page } from './browser';
import { WEB_DIST_DIR, buildDashboard, demoFleetEvents, uniqueName } from './fixtures';

const E2E = { timeout: 60_000 };

describe('web dashboard in Chromium', () => {
  let browser: BrowserSession;
  let server: TestServer | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    buildDashboard();
    browser = await launchBrowser();
  }, 120_000);

  afterEach(async () => {
    await page?.close().catch(() => {});
    page = undefined;
    await server?.close();
    server = undefined;
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function open(path = '/'): Promise<{ page: Page; console: ReturnType<typeof watchConsole> }> {
    page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(server!.url + path);
    await page.waitForSelector('[data-testid="connection-indicator"][data-status="open"]', { timeout: 10_000 });
    return { page, console };
  }

  it('is a production build even though the test runner sets NODE_ENV=test', { timeout: 10_000 }, () => {
    // React's development build renders several times slower and carries its warnings; none of it may ship.
    const bundles = readdirSync(join(WEB_DIST_DIR, 'assets')).filter((f) => f.endsWith('.js'));
    expect(bundles.length).toBeGreaterThan(0);
    expect(process.env.NODE_ENV).toBe('test');
    for (const file of bundles) {
      const code = readFileSync(join(WEB_DIST_DIR, 'assets', file), 'utf8');
      expect(code, file).not.toContain('jsxDEV');
      expect(code, file).not.toContain('unique "key" prop');
    }
  });

  it('loads with the demo fleet and shows a published event within a second', E2E, async () => {
    server = await startTestServer();
    server.server.publish(demoFleetEvents(20));
    const { page, console } = await open('/');
    await page.waitForSelector('[data-testid="session-list"] [data-session]');
    await page.waitForSelector('[data-testid="activity-feed"] li');
    expect(await page.textContent('[data-testid="connection-indicator"]')).toBe('Live');
    expect(Number(await page.textContent('[data-testid="stat-sessions"]').then((t) => t!.trim().split(' ')[0]))).toBeGreaterThan(0);

    const id = uniqueName('session');
    const publishedAt = Date.now();
    server.server.publish([{ topic: 'session.created', data: { id, name: 'live-check', target: 'claude' } }]);
    await page.waitForSelector(`[data-session="${id}"]`, { timeout: 1000 });
    await page.waitForSelector(`[data-testid="activity-feed"] >> text=live-check`, { timeout: 1000 });
    expect(Date.now() - publishedAt).toBeLessThan(1000);

    // Ended sessions stay, grayed.
    server.server.publish([{ topic: 'session.ended', data: { id } }]);
    await page.waitForSelector(`[data-session="${id}"][data-status="ended"].ended`, { timeout: 1000 });
    expect(console.unexpected()).toEqual([]);
  });

  it('shows a toast on task.failed and a progress bar for a running task', E2E, async () => {
    server = await startTestServer();
    const { page, console } = await open('/');
    const id = uniqueName('task');
    server.server.publish([{ topic: 'task.progress', data: { id, kind: 'index', percent: 40, message: 'indexing notes.md' } }]);
    await page.waitForSelector(`[data-task="${id}"] [role="progressbar"][aria-valuenow="40"]`);
    server.server.publish([{ topic: 'task.failed', data: { id, kind: 'index', percent: 40, error: 'disk full' } }]);
    const toast = await page.waitForSelector(`[data-testid="toast"][data-kind="error"]:has-text("${id}")`);
    expect(await toast.textContent()).toContain('disk full');
    await page.waitForSelector(`[data-task="${id}"][data-status="failed"]`);
    expect(console.unexpected()).toEqual([]);
  });

  it('creates, starts and stops an instance from the UI and follows its log through a rotation', E2E, async () => {
    server = await startTestServer();
    const { page, console } = await open('/instances');
    const name = uniqueName('agent');
    await page.fill('form[aria-label="Create instance"] input[name="name"]', name);
    await page.fill('form[aria-label="Create instance"] input[name="command"]', 'i=0; while true; do i=$((i+1)); echo "hello from the agent $i"; sleep 0.2; done');
    await page.click('form[aria-label="Create instance"] button[type="submit"]');
    const row = `[data-testid="instance-table"] tr[data-instance="${name}"]`;
    await page.waitForSelector(`${row}[data-status="stopped"]`);

    await page.click(`${row} button[aria-label="Start ${name}"]`);
    await page.waitForSelector(`${row}[data-status="running"]`, { timeout: 5000 });
    await page.click(`${row} button[aria-label="Logs of ${name}"]`);
    await page.waitForSelector('[data-testid="log-tail"] >> text=hello from the agent 1');
    // New lines keep arriving while the panel is open (it follows the file, not a one-off read).
    await page.waitForSelector('[data-testid="log-tail"] >> text=/hello from the agent (1[0-9]|[2-9][0-9])/', { timeout: 10_000 });
    expect(page.url()).toBe(`${server.url}/instances/${name}`);

    // Truncating the log file is a rotation (docs/control-plane.md): the panel marks it and keeps following.
    truncateSync(join(server.dataDir, 'instances', name, 'output.log'), 0);
    await page.waitForSelector('[data-testid="log-tail"] .log-rotated');
    const rotatedAt = await page.locator('[data-testid="log-tail"] > div').count();
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="log-tail"] > div').length > n + 1,
      rotatedAt,
    );

    await page.click(`${row} button[aria-label="Stop ${name}"]`);
    await page.waitForSelector(`${row}[data-status="stopped"], ${row}[data-status="crashed"]`, { timeout: 10_000 });

    // Archived instances leave the table, and come back (marked) when archived ones are shown.
    await page.click(`${row} button[aria-label="Archive ${name}"]`);
    await page.waitForSelector(row, { state: 'detached' });
    await page.check('text=Show archived');
    await page.waitForSelector(`${row}.ended >> text=archived`);
    expect(console.unexpected()).toEqual([]);
  });

  it('shows an instance restart policy, its automatic restarts, the countdown and a crash loop', E2E, async () => {
    server = await startTestServer({ restartTiming: { initialDelayMs: 2000, crashLoopLimit: 1 } });
    const name = uniqueName('flaky');
    const created = await fetch(`${server.url}/api/instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, command: 'exit 1', restart: 'on-failure' }),
    });
    expect(created.status).toBe(201);
    const { page, console } = await open('/instances');
    const cell = `[data-testid="instance-table"] tr[data-instance="${name}"] [data-testid="restart-cell"]`;
    await page.waitForSelector(`${cell} >> text=on-failure`);
    await page.click(`button[aria-label="Start ${name}"]`);
    await page.waitForSelector(`${cell} >> text=/restart in [12]s/`, { timeout: 5000 });
    await page.waitForSelector(`${cell} >> text=↻1`, { timeout: 10_000 });
    await page.waitForSelector(`tr[data-instance="${name}"][data-status="crashed"] >> text=crash loop`, { timeout: 10_000 });
    expect(await page.textContent(cell)).not.toContain('restart in');
    expect(console.unexpected()).toEqual([]);
  });

  it('runs a plan with live step status and output', E2E, async () => {
    server = await startTestServer();
    const { page, console } = await open('/plans');
    await page.fill('input[name="plan-name"]', uniqueName('release'));
    await page.fill('textarea[name="steps"]', 'prepare: echo preparing\nwork: sleep 1; echo working hard\nfinish: echo all done');
    await page.click('form[aria-label="Create plan"] button[type="submit"]');
    await page.waitForSelector('[data-testid="plan-detail"]');
    // Seen while the plan runs: the first step done with its output, the second one running.
    await page.waitForSelector('[data-step="0"][data-status="completed"]');
    await page.waitForSelector('[data-testid="step-output-0"] >> text=preparing');
    await page.waitForSelector('[data-step="1"][data-status="running"]');
    await page.waitForSelector('[data-testid="plan-detail"][data-status="completed"]', { timeout: 15_000 });
    await page.waitForSelector('[data-testid="step-output-2"] >> text=all done');
    expect(await page.locator('[data-step][data-status="completed"]').count()).toBe(3);

    // Opened afresh, the finished plan's steps come with the stream's answer to subscribe, not from a REST read.
    const planReads: string[] = [];
    page.on('request', (r) => {
      if (/\/api\/plans\/[^/]+$/.test(new URL(r.url()).pathname)) planReads.push(r.url());
    });
    await page.reload();
    await page.waitForSelector('[data-testid="plan-detail"][data-status="completed"]');
    await page.waitForSelector('[data-testid="step-output-2"] >> text=all done');
    expect(planReads).toEqual([]);
    expect(console.unexpected()).toEqual([]);
  });

  it('filters messages by correlation id, live', E2E, async () => {
    server = await startTestServer();
    const { page, console } = await open('/messages');
    const post = (body: Record<string, unknown>) =>
      fetch(`${server!.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await post({ from: 'planner', to: 'coder', message_type: 'task.handoff', correlation_id: 'chain-a', payload: { secret: 'never shown' } });
    await post({ from: 'coder', to: 'tester', message_type: 'review.request', correlation_id: 'chain-b', payload: {} });
    await page.waitForSelector('[data-testid="message-table"] tr[data-event="sent"] >> text=review.request');
    await page.fill('input[name="correlation_id"]', 'chain-a');
    await page.click('form[aria-label="Filter messages"] button[type="submit"]');
    await page.waitForSelector('[data-testid="stream-messages"][data-status="open"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="message-table"] tbody tr').length === 1);
    expect(await page.textContent('[data-testid="message-table"]')).toContain('task.handoff');
    expect(await page.content()).not.toContain('never shown');
    await post({ from: 'planner', to: 'coder', message_type: 'task.followup', correlation_id: 'chain-a', payload: {} });
    await page.waitForSelector('[data-testid="message-table"] >> text=task.followup');
    expect(console.unexpected()).toEqual([]);
  });

  it('adds a workspace, spawns a session, renames and disposes it from the UI', E2E, async () => {
    server = await startTestServer();
    const repo = mkdtempSync(join(tmpdir(), 'switchboard-e2e-repo-'));
    try {
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=E2E', '-c', 'user.email=e2e@switchboard.invalid', ...args], { cwd: repo });
      git('init', '-q');
      writeFileSync(join(repo, 'a.txt'), 'one\n');
      git('add', '.');
      git('commit', '-qm', 'init');
      writeFileSync(join(repo, 'a.txt'), 'one\ntwo\n');
      const { page, console } = await open('/workspaces');
      await page.fill('form[aria-label="Add workspace"] input[name="path"]', repo);
      await page.click('form[aria-label="Add workspace"] button[type="submit"]');
      const card = await page.waitForSelector('[data-workspace]');
      const id = await card.getAttribute('data-workspace');
      await page.waitForSelector(`[data-workspace="${id}"] [data-testid="git-status"] >> text=dirty`);

      const spawn = `form[aria-label="Spawn a session in ${id}"]`;
      await page.fill(`${spawn} input[name="command"]`, 'sleep 30');
      await page.fill(`${spawn} input[name="nickname"]`, 'first');
      await page.click(`${spawn} button[type="submit"]`);
      const row = await page.waitForSelector(`[data-workspace="${id}"] tr[data-session]`);
      const sessionId = await row.getAttribute('data-session');
      await page.waitForSelector(`tr[data-session="${sessionId}"] >> text=first`);

      await page.click(`button[aria-label="Rename ${sessionId}"]`);
      await page.fill(`input[aria-label="Nickname of ${sessionId}"]`, 'renamed');
      await page.keyboard.press('Enter');
      await page.waitForSelector(`tr[data-session="${sessionId}"] >> text=renamed`);

      await page.click(`tr[data-session="${sessionId}"] button:has-text("Dispose")`);
      await page.waitForSelector(`tr[data-session="${sessionId}"]`, { state: 'detached', timeout: 10_000 });
      expect(console.unexpected()).toEqual([]);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('goes reconnecting, then polling, when the server dies, and back to Live with no event missing', { timeout: 60_000 }, async () => {
    const dataDir = makeTempDir();
    server = await startTestServer({ dataDir });
    const port = server.port;
    const { page, console } = await open('/');
    const marker = (n: number) => ({ topic: 'task.started', data: { id: `restart-check-${n}`, kind: 'index', percent: 0 } });
    server.server.publish([marker(1)]);
    await page.waitForSelector('[data-testid="activity-feed"] >> text=restart-check-1');

    await server.close({ keepData: true });
    server = undefined;
    await page.waitForSelector('[data-testid="connection-indicator"][data-status="reconnecting"]', { timeout: 5000 });
    expect(await page.textContent('[data-testid="connection-indicator"]')).toMatch(/^Reconnecting/);
    // Three failed connects (backoff 1, 2, 4 s with jitter) turn the client to REST polling.
    await page.waitForSelector('[data-testid="connection-indicator"][data-status="polling"]', { timeout: 15_000 });
    expect(await page.textContent('[data-testid="connection-indicator"]')).toBe('Live updates unavailable — polling');

    server = await startTestServer({ dataDir, port });
    server.server.publish([marker(2)]);
    server.server.publish([marker(3)]);
    await page.waitForSelector('[data-testid="connection-indicator"][data-status="open"]', { timeout: 20_000 });
    server.server.publish([marker(4)]);
    for (const n of [1, 2, 3, 4]) await page.waitForSelector(`[data-testid="activity-feed"] >> text=restart-check-${n}`, { timeout: 5000 });
    const seqs = await page.$$eval('[data-testid="activity-feed"] li', (els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    // Newest first and gap-free: every seq from the newest down to the oldest shown is there once.
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs[0]! - seqs[seqs.length - 1]! + 1).toBe(seqs.length);
    // Failed connects and polls while the server was down are logged by Chromium itself; nothing else may be.
    expect(console.unexpected([/ERR_CONNECTION_REFUSED/, /WebSocket connection to .* failed/, /Failed to load resource/])).toEqual([]);
  });
});
