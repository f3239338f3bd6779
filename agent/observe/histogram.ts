/**
 * A fixed-memory latency histogram (log-linear buckets, like HdrHistogram with
 * 2 significant digits): recording is O(1) with no allocation, so it can sit
 * on the hot path. Values are microseconds.
 */
const SUB_BUCKETS = 64; // per power of two → ≤ ~1.6% relative error
const MAX_POW = 32; // up to ~4e9 µs (over an hour)

export class LatencyHistogram {
  private readonly counts = new Float64Array(MAX_POW * SUB_BUCKETS);
  private n = 0;
  private maxUs = 0;
  private sumUs = 0;

  record(us: number): void {
    if (!(us >= 0)) return;
    this.counts[bucketOf(us)]! += 1;
    this.n++;
    this.sumUs += us;
    if (us > this.maxUs) this.maxUs = us;
  }

  get count(): number {
    return this.n;
  }

  get max(): number {
    return this.maxUs;
  }

  get mean(): number {
    return this.n ? this.sumUs / this.n : 0;
  }

  /** Value at quantile q (0..1), the upper edge of the bucket holding it. */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    const target = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return Math.min(upperEdge(i), this.maxUs);
    }
    return this.maxUs;
  }

  snapshot(): { count: number; p50: number; p99: number; p999: number; max: number; mean: number } {
    return {
      count: this.n,
      p50: this.quantile(0.5),
      p99: this.quantile(0.99),
      p999: this.quantile(0.999),
      max: this.maxUs,
      mean: this.mean,
    };
  }

  /** Number of recorded values ≤ `us` (bucket resolution). */
  countBelow(us: number): number {
    const last = bucketOf(us);
    let n = 0;
    for (let i = 0; i <= last; i++) n += this.counts[i]!;
    return n;
  }

  reset(): void {
    this.counts.fill(0);
    this.n = 0;
    this.maxUs = 0;
    this.sumUs = 0;
  }
}

function bucketOf(us: number): number {
  if (us < SUB_BUCKETS) return Math.floor(us);
  const pow = Math.floor(Math.log2(us / SUB_BUCKETS)) + 1;
  if (pow >= MAX_POW) return MAX_POW * SUB_BUCKETS - 1;
  const base = SUB_BUCKETS * 2 ** (pow - 1);
  const sub = Math.floor((us - base) / (base / SUB_BUCKETS) / 1);
  return pow * SUB_BUCKETS + Math.min(SUB_BUCKETS - 1, Math.floor(sub / 1));
}

function upperEdge(i: number): number {
  const pow = Math.floor(i / SUB_BUCKETS);
  const sub = i % SUB_BUCKETS;
  if (pow === 0) return sub + 1;
  const base = SUB_BUCKETS * 2 ** (pow - 1);
  return base + (sub + 1) * (base / SUB_BUCKETS);
}
