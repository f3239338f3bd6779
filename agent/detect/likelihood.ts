/**
 * Anomaly likelihood over the model's raw scores (the idea of Numenta's
 * `anomaly_likelihood.py`, Ahmad et al. 2017): a raw score means little on its
 * own, because every asset has its own noise; what matters is how unusual the
 * recent scores are against this asset's own recent score distribution.
 *
 * short = mean of the last SHORT log-scores; the distribution of `short` over
 * the last LONG rows (exact ring sums, O(1) per sample) gives z; the output is
 * -log10 of the upper-tail probability, so 5 means "1 in 100,000". Everything
 * is streaming: each output depends only on scores already seen.
 */
export interface LikelihoodState {
  short: number[];
  long: number[];
}

const SHORT = 3;
const LONG = 4000;
const MIN_LONG = 30;
const MAX_OUT = 12;

export class ScoreLikelihood {
  private readonly s = new Float64Array(SHORT);
  private sPos = 0;
  private sN = 0;
  private sSum = 0;
  private readonly l = new Float64Array(LONG);
  private lPos = 0;
  private lN = 0;
  private lSum = 0;
  private lSq = 0;

  /** Feeds one raw score (≥ 0) and returns its likelihood score (≥ 0, -log10 tail probability). */
  update(raw: number): number {
    const a = Math.log1p(Math.max(0, Number.isFinite(raw) ? raw : 1e6));
    if (this.sN === SHORT) this.sSum -= this.s[this.sPos]!;
    else this.sN++;
    this.s[this.sPos] = a;
    this.sSum += a;
    this.sPos = (this.sPos + 1) % SHORT;
    const short = this.sSum / this.sN;
    let out = 0;
    if (this.lN >= MIN_LONG) {
      const mean = this.lSum / this.lN;
      const v = Math.max(this.lSq / this.lN - mean * mean, 1e-8);
      const z = (short - mean) / Math.sqrt(v);
      out = Math.min(MAX_OUT, z > 0 ? -Math.log10(Math.max(1e-300, upperTail(z))) : 0);
    }
    if (this.lN === LONG) {
      const old = this.l[this.lPos]!;
      this.lSum -= old;
      this.lSq -= old * old;
    } else this.lN++;
    this.l[this.lPos] = short;
    this.lSum += short;
    this.lSq += short * short;
    this.lPos = (this.lPos + 1) % LONG;
    return out;
  }

  /** Recent history, for persistence. */
  get state(): LikelihoodState {
    const take = (ring: Float64Array, n: number, pos: number): number[] => {
      const out: number[] = [];
      for (let j = 0; j < n; j++) out.push(ring[(pos - n + j + ring.length * 2) % ring.length]!);
      return out;
    };
    return { short: take(this.s, this.sN, this.sPos), long: take(this.l, this.lN, this.lPos) };
  }

  /** Rebuilds from persisted history (oldest first). */
  static from(st: LikelihoodState | undefined): ScoreLikelihood {
    const k = new ScoreLikelihood();
    if (!st) return k;
    for (const v of st.long.slice(-LONG)) {
      k.l[k.lPos] = v;
      k.lSum += v;
      k.lSq += v * v;
      k.lPos = (k.lPos + 1) % LONG;
      k.lN++;
    }
    for (const v of st.short.slice(-SHORT)) {
      k.s[k.sPos] = v;
      k.sSum += v;
      k.sPos = (k.sPos + 1) % SHORT;
      k.sN++;
    }
    return k;
  }
}

/** Upper tail of the standard normal, Q(z) = erfc(z/√2)/2 (Abramowitz–Stegun 7.1.26 on erfc, |err| < 1.5e-7 relative near 0; asymptotic form for large z). */
export function upperTail(z: number): number {
  if (z > 6) {
    // Mills ratio: keeps precision far in the tail where 1 - Φ underflows.
    return (Math.exp(-0.5 * z * z) / (z * Math.sqrt(2 * Math.PI))) * (1 - 1 / (z * z));
  }
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return z >= 0 ? y / 2 : 1 - y / 2;
}
