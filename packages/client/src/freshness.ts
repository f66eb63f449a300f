// End-to-end freshness (docs/operations.md): how long each live event took from its append on the server (its
// `ts`) to its arrival here. The two clocks differ, so the offset is estimated from ping/pong round trips: a ping
// carries this clock's `t`, the pong echoes it with the server's `server_ts`, and the offset is
// `server_ts + rtt / 2 - now` from the round trip with the smallest rtt among the recent ones (the least queued
// one says the most). The server gets a compact report every few seconds.

/** Round trips kept for the offset estimate. */
const OFFSET_SAMPLES = 8;
/** Figures kept for `stats()`' percentiles. */
const WINDOW = 1024;
/** Figures sent in one report at most (the server reads no more). */
const REPORT_MAX = 256;

export interface FreshnessStats {
  /** Live events measured since the client was created. */
  count: number;
  /** Median and 99th percentile of the recent figures, in ms; null before the first. */
  p50Ms: number | null;
  p99Ms: number | null;
  /** Estimated server clock minus this clock, in ms; null before the first timed pong. */
  clockOffsetMs: number | null;
  /** Round trip of the ping the offset comes from, in ms. */
  rttMs: number | null;
}

export class FreshnessMeter {
  readonly #now: () => number;
  #roundTrips: Array<{ rtt: number; offset: number }> = [];
  #offset: number | null = null;
  #rtt: number | null = null;
  #window: number[] = [];
  #pending: number[] = [];
  #count = 0;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** The ping to send: it carries this clock, for the offset. */
  pingFrame(): string {
    return `{"type":"ping","t":${this.#now()}}`;
  }

  /** A pong arrived; one that echoes our `t` with the server's time is a round-trip sample. */
  onPong(frame: { t?: unknown; server_ts?: unknown }): void {
    const { t, server_ts: server } = frame;
    if (typeof t !== 'number' || typeof server !== 'number' || !Number.isFinite(t) || !Number.isFinite(server)) return;
    const now = this.#now();
    const rtt = now - t;
    if (rtt < 0) return;
    this.#roundTrips.push({ rtt, offset: server + rtt / 2 - now });
    if (this.#roundTrips.length > OFFSET_SAMPLES) this.#roundTrips.shift();
    const best = this.#roundTrips.reduce((a, b) => (b.rtt < a.rtt ? b : a));
    this.#offset = best.offset;
    this.#rtt = best.rtt;
  }

  /** A live event arrived with the server's append time `ts` (ISO 8601). */
  onEvent(ts: unknown): void {
    if (this.#offset === null || typeof ts !== 'string') return;
    const appended = Date.parse(ts);
    if (Number.isNaN(appended)) return;
    // Never below 0: the estimate is good to about half a round trip.
    const ms = Math.max(0, this.#now() + this.#offset - appended);
    this.#count++;
    this.#window.push(ms);
    if (this.#window.length > WINDOW) this.#window.shift();
    if (this.#pending.length < REPORT_MAX) this.#pending.push(Math.round(ms * 10) / 10);
  }

  stats(): FreshnessStats {
    const sorted = [...this.#window].sort((a, b) => a - b);
    const pick = (q: number) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
    return { count: this.#count, p50Ms: pick(0.5), p99Ms: pick(0.99), clockOffsetMs: this.#offset, rttMs: this.#rtt };
  }

  /** The report frame for the figures since the last one, or null when there are none. */
  takeReport(): string | null {
    if (this.#pending.length === 0) return null;
    const frame = JSON.stringify({ type: 'freshness', samples_ms: this.#pending });
    this.#pending = [];
    return frame;
  }
}
