/**
 * A fixed-memory latency histogram (log-linear buckets, like HdrHistogram with
 * 2 significant digits): recording is O(1) with no allocation, so it can sit
 * on the hot path. Values are microseconds.
 */
const SUB_BUCKETS = 64; // per power of two → ≤ ~1.6% relative error
const MAX_POW = 32; // up to ~4e9 µs (over an hour)

const BUCKETS = MAX_POW * SUB_BUCKETS;
/** Slots after the buckets: count, max, sum. */
const N = BUCKETS;
const MAX = BUCKETS + 1;
const SUM = BUCKETS + 2;

export class LatencyHistogram {
  /** Bytes one histogram takes in a shared buffer. */
  static readonly BYTES = (BUCKETS + 3) * 8;
  /** Buckets, then count, max and sum: one array, so the histogram can live in a SharedArrayBuffer (observe/stats.ts). */
  private readonly a: Float64Array;

  constructor(buffer: ArrayBufferLike = new ArrayBuffer(LatencyHistogram.BYTES), byteOffset = 0) {
    this.a = new Float64Array(buffer, byteOffset, BUCKETS + 3);
  }

  record(us: number): void {
    if (!(us >= 0)) return;
    const a = this.a;
    a[bucketOf(us)]! += 1;
    a[N]! += 1;
    a[SUM]! += us;
    if (us > a[MAX]!) a[MAX] = us;
  }

  get count(): number {
    return this.a[N]!;
  }

  get max(): number {
    return this.a[MAX]!;
  }

  get mean(): number {
    const n = this.a[N]!;
    return n ? this.a[SUM]! / n : 0;
  }

  /** Value at quantile q (0..1), the upper edge of the bucket holding it. */
  quantile(q: number): number {
    const n = this.a[N]!;
    const max = this.a[MAX]!;
    if (n === 0) return 0;
    const target = Math.max(1, Math.ceil(q * n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.a[i]!;
      if (seen >= target) return Math.min(upperEdge(i), max);
    }
    return max;
  }

  snapshot(): { count: number; p50: number; p99: number; p999: number; max: number; mean: number } {
    return {
      count: this.count,
      p50: this.quantile(0.5),
      p99: this.quantile(0.99),
      p999: this.quantile(0.999),
      max: this.max,
      mean: this.mean,
    };
  }

  /** Number of recorded values ≤ `us` (bucket resolution). */
  countBelow(us: number): number {
    const last = bucketOf(us);
    let n = 0;
    for (let i = 0; i <= last; i++) n += this.a[i]!;
    return n;
  }

  /** Clears it (from either thread when shared: values recorded meanwhile may be lost, which a reset means anyway). */
  reset(): void {
    this.a.fill(0);
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
