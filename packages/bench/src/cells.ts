// Runs one cell of the table: one scenario against one server, each in its own processes, measured from /proc.

import WebSocket from 'ws';
import { nowMs, sleep } from './clock';
import { BENCH_TOPIC, BUSY_CPU_PERCENT, FD_HEADROOM } from './constants';
import { Publisher } from './generator/publisher';
import { SubscriberPool } from './generator/subscriber-pool';
import { readCpuMs, readMachineBusyMs, readRssBytes } from './proc-stats';
import type { IdleScenario, RateScenario, ResumeScenario, SaturationScenario } from './scenarios';
import { startTarget, type RunningTarget, type Target } from './targets';

export interface CellContext {
  /** Soft fd limit every process of the run has (`ulimit -n`). */
  fdLimit: number;
  /** Where to write server CPU profiles (--cpu-prof), if profiling. */
  cpuProfDir?: string;
  log: (line: string) => void;
}

export interface LoadResult {
  kind: 'load';
  scenario: string;
  target: string;
  subscribers: number;
  connectFailed: number;
  /** Interleaved runs this row is the best of (saturation). */
  rounds?: number;
  /** Offered frames/s (events/s × subscribers); null for saturation. */
  offeredPerSecond: number | null;
  eventsPerSecond: number;
  deliveredPerSecond: number;
  deliveredPct: number | null;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  lost: number;
  duplicated: number;
  /** Switchboard lagged snapshots (a slow subscriber's deltas dropped and replaced by a snapshot). */
  lagged: number;
  /** Frames still missing after the drain (late, not lost). */
  behind: number;
  unexpectedCloses: number;
  postErrors: number;
  /** The first publish failure (HTTP status or socket error), when there were any. */
  postError?: string;
  serverCpuPct: number;
  serverCpuUsPerFrame: number;
  generatorCpuPct: number[];
  publisherCpuPct: number;
  /** CPU the rest of the machine (processes outside this run) used in the window, % of one core. */
  otherCpuPct: number;
  serverRssBytes: number | null;
  bottleneck: string;
}

export interface IdleResult {
  kind: 'idle';
  scenario: string;
  target: string;
  requested: number;
  attempted: number;
  connected: number;
  failed: number;
  firstError?: string;
  rssPerConnectionBytes: number;
  heapPerConnectionBytes: number;
  heartbeatCpuPct: number;
  pingIntervalMs: number;
  connectSeconds: number;
  cappedBy?: string;
}

export interface ResumeResult {
  kind: 'resume';
  scenario: string;
  target: string;
  gap: number;
  tries: number;
  completed: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  allRecovered: boolean;
}

export type CellResult = LoadResult | IdleResult | ResumeResult;

async function withServer<T>(target: Target, pingIntervalMs: number, ctx: CellContext, fn: (s: RunningTarget) => Promise<T>, pool?: Promise<SubscriberPool>): Promise<T> {
  const [server, subs] = await Promise.allSettled([startTarget(target, { pingIntervalMs, cpuProfDir: ctx.cpuProfDir }), pool ?? Promise.resolve(undefined)]);
  try {
    if (server.status === 'rejected') throw server.reason;
    if (subs.status === 'rejected') throw subs.reason;
    return await fn(server.value);
  } finally {
    if (subs.status === 'fulfilled') await subs.value?.close();
    if (server.status === 'fulfilled') await server.value.child.stop(4000);
  }
}

function cpuOf(pid: number): number {
  return readCpuMs(pid) ?? NaN;
}

function pct(cpuMs: number, wallMs: number): number {
  return (cpuMs / wallMs) * 100;
}

/** A rate or saturation cell. */
export async function runLoadCell(target: Target, sc: RateScenario | SaturationScenario, ctx: CellContext): Promise<LoadResult> {
  const workers = sc.subscribers <= 200 ? 1 : 2;
  const poolP = SubscriberPool.start(workers);
  return withServer(target, 30_000, ctx, async (server) => {
    const pool = await poolP;
    const conn = await pool.connect(target.client, target.subscribeUrl(server.port), sc.subscribers);
    if (conn.failed > 0) ctx.log(`  ${conn.failed} of ${sc.subscribers} subscribers failed to connect: ${conn.firstError}`);
    const pub = new Publisher(target.publishUrl(server.port));
    await pool.progressOn();
    if (sc.kind === 'saturation') {
      pub.startSaturation(() => pool.slowest);
      await sleep(sc.warmupMs);
    } else {
      pub.startRate(sc.eventsPerSecond);
      await sleep(sc.warmupMs);
      // Steady state before measuring: the backlog of the cold start (JIT, the connect burst) must be gone, or the
      // window measures how fast it drains. A server that cannot catch up measures after MAX_WARMUP_MS regardless.
      const lagEvents = Math.max(2, sc.eventsPerSecond * (STEADY_LAG_MS / 1000));
      const deadline = nowMs() + MAX_WARMUP_MS - sc.warmupMs;
      while (pub.next - 1 - pool.slowest > lagEvents && nowMs() < deadline) await sleep(50);
    }
    await pool.openWindow();
    const t0 = nowMs();
    const s0 = cpuOf(server.child.pid);
    const g0 = pool.cpuMs();
    const p0 = process.cpuUsage();
    const m0 = readMachineBusyMs() ?? NaN;
    const i0 = pub.next;
    await sleep(sc.measureMs);
    const win = await pool.closeWindow();
    const wallMs = nowMs() - t0;
    const s1 = cpuOf(server.child.pid);
    const g1 = pool.cpuMs();
    const p1 = process.cpuUsage(p0);
    const m1 = readMachineBusyMs() ?? NaN;
    const eventsInWindow = pub.next - i0;
    const lastI = await pub.stop();
    await pool.drain(lastI, sc.drainMs);
    const fin = await pool.final(lastI);
    const rss = readRssBytes(server.child.pid);

    const deliveredPerSecond = (win.frames / wallMs) * 1000;
    const offered = sc.kind === 'rate' ? sc.eventsPerSecond * sc.subscribers : null;
    const serverCpuPct = pct(s1 - s0, wallMs);
    const generatorCpuPct = g1.map((c, k) => pct((c ?? NaN) - (g0[k] ?? NaN), wallMs));
    const publisherCpuPct = pct((p1.user + p1.system) / 1000, wallMs);
    const deliveredPct = offered ? (deliveredPerSecond / offered) * 100 : null;
    const ours = serverCpuPct + generatorCpuPct.reduce((a, b) => a + b, 0) + publisherCpuPct;
    const otherCpuPct = Math.max(0, pct(m1 - m0, wallMs) - ours);
    return {
      kind: 'load',
      scenario: sc.id,
      target: target.label,
      subscribers: sc.subscribers,
      connectFailed: conn.failed,
      offeredPerSecond: offered,
      eventsPerSecond: sc.kind === 'rate' ? sc.eventsPerSecond : (eventsInWindow / wallMs) * 1000,
      deliveredPerSecond,
      deliveredPct,
      p50Ms: win.hist.percentileUs(0.5) / 1000,
      p99Ms: win.hist.percentileUs(0.99) / 1000,
      maxMs: win.hist.maxUs / 1000,
      lost: fin.gaps,
      duplicated: fin.dups,
      lagged: fin.lagged,
      behind: fin.behind,
      unexpectedCloses: fin.unexpectedCloses,
      postErrors: pub.postErrors,
      postError: pub.firstError,
      serverCpuPct,
      serverCpuUsPerFrame: win.frames > 0 ? ((s1 - s0) * 1000) / win.frames : NaN,
      generatorCpuPct,
      publisherCpuPct,
      otherCpuPct,
      serverRssBytes: rss,
      bottleneck: bottleneckOf(serverCpuPct, generatorCpuPct, publisherCpuPct, deliveredPct, otherCpuPct),
    };
  }, poolP);
}

/** Name the saturated side from CPU shares: the server's event loop, the generator processes, or neither. */
export function bottleneckOf(serverPct: number, generatorPct: number[], publisherPct: number, deliveredPct: number | null, otherPct = 0): string {
  const busy: string[] = [];
  if (serverPct >= BUSY_CPU_PERCENT) busy.push('server CPU');
  if (generatorPct.some((g) => g >= BUSY_CPU_PERCENT)) busy.push('generator CPU');
  if (publisherPct >= BUSY_CPU_PERCENT) busy.push('publisher CPU');
  if (busy.length > 0) return busy.join(' + ');
  const total = serverPct + generatorPct.reduce((a, b) => a + b, 0) + publisherPct;
  // Other processes on the machine took the CPU this run needed: the figures of this cell are not the server's.
  if (otherPct >= 40) return `machine busy with other processes (${Math.round(otherPct)}% of a core)`;
  // Both cores nearly full between server and generator: throughput may keep up, latency queues behind the CPU.
  if (total + otherPct >= 170) return `machine CPU (${Math.round(total + otherPct)}% of 2 cores)`;
  if (deliveredPct !== null && deliveredPct >= 99) return 'none (kept up)';
  return 'neither CPU-bound (latency/flow control)';
}

/** An idle cell: RSS per connection after GC and heartbeat CPU. */
export async function runIdleCell(target: Target, sc: IdleScenario, ctx: CellContext): Promise<IdleResult> {
  const maxPerProcess = ctx.fdLimit - FD_HEADROOM;
  const attempted = Math.min(sc.connections, maxPerProcess);
  const cappedBy = attempted < sc.connections ? `ulimit -n ${ctx.fdLimit} in the server process` : undefined;
  const workers = Math.max(2, Math.ceil(attempted / maxPerProcess));
  const poolP = SubscriberPool.start(workers);
  return withServer(target, sc.pingIntervalMs, ctx, async (server) => {
    const pool = await poolP;
    const before = await server.child.request<{ rss: number; heapUsed: number }>('gc');
    const c0 = nowMs();
    const conn = await pool.connect(target.client, target.subscribeUrl(server.port), attempted);
    const connectSeconds = (nowMs() - c0) / 1000;
    if (conn.failed > 0) ctx.log(`  ${conn.failed} of ${attempted} idle connections failed: ${conn.firstError}`);
    await sleep(1000);
    const after = await server.child.request<{ rss: number; heapUsed: number }>('gc');
    const n = Math.max(1, conn.connected);
    const t0 = nowMs();
    const s0 = cpuOf(server.child.pid);
    await sleep(sc.cpuWindowMs);
    const s1 = cpuOf(server.child.pid);
    const wallMs = nowMs() - t0;
    return {
      kind: 'idle',
      scenario: sc.id,
      target: target.label,
      requested: sc.connections,
      attempted,
      connected: conn.connected,
      failed: conn.failed,
      firstError: conn.firstError,
      rssPerConnectionBytes: (after.rss - before.rss) / n,
      heapPerConnectionBytes: (after.heapUsed - before.heapUsed) / n,
      heartbeatCpuPct: pct(s1 - s0, wallMs),
      pingIntervalMs: sc.pingIntervalMs,
      connectSeconds,
      cappedBy,
    };
  }, poolP);
}

/** Switchboard only: `tries` reconnects with `since` `gap` events back, timed until the last replayed frame. */
export async function runResumeCell(target: Target, sc: ResumeScenario, ctx: CellContext): Promise<ResumeResult> {
  return withServer(target, 30_000, ctx, async (server) => {
    const pub = new Publisher(target.publishUrl(server.port));
    while (pub.next < sc.gap + 100) await pub.post(100);
    await pub.stop();
    const health = (await (await fetch(`http://127.0.0.1:${server.port}/api/healthz`)).json()) as { seq: number };
    const since = health.seq - sc.gap;
    // A few untimed tries first: a long-running server has its replay path compiled, a fresh child has not.
    for (let k = 0; k < RESUME_WARMUP_TRIES; k++) await resumeOnce(`${target.subscribeUrl(server.port)}&since_seq=${since}`, sc.gap);
    const times: number[] = [];
    let allRecovered = true;
    for (let k = 0; k < sc.tries; k++) {
      const r = await resumeOnce(`${target.subscribeUrl(server.port)}&since_seq=${since}`, sc.gap);
      if (r === null) continue;
      times.push(r.ms);
      allRecovered &&= r.recovered;
    }
    times.sort((a, b) => a - b);
    const q = (p: number) => (times.length ? times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]! : NaN);
    return {
      kind: 'resume',
      scenario: sc.id,
      target: target.label,
      gap: sc.gap,
      tries: sc.tries,
      completed: times.length,
      p50Ms: q(0.5),
      p99Ms: q(0.99),
      maxMs: times.length ? times[times.length - 1]! : NaN,
      allRecovered,
    };
  });
}

const EVENT_PREFIX = Buffer.from(`{"type":"${BENCH_TOPIC}"`);
const RESUME_WARMUP_TRIES = 3;
/** A rate cell is measured once the slowest subscriber is less than this far behind the publisher… */
const STEADY_LAG_MS = 100;
/** …or after this much warm-up at most. */
const MAX_WARMUP_MS = 5000;

function resumeOnce(url: string, gap: number): Promise<{ ms: number; recovered: boolean } | null> {
  return new Promise((resolve) => {
    const t0 = nowMs();
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let count = 0;
    let recovered = false;
    const timer = setTimeout(() => {
      ws.terminate();
      resolve(null);
    }, 10_000);
    ws.on('message', (data: Buffer) => {
      if (data.length > EVENT_PREFIX.length && data.compare(EVENT_PREFIX, 0, EVENT_PREFIX.length, 0, EVENT_PREFIX.length) === 0) {
        if (++count === gap) {
          const ms = nowMs() - t0;
          clearTimeout(timer);
          ws.terminate();
          resolve({ ms, recovered });
        }
      } else {
        const f = JSON.parse(data.toString()) as { type: string; recovered?: boolean };
        if (f.type === 'subscribed') recovered = f.recovered === true;
      }
    });
    ws.on('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
  });
}
