/**
 * Streaming per-signal features, updated once per arriving sample of that
 * signal with no allocation: value, fast EWMA level, EW spread around that
 * level, and slope (fast minus slow EWMA). A ring of recent values feeds the
 * diagnosis.
 */
export const FEATURES_PER_SIGNAL = 4;
export const RING = 64;
/** Longer value history: the seasonal rule compares a value with the one a period ago. */
export const HIST = 1024;

const A_FAST = 0.3;
const A_SLOW = 0.02;
const A_VAR = 0.1;
/** Slow variance of the one-step residual: the scale against which "surprise" is judged. */
const A_VSLOW = 0.01;

export class SignalState {
  m1 = 0;
  m2 = 0;
  v1 = 0;
  v2 = 0;
  /** The last value's one-step residual over the slow residual spread (scale-free surprise). */
  surprise = 0;
  n = 0;
  readonly ring = new Float64Array(RING);
  readonly hist = new Float64Array(HIST);
  pos = 0;
  last = 0;
  lo = Infinity;
  hi = -Infinity;
  /** How far the last value fell outside the range seen before it, as a fraction of that range (0 inside). */
  novelty = 0;
  /** Consecutive repeats of exactly the same value (0 = the last value differs from the one before). */
  run = 0;
  /** The longest such run seen so far (read at the end of learning: what "normal" repeating looks like). */
  maxRun = 0;

  update(x: number): void {
    if (this.n === 0) {
      this.m1 = x;
      this.m2 = x;
      this.v1 = 0;
    } else {
      const d = x - this.m1;
      this.surprise = this.n > 2 ? d / Math.sqrt(this.v2 + 1e-12 + 1e-6 * this.m2 * this.m2) : 0;
      this.v2 = this.n === 1 ? d * d : (1 - A_VSLOW) * this.v2 + A_VSLOW * d * d;
      this.m1 += A_FAST * d;
      this.m2 += A_SLOW * (x - this.m2);
      this.v1 = (1 - A_VAR) * this.v1 + A_VAR * d * d;
    }
    if (this.n > 0 && x === this.last) {
      this.run++;
      if (this.run > this.maxRun) this.maxRun = this.run;
    } else this.run = 0;
    // Spatial novelty (as Numenta's detector does): a value beyond everything seen so far.
    const range = this.hi - this.lo;
    this.novelty = range > 0 ? Math.max(0, x - this.hi, this.lo - x) / range : 0;
    if (x < this.lo) this.lo = x;
    if (x > this.hi) this.hi = x;
    this.last = x;
    this.hist[this.n % HIST] = x;
    this.ring[this.pos] = x;
    this.pos = (this.pos + 1) % RING;
    this.n++;
  }

  /** Restores a warm state from a learned baseline (after a restart), so features do not jump. */
  warm(mean: number, spread: number, lo = mean - 3 * spread, hi = mean + 3 * spread): void {
    this.lo = lo;
    this.hi = hi;
    this.m1 = mean;
    this.m2 = mean;
    this.v1 = spread * spread;
    this.v2 = spread * spread;
    this.last = mean;
    this.hist[0] = mean;
    this.n = 1;
  }

  /** Writes this signal's features at out[off..off+4). */
  write(out: Float32Array | Float64Array, off: number): void {
    out[off] = this.last;
    out[off + 1] = this.m1;
    out[off + 2] = Math.sqrt(this.v1);
    out[off + 3] = this.m1 - this.m2;
  }

  /** The value `lag` samples before the last one (NaN if not in the history). */
  ago(lag: number): number {
    if (lag <= 0 || lag >= HIST || lag >= this.n) return NaN;
    return this.hist[(this.n - 1 - lag) % HIST]!;
  }

  /** Copies the last `count` values, oldest first, into `out` (returns how many were available). */
  recent(out: Float64Array, count: number): number {
    const have = Math.min(count, this.n, RING);
    for (let j = 0; j < have; j++) {
      out[j] = this.ring[(this.pos - have + j + RING * 2) % RING]!;
    }
    return have;
  }
}

/** Names of the features of one signal, in vector order (for model cards and evidence). */
export function featureNames(signal: string): string[] {
  return [`${signal}.value`, `${signal}.level`, `${signal}.spread`, `${signal}.slope`];
}
