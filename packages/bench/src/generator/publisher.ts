// The publisher: stamps each event with its index `i` and the monotonic publish time `t`, and POSTs batches over
// keep-alive HTTP, either at a fixed rate (open loop, for latency) or as fast as the slowest subscriber keeps up
// (closed loop with a bounded window, for saturation throughput). One POST is in flight at a time: two concurrent
// POSTs on two sockets can be applied in either order, which would show up as loss and duplication downstream.

import { Agent, request } from 'node:http';
import { nowMs } from '../clock';
import {
  BENCH_PAYLOAD,
  BENCH_TOPIC,
  RATE_TICK_MS,
  SATURATION_BATCH_EVENTS,
  SATURATION_WINDOW_EVENTS,
} from '../constants';

export class Publisher {
  /** Next event index; events 0 … next-1 were sent. */
  next = 0;
  acked = 0;
  postErrors = 0;
  firstError?: string;
  private inflight = 0;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private idle?: () => void;
  private readonly url: URL;

  constructor(url: string) {
    this.url = new URL(url);
  }

  /** Send `count` events in one POST; resolves when answered. */
  post(count: number): Promise<void> {
    const t = nowMs();
    const events = [];
    for (let k = 0; k < count; k++) events.push({ topic: BENCH_TOPIC, data: { ...BENCH_PAYLOAD, i: this.next++, t } });
    const body = JSON.stringify(events);
    this.inflight++;
    return new Promise<void>((resolve) => {
      // Settled once: a keep-alive socket can still emit 'error' after its response ended.
      let settled = false;
      const settle = (error?: string) => {
        if (settled) return;
        settled = true;
        if (error === undefined) this.acked += count;
        else this.fail(error, count);
        this.done();
        resolve();
      };
      const req = request(
        this.url,
        { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let answer = '';
          res.on('data', (d: Buffer) => {
            if (answer.length < 300) answer += d.toString();
          });
          res.on('end', () => settle(res.statusCode === 201 ? undefined : `HTTP ${res.statusCode} ${answer.slice(0, 200)}`));
          res.on('error', (err) => settle(err.message));
        },
      );
      req.on('error', (err) => settle(err.message));
      req.end(body);
    });
  }

  private fail(message: string, count: number): void {
    this.postErrors += count;
    this.firstError ??= message;
  }

  private done(): void {
    this.inflight--;
    if (this.inflight === 0) this.idle?.();
  }

  /** Publish `ratePerSecond` events per second until `stop()`; a server that answers late gets the next batch bigger. */
  startRate(ratePerSecond: number): void {
    const start = nowMs();
    const sent = this.next;
    this.timer = setInterval(() => {
      if (this.stopped || this.inflight > 0) return;
      const due = Math.floor(((nowMs() - start) / 1000) * ratePerSecond) - (this.next - sent);
      if (due > 0) void this.post(due);
    }, RATE_TICK_MS);
  }

  /** Publish batches back to back while the slowest subscriber (`slowest()`, its last index) is within the window. */
  startSaturation(slowest: () => number): void {
    const pump = () => {
      if (this.stopped || this.inflight > 0) return;
      const room = SATURATION_WINDOW_EVENTS - (this.next - 1 - slowest());
      if (room > 0) void this.post(Math.min(room, SATURATION_BATCH_EVENTS)).then(pump);
    };
    pump();
    // Progress arrives over IPC; re-check on a short timer rather than wiring the pump into the pool.
    this.timer = setInterval(pump, 2);
  }

  /** Stop publishing and wait for the POSTs in flight. Returns the index of the last event sent (-1 if none). */
  async stop(): Promise<number> {
    this.stopped = true;
    clearInterval(this.timer);
    if (this.inflight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    this.agent.destroy();
    return this.next - 1;
  }
}
