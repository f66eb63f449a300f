// A mergeable latency histogram: exact below 100 µs, then buckets 1 % wide up to ~10 minutes. Generators record
// into it per frame and ship it to the orchestrator as sparse [bucket, count] pairs.

const EXACT_US = 100;
const GROWTH = Math.log(1.01);
const BUCKETS = EXACT_US + Math.ceil(Math.log(600e6 / EXACT_US) / GROWTH) + 1;

function bucketOf(us: number): number {
  if (us < EXACT_US) return us < 0 ? 0 : Math.floor(us);
  return Math.min(BUCKETS - 1, EXACT_US + Math.floor(Math.log(us / EXACT_US) / GROWTH));
}

function upperBoundUs(bucket: number): number {
  if (bucket < EXACT_US) return bucket + 1;
  return EXACT_US * Math.exp((bucket - EXACT_US + 1) * GROWTH);
}

export type SparseHistogram = { counts: Array<[number, number]>; maxUs: number };

export class LatencyHistogram {
  private counts = new Float64Array(BUCKETS);
  count = 0;
  maxUs = 0;

  record(us: number): void {
    this.counts[bucketOf(us)]! += 1;
    this.count++;
    if (us > this.maxUs) this.maxUs = us;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.maxUs = 0;
  }

  toSparse(): SparseHistogram {
    const counts: Array<[number, number]> = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]! > 0) counts.push([i, this.counts[i]!]);
    return { counts, maxUs: this.maxUs };
  }

  merge(s: SparseHistogram): void {
    for (const [i, n] of s.counts) {
      this.counts[i]! += n;
      this.count += n;
    }
    if (s.maxUs > this.maxUs) this.maxUs = s.maxUs;
  }

  /** The latency (µs, bucket upper bound, at most the max seen) below which `p` (0–1) of the samples fall. */
  percentileUs(p: number): number {
    if (this.count === 0) return NaN;
    const target = Math.max(1, Math.ceil(p * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return Math.min(upperBoundUs(i), this.maxUs);
    }
    return this.maxUs;
  }
}
