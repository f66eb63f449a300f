// `npm run screenshots`: each dashboard view at 1280×800 (and the overview at phone width) against a real
// server with a demo fleet, an instance, messages, a workspace and a plan, saved to docs/screenshots/*.png.
// Not part of `npm test`; the README's Dashboard section shows the files.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, waitFor } from '@switchboard/testkit';
import { createFleetSimulator } from '../../apps/cli/src/demo/fleet-simulator';
import { createSeededRandom } from '../../apps/cli/src/demo/seeded-random';
import { launchBrowser, watchConsole, type Page } from './browser';
import { demoFleetEvents } from './fixtures';

const OUT = resolve(fileURLToPath(import.meta.url), '../../../docs/screenshots');

async function call(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(base + path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

function gitCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-shot-repo-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Demo', '-c', 'user.email=demo@switchboard.invalid', ...args], { cwd: dir });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'README.md'), '# payments\n');
  git('add', '.');
  git('commit', '-qm', 'init');
  writeFileSync(join(dir, 'README.md'), '# payments\n\nRetry webhooks with backoff.\n');
  writeFileSync(join(dir, 'retry.ts'), 'export const retries = 5;\n');
  return dir;
}

async function shot(page: Page, name: string, ready: string): Promise<void> {
  await page.waitForSelector(ready, { timeout: 15_000 });
  await page.waitForTimeout(400); // let progress bars finish their 0.3 s transition
  await page.screenshot({ path: join(OUT, `${name}.png`) });
  console.log(`docs/screenshots/${name}.png`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await startTestServer();
  const base = server.url;
  const sim = createFleetSimulator({ publish: (batch) => server.server.publish(batch), random: createSeededRandom(11) });
  const browser = await launchBrowser();
  try {
    server.server.publish(demoFleetEvents(45, 3));
    sim.start();

    await call(base, 'POST', '/api/instances', { name: 'planner', command: 'i=0; while true; do i=$((i+1)); echo "[planner] step $i: reading the backlog"; sleep 0.5; done', port: 18801 });
    await call(base, 'POST', '/api/instances', { name: 'indexer', command: 'echo indexing; sleep 600', port: 18802 });
    await call(base, 'POST', '/api/instances', { name: 'reviewer', command: 'exit 2' });
    await call(base, 'POST', '/api/instances/planner/start');
    await call(base, 'POST', '/api/instances/indexer/start');
    await call(base, 'POST', '/api/instances/reviewer/start');

    const sent = await call(base, 'POST', '/api/messages', { from: 'planner', to: 'indexer', message_type: 'task.handoff', correlation_id: 'release-42', payload: { doc: 'runbook.md' } });
    await call(base, 'POST', `/api/messages/${sent.message_id}/deliver`);
    await call(base, 'POST', `/api/messages/${sent.message_id}/ack`);
    const review = await call(base, 'POST', '/api/messages', { from: 'indexer', to: 'reviewer', message_type: 'review.request', correlation_id: 'release-42', payload: {} });
    await call(base, 'POST', `/api/messages/${review.message_id}/fail`, { error: 'reviewer is not running' });
    await call(base, 'POST', '/api/messages', { from: 'planner', to: 'coder', message_type: 'plan.proposal', payload: {} });

    const ws = await call(base, 'POST', '/api/workspaces', { path: gitCheckout() });
    await call(base, 'POST', '/api/spawn', { workspace_id: ws.id, target: 'claude', command: 'sleep 600', nickname: 'webhook-retries' });
    await call(base, 'POST', '/api/spawn', { workspace_id: ws.id, target: 'codex', command: 'sleep 600' });

    const plan = await call(base, 'POST', '/api/plans', {
      name: 'release 1.4',
      steps: [
        { name: 'lint', command: 'echo "eslint: 0 problems"' },
        { name: 'test', command: 'for s in api client web; do echo "ok  $s"; sleep 0.2; done' },
        { name: 'build', command: 'echo "vite build"; echo "dist/index.html 0.7 kB"' },
        { name: 'publish', command: 'echo "registry refused the token" >&2; exit 1' },
      ],
    });
    await call(base, 'POST', `/api/plans/${plan.id}/run`);
    await waitFor(async () => ['failed', 'completed'].includes((await call(base, 'GET', `/api/plans/${plan.id}`)).status), { timeoutMs: 15_000, message: 'plan finished' });

    const page = await browser.context.newPage();
    const console_ = watchConsole(page);
    await page.goto(`${base}/`);
    await shot(page, 'overview', '[data-testid="activity-feed"] li:nth-child(20)');
    await page.goto(`${base}/instances/planner`);
    await shot(page, 'instances', '[data-testid="log-tail"] >> text=step 4');
    await page.goto(`${base}/messages`);
    await shot(page, 'messages', '[data-testid="message-table"] tr[data-event="failed"]');
    await page.goto(`${base}/workspaces`);
    await shot(page, 'workspaces', '[data-workspace] [data-session]');
    await page.goto(`${base}/plans/${plan.id}`);
    await shot(page, 'plans', '[data-testid="plan-detail"][data-status="failed"]');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/`);
    await shot(page, 'overview-phone', '[data-testid="session-list"] [data-session]');
    if (console_.errors.length) throw new Error(`console errors:\n${console_.errors.join('\n')}`);
  } finally {
    sim.stop({ windDown: false });
    await browser.close();
    await server.close();
  }
}

await main();
