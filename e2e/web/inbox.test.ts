// The approvals inbox in headless Chromium against a real server (docs/protocol.md, "Approvals"): two dashboards
// open, a request arrives (toast and unread badge on the Inbox tab), one dashboard approves and the other sees it
// live with who decided, the waiting agent's long-poll is released, and a bulk deny with a reason.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { launchBrowser, watchConsole, type BrowserSession, type Page } from './browser';
import { buildDashboard } from './fixtures';

const E2E = { timeout: 60_000 };

describe('approvals inbox in Chromium', () => {
  let browser: BrowserSession;
  let server: TestServer | undefined;
  const pages: Page[] = [];

  beforeAll(async () => {
    buildDashboard();
    browser = await launchBrowser();
  }, 120_000);

  afterEach(async () => {
    for (const p of pages.splice(0)) await p.close().catch(() => {});
    await server?.close();
    server = undefined;
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function open(path: string): Promise<{ page: Page; console: ReturnType<typeof watchConsole> }> {
    const page = await browser.context.newPage();
    pages.push(page);
    const console = watchConsole(page);
    await page.goto(server!.url + path);
    await page.waitForSelector('[data-testid="connection-indicator"][data-status="open"]', { timeout: 10_000 });
    return { page, console };
  }

  async function ask(body: Record<string, unknown>): Promise<string> {
    const res = await fetch(`${server!.url}/api/approvals`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  it('one dashboard decides, the other sees it live; the waiting agent is released', E2E, async () => {
    server = await startTestServer();
    await server.server.publish([
      { topic: 'session.created', data: { id: 's-web', name: 'checkout-fix', target: 'claude' } },
      { topic: 'agent.started', data: { id: 'a-web', session_id: 's-web', name: 'coder' } },
    ]);
    const { page: deciding, console: decidingConsole } = await open('/inbox');
    const { page: watching, console: watchingConsole } = await open('/');

    const first = await ask({ tool: 'Bash', summary: 'npm run deploy', agent_id: 'a-web', session_id: 's-web' });
    const second = await ask({ tool: 'Write', input: { file_path: 'src/pay.ts', api_key: 'sk-live-0123456789abcdefgh' } });
    const third = await ask({ tool: 'WebFetch', summary: 'https://example.com' });

    // The deciding page lists them longest-waiting first, with agent and session names.
    await deciding.waitForSelector(`[data-approval="${third}"]`);
    const order = await deciding.$$eval('[data-testid="inbox-table"] tbody tr', (rows) => rows.map((r) => r.getAttribute('data-approval')));
    expect(order).toEqual([first, second, third]);
    const firstRow = await deciding.textContent(`[data-approval="${first}"]`);
    expect(firstRow).toContain('coder');
    expect(firstRow).toContain('checkout-fix');
    expect(firstRow).toContain('npm run deploy');
    expect(await deciding.textContent(`[data-approval="${second}"]`)).not.toContain('sk-live');

    // The other page, on the overview: a toast and the unread count on the Inbox tab.
    await watching.waitForSelector('[data-testid="toast"]:has-text("asks to run Bash")');
    await watching.waitForSelector('[data-testid="inbox-unread"]:has-text("3")');
    expect(await deciding.$('[data-testid="inbox-unread"]')).toBeNull();

    // The wait time ticks.
    const waitedBefore = await deciding.textContent(`[data-approval="${first}"] [data-testid="waited"]`);
    await deciding.waitForFunction(
      ([id, before]) => document.querySelector(`[data-approval="${id}"] [data-testid="waited"]`)?.textContent !== before,
      [first, waitedBefore] as const,
      { timeout: 5000 },
    );

    // Opening the inbox clears the badge.
    await watching.click('nav >> text=Inbox');
    await watching.waitForSelector(`[data-approval="${first}"]`);
    await watching.waitForSelector('[data-testid="inbox-unread"]', { state: 'detached' });

    // The agent runtime waits with a long-poll; one dashboard approves; the other sees it live, with who decided.
    const waiting = fetch(`${server.url}/api/approvals/${first}/wait?timeout=30`).then((r) => r.json() as Promise<{ decision?: string }>);
    await deciding.click(`[data-approval="${first}"] button.approve`);
    await watching.waitForSelector(`[data-testid="inbox-table"] [data-approval="${first}"]`, { state: 'detached' });
    await watching.waitForSelector(`[data-testid="decided-list"] [data-approval="${first}"][data-decision="allow"]`);
    expect(await watching.textContent(`[data-testid="decided-list"] [data-approval="${first}"] [data-testid="decided-by"]`)).toBe('by local');
    expect((await waiting).decision).toBe('allow');

    // Select the other two → deny with a reason, in one action.
    await deciding.check(`[data-approval="${second}"] input[type="checkbox"]`);
    await deciding.check(`[data-approval="${third}"] input[type="checkbox"]`);
    await deciding.click('[data-testid="bulk-actions"] >> text=Deny selected with reason…');
    await deciding.fill('form[aria-label="Deny with a reason"] input', 'not during the freeze');
    await deciding.click('form[aria-label="Deny with a reason"] button[type="submit"]');
    for (const id of [second, third]) {
      const row = await watching.waitForSelector(`[data-testid="decided-list"] [data-approval="${id}"][data-decision="deny"]`);
      expect(await row.textContent()).toContain('not during the freeze');
    }
    await watching.waitForSelector('[data-testid="pending-count"]:has-text("nothing waiting")');
    const states = await fetch(`${server.url}/api/approvals?status=decided`).then((r) => r.json() as Promise<{ approvals: Array<{ id: string; decision: string; reason?: string }> }>);
    expect(states.approvals.map((a) => [a.id, a.decision]).sort()).toEqual([[first, 'allow'], [second, 'deny'], [third, 'deny']].sort());

    // A decision made elsewhere (the API) reaches both pages too.
    const fourth = await ask({ tool: 'Bash', summary: 'make release' });
    await deciding.waitForSelector(`[data-approval="${fourth}"]`);
    await fetch(`${server.url}/api/approvals/${fourth}/decision`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ decision: 'deny' }) });
    await deciding.waitForSelector(`[data-testid="decided-list"] [data-approval="${fourth}"][data-decision="deny"]`);
    await watching.waitForSelector(`[data-testid="decided-list"] [data-approval="${fourth}"][data-decision="deny"]`);

    expect(decidingConsole.unexpected()).toEqual([]);
    expect(watchingConsole.unexpected()).toEqual([]);
  });
});
