// Token buckets per peer key (docs/security.md floods): each key may spend `burst` at once and `ratePerSecond` after
// that. Pure apart from the clock, which is injected so the arithmetic is tested without waiting.

export interface TokenBucketOptions {
  /** Tokens added per second: the rate a peer may keep up forever. Must be > 0. */
  ratePerSecond: number;
  /** Bucket size: what a peer that has been quiet may spend at once. At least 1. */
  burst: number;
  /**
   * Most keys remembered at once. Past it the least recently seen key is forgotten, which only ever gives that
   * peer a fresh (full) bucket: a flood of distinct keys costs memory up to this bound, never service to others.
   * @default 50000
   */
  maxKeys?: number;
  /** Milliseconds from any fixed origin; must not go backwards. @default performance.now */
  now?: () => number;
}

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  /** `now()` when `tokens` was last computed. */
  at: number;
}

export const DEFAULT_MAX_KEYS = 50_000;

/** Floating-point slack, so a peer pacing itself at exactly the rate is never refused by rounding. */
const EPSILON = 1e-9;

const ADMITTED: Admission = Object.freeze({ ok: true });

export class TokenBucketLimiter {
  private readonly rate: number;
  private readonly burst: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  /** Time for an empty bucket to fill; a bucket untouched this long is full, the same as no bucket. */
  private readonly fillMs: number;
  /** In least-recently-seen order: every `take` moves its key to the end. */
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0) || !Number.isFinite(options.ratePerSecond)) {
      throw new RangeError(`ratePerSecond must be a positive finite number, got ${options.ratePerSecond}`);
    }
    if (!(options.burst >= 1) || !Number.isFinite(options.burst)) throw new RangeError(`burst must be at least 1, got ${options.burst}`);
    this.rate = options.ratePerSecond;
    this.burst = options.burst;
    this.maxKeys = Math.max(1, options.maxKeys ?? DEFAULT_MAX_KEYS);
    this.now = options.now ?? (() => performance.now());
    this.fillMs = (this.burst / this.rate) * 1000;
  }

  /** Spend one token of `key`'s bucket, or say how many whole seconds until one is there (at least 1). */
  take(key: string): Admission {
    const now = this.now();
    this.forgetIdle(now);
    const bucket = this.buckets.get(key);
    let tokens = this.burst;
    if (bucket) {
      tokens = Math.min(this.burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * this.rate);
      this.buckets.delete(key); // re-inserted below, at the most recently seen end
    }
    const admitted = tokens >= 1 - EPSILON;
    if (admitted) tokens = Math.max(0, tokens - 1);
    // A refused attempt costs nothing: a peer that waits as told is served, however much it was refused before.
    this.buckets.set(key, { tokens, at: now });
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    if (admitted) return ADMITTED;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.rate - EPSILON)) };
  }

  /** Keys currently remembered. */
  get size(): number {
    return this.buckets.size;
  }

  /**
   * Drop buckets that have refilled completely. The map is in last-seen order, so they are all at its front and
   * the walk stops at the first one still in use: amortised O(1) per `take`, no timer.
   */
  private forgetIdle(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.at < this.fillMs) return;
      this.buckets.delete(key);
    }
  }
}
