// The orchestrator's side of the load generator: N worker processes, each holding a share of the subscribers,
// driven together (connect, measurement window, progress, final counts) and measured for CPU.

import { fileURLToPath } from 'node:url';
import { forkTs, type ChildHandle } from '../child-process';
import { CONNECT_CONCURRENCY, PROGRESS_INTERVAL_MS, SOURCE_ADDRESSES } from '../constants';
import { LatencyHistogram, type SparseHistogram } from '../histogram';
import { readCpuMs } from '../proc-stats';
import type { ClientKind } from './subscriber-worker';

const WORKER_FILE = fileURLToPath(new URL('./subscriber-worker.ts', import.meta.url));

export interface FinalCounts {
  gaps: number;
  dups: number;
  lagged: number;
  errorFrames: number;
  unexpectedCloses: number;
  totalFrames: number;
  /** Frames still missing at the end (behind the last published event after the drain). */
  behind: number;
}

export class SubscriberPool {
  private mins: number[];

  private constructor(readonly workers: ChildHandle[]) {
    this.mins = workers.map(() => -1);
    workers.forEach((w, k) => w.on('progress', (m) => (this.mins[k] = m.min as number)));
  }

  static async start(count: number): Promise<SubscriberPool> {
    // SWITCHBOARD_BENCH_GENERATOR_PROFILE=DIR profiles the generators too (is the generator the one measured?).
    const prof = process.env.SWITCHBOARD_BENCH_GENERATOR_PROFILE;
    const nodeArgs = prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [];
    const workers = Array.from({ length: count }, (_, k) => forkTs(WORKER_FILE, [], `generator ${k + 1}`, nodeArgs));
    try {
      await Promise.all(workers.map((w) => w.once('ready', 30_000)));
    } catch (err) {
      await Promise.all(workers.map((w) => w.stop(500)));
      throw err;
    }
    return new SubscriberPool(workers);
  }

  get pids(): number[] {
    return this.workers.map((w) => w.pid);
  }

  /** Open `total` subscribers split evenly across the workers; resolves once each is subscribed. */
  async connect(kind: ClientKind, url: string, total: number): Promise<{ connected: number; failed: number; firstError?: string }> {
    const share = (k: number) => Math.floor(total / this.workers.length) + (k < total % this.workers.length ? 1 : 0);
    const results = await Promise.all(
      this.workers.map((w, k) =>
        w.request<{ connected: number; failed: number; firstError?: string }>(
          'connect',
          // Each worker starts on a different source address so the pool spreads over all of them.
          { kind, url, count: share(k), addresses: rotate(SOURCE_ADDRESSES, k), concurrency: CONNECT_CONCURRENCY },
          300_000,
        ),
      ),
    );
    return {
      connected: results.reduce((a, r) => a + r.connected, 0),
      failed: results.reduce((a, r) => a + r.failed, 0),
      firstError: results.find((r) => r.firstError)?.firstError,
    };
  }

  async openWindow(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request('window-open')));
  }

  async closeWindow(): Promise<{ frames: number; hist: LatencyHistogram }> {
    const parts = await Promise.all(this.workers.map((w) => w.request<{ frames: number; hist: SparseHistogram }>('window-close')));
    const hist = new LatencyHistogram();
    for (const p of parts) hist.merge(p.hist);
    return { frames: parts.reduce((a, p) => a + p.frames, 0), hist };
  }

  /** Start streaming each worker's slowest-subscriber position (flow control for saturation). */
  async progressOn(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request('progress-on', { intervalMs: PROGRESS_INTERVAL_MS })));
  }

  /** The slowest subscriber's last event index, from the progress stream. */
  get slowest(): number {
    return Math.min(...this.mins);
  }

  /** Wait until every subscriber saw `lastI` or `timeoutMs` passed; resolves with whether all caught up. */
  async drain(lastI: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mins = await Promise.all(this.workers.map((w) => w.request<number>('min')));
      if (Math.min(...mins) >= lastI) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async final(lastPublished: number): Promise<FinalCounts> {
    const parts = await Promise.all(this.workers.map((w) => w.request<FinalCounts>('final', { lastPublished })));
    const sum = (k: keyof FinalCounts) => parts.reduce((a, p) => a + p[k], 0);
    return {
      gaps: sum('gaps'),
      dups: sum('dups'),
      lagged: sum('lagged'),
      errorFrames: sum('errorFrames'),
      unexpectedCloses: sum('unexpectedCloses'),
      totalFrames: sum('totalFrames'),
      behind: sum('behind'),
    };
  }

  /** CPU ms of each worker, read from /proc (null entries where unavailable). */
  cpuMs(): Array<number | null> {
    return this.workers.map((w) => readCpuMs(w.pid));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request('close', {}, 10_000).catch(() => undefined)));
    await Promise.all(this.workers.map((w) => w.stop(2000)));
  }
}

function rotate<T>(list: readonly T[], by: number): T[] {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}
