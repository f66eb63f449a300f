// `npm run bench:dashboard`: the web Overview in headless Chromium against a busy fleet (issue 16, part 5, the web
// half). For each rate it publishes a realistic mix (50 sessions, 200 agents, 100 tasks) for a while, with a marker
// session every 250 ms, and reports how soon markers became visible, frame times, main-thread busy time and heap;
// then it throttles the CPU 6×, publishes a burst (20 000 events in 5 s) and times how long the page takes to show a marker sent after it.
// Not part of `npm test`. Environment: RATES (default 50,200,1000,5000), SECONDS per rate (default 10),
// BURST (events, default 20000, spread over 5 s).

import { startTestServer, type TestServer } from '@switchboard/testkit';
import type { EventInput } from '@switchboard/protocol';
import { launchBrowser, type BrowserSession, type Page } from './browser';
import { buildDashboard } from './fixtures';

const RATES = (process.env.RATES ?? '50,200,1000,5000').split(',').map(Number);
const SECONDS = Number(process.env.SECONDS ?? 10);
const BURST = Number(process.env.BURST ?? 20_000);
const BURST_SECONDS = 5;
const SESSIONS = 50;
const AGENTS = 200;
const TASKS = 100;
const TICK_MS = 10;
const MARKER_EVERY_MS = 250;

/** The fleet the page opens on. */
function initialFleet(): EventInput[] {
  const out: EventInput[] = [];
  for (let s = 0; s < SESSIONS; s++) out.push({ topic: 'session.created', data: { id: `s${s}`, name: `session-${s}`, target: 'claude' } });
  for (let a = 0; a < AGENTS; a++) out.push({ topic: 'agent.started', data: { id: `a${a}`, session_id: `s${a % SESSIONS}`, name: `agent-${a}` } });
  for (let t = 0; t < TASKS; t++) out.push({ topic: 'task.started', data: { id: `t${t}`, kind: 'index', percent: 0 } });
  return out;
}

/** The n-th event of the steady mix: agent actions, task progress and cost updates. */
function mixEvent(n: number): EventInput {
  switch (n % 3) {
    case 0:
      return { topic: 'agent.action', data: { id: `a${n % AGENTS}`, detail: `Edit src/file-${n % 997}.ts` } };
    case 1:
      return { topic: 'task.progress', data: { id: `t${n % TASKS}`, kind: 'index', percent: n % 100, message: `step ${n}` } };
    default:
      return { topic: 'metrics.cost_updated', data: { session_id: `s${n % SESSIONS}`, cost_usd: 0.001, tokens_in: 10, tokens_out: 5, total_cost_usd: n / 1000 } };
  }
}

const percentile = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

/**
 * In the page: frame times from a rAF loop, and when each marker session first appeared in the DOM. A string, so
 * the TypeScript loader's helpers (`__name`) never end up in the page.
 */
const INSTRUMENT = `(() => {
  window.__frames = [];
  window.__seen = {};
  let last = performance.now();
  const loop = (t) => { window.__frames.push(t - last); last = t; requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
  new MutationObserver(() => {
    for (const el of document.querySelectorAll('[data-session^="mk-"]')) {
      const id = el.getAttribute('data-session');
      if (!(id in window.__seen)) window.__seen[id] = performance.timeOrigin + performance.now();
    }
  }).observe(document.body, { subtree: true, childList: true });
})()`;

async function instrument(page: Page): Promise<void> {
  await page.evaluate(INSTRUMENT);
}

async function openOverview(browser: BrowserSession, server: TestServer): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(server.url + '/');
  await page.waitForSelector('[data-testid="connection-indicator"][data-status="open"]', { timeout: 15_000 });
  await page.waitForSelector('[data-testid="session-list"] [data-session]', { timeout: 15_000 });
  await instrument(page);
  return page;
}

interface RateResult {
  rate: number;
  published: number;
  markersSeen: string;
  p50: number;
  p95: number;
  frameP95: number;
  busy: number;
  heapMb: number;
  /** The most the header said the page was behind, sampled twice a second (ms; 0: never said). */
  behindMax: number;
}

async function runRate(browser: BrowserSession, rate: number): Promise<RateResult> {
  const server = await startTestServer();
  await server.server.publish(initialFleet());
  const page = await openOverview(browser, server);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async (name: string) => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === name)?.value ?? 0);
  await page.evaluate('window.__frames = []');
  const busyBefore = await metric('TaskDuration');
  const startedAt = Date.now();
  const markers = new Map<string, number>();
  let n = 0;
  let nextMarker = startedAt;
  let behindMax = 0;
  let nextSample = startedAt;
  // Sampled without waiting: a busy page answers late, and the publisher must not slow down with it.
  let sampling = false;
  while (Date.now() - startedAt < SECONDS * 1000) {
    if (Date.now() >= nextSample && !sampling) {
      nextSample = Date.now() + 500;
      sampling = true;
      void page
        .evaluate(`document.querySelector('[data-testid="connection-indicator"]')?.getAttribute('data-behind-ms') ?? '0'`)
        .then((behind) => (behindMax = Math.max(behindMax, Number(behind))))
        .catch(() => {})
        .finally(() => (sampling = false));
    }
    const due = Math.floor(((Date.now() - startedAt) / 1000) * rate) - n;
    const batch: EventInput[] = [];
    for (let i = 0; i < due; i++) batch.push(mixEvent(n++));
    if (Date.now() >= nextMarker) {
      const id = `mk-${markers.size}`;
      batch.push({ topic: 'session.created', data: { id, name: id, target: 'bench' } });
      markers.set(id, Date.now());
      nextMarker += MARKER_EVERY_MS;
    }
    if (batch.length > 0) await server.server.publish(batch);
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  const wall = (Date.now() - startedAt) / 1000;
  const busy = ((await metric('TaskDuration')) - busyBefore) / wall;
  const frames = (await page.evaluate('window.__frames')) as number[];
  // Markers published near the end get a few seconds to show.
  await page.waitForTimeout(3000);
  const seen = (await page.evaluate('window.__seen')) as Record<string, number>;
  const latencies = [...markers].filter(([id]) => id in seen).map(([id, at]) => seen[id]! - at);
  const heapMb = (await metric('JSHeapUsedSize')) / 1024 / 1024;
  await page.close();
  await server.close();
  return {
    rate,
    published: Math.round(n / wall),
    markersSeen: `${latencies.length}/${markers.size}`,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    frameP95: percentile(frames, 95),
    busy: busy * 100,
    heapMb,
    behindMax,
  };
}

/** A page throttled 6× gets a burst, then one marker: how long after the burst's end does the marker show? */
async function runRecovery(browser: BrowserSession): Promise<{ burst: number; recoveryMs: number | null; behindShown: boolean }> {
  const server = await startTestServer();
  await server.server.publish(initialFleet());
  const page = await openOverview(browser, server);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 6 });
  let behindShown = false;
  // The burst is spread over BURST_SECONDS, so the page is behind the whole time rather than hit by one dump.
  const burstStart = Date.now();
  for (let n = 0; n < BURST; ) {
    const due = Math.min(BURST, Math.floor(((Date.now() - burstStart) / 1000 / BURST_SECONDS) * BURST)) - n;
    const batch: EventInput[] = [];
    for (let i = 0; i < due; i++) batch.push(mixEvent(n++));
    if (batch.length > 0) await server.server.publish(batch);
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  const endedAt = Date.now();
  await server.server.publish([{ topic: 'session.created', data: { id: 'mk-after', name: 'mk-after', target: 'bench' } }]);
  let recoveryMs: number | null = null;
  while (Date.now() - endedAt < 60_000) {
    const state = (await page.evaluate(
      `({ seen: window.__seen['mk-after'] ?? null, behind: document.querySelector('[data-testid="connection-indicator"]')?.getAttribute('data-behind-ms') ?? null })`,
    )) as { seen: number | null; behind: string | null };
    if (state.behind !== null) behindShown = true;
    if (state.seen !== null) {
      recoveryMs = state.seen - endedAt;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await page.close();
  await server.close();
  return { burst: BURST, recoveryMs, behindShown };
}

buildDashboard();
const browser = await launchBrowser();
try {
  const rows: RateResult[] = [];
  for (const rate of RATES) {
    const r = await runRate(browser, rate);
    rows.push(r);
    console.error(`rate ${rate}: ${JSON.stringify(r)}`);
  }
  const recovery = await runRecovery(browser);
  const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '—');
  console.log('| events/s asked | published/s | markers seen | publish→visible p50 ms | p95 ms | frame p95 ms | main thread busy | JS heap MB | header "behind" at most |');
  console.log('|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of rows) {
    const behind = r.behindMax > 0 ? `${f(r.behindMax / 1000, 1)} s` : '—';
    console.log(`| ${r.rate} | ${r.published} | ${r.markersSeen} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.frameP95)} | ${f(r.busy)} % | ${f(r.heapMb, 1)} | ${behind} |`);
  }
  console.log('');
  console.log(
    `Throttled 6×, a burst of ${recovery.burst} events: a marker published after it showed ${recovery.recoveryMs === null ? 'not within 60 s' : `${f(recovery.recoveryMs)} ms`} after the burst's end; the header said "behind" meanwhile: ${recovery.behindShown ? 'yes' : 'no'}.`,
  );
} finally {
  await browser.close();
}
