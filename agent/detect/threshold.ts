/**
 * A streaming extreme-value threshold (SPOT, Siffer et al., KDD 2017): fit a
 * generalised Pareto tail to the peaks over an initial high quantile of the
 * learning scores, and place the alarm threshold at risk `q`. While
 * detecting, normal scores above the initial level keep refining the tail
 * (the "S" in SPOT), so the threshold follows slow changes in the noise.
 * A pinned threshold disables all of this.
 */
export interface ThresholdState {
  /** The initial (peak-over) level. */
  t: number;
  peaks: number[];
  /** Observations seen (learning + normal detecting). */
  n: number;
  threshold: number;
  pinned: boolean;
  /** The threshold fitted at the end of learning; online refits stay within MAX_GROWTH of it. */
  learned?: number;
}

const INIT_QUANTILE = 0.98;
const MAX_PEAKS = 1000;
const REFIT_EVERY = 20;
/**
 * Online refits may raise the threshold to at most this multiple of the learned one. Without a cap
 * the update runs away on a slow fault: scores rising just under the threshold become peaks, the
 * fitted tail fattens, the threshold rises, and the fault is never flagged (DSPOT's drift problem).
 */
const MAX_GROWTH = 3;

export class SpotThreshold {
  private sinceFit = 0;

  constructor(
    readonly state: ThresholdState,
    private readonly q: number,
  ) {}

  /** Fits on the learning scores; `pinned` overrides the learned value. */
  static fit(scores: ArrayLike<number>, q: number, pinned?: number): SpotThreshold {
    const sorted = Float64Array.from(scores).sort();
    const n = sorted.length;
    const t = sorted[Math.min(n - 1, Math.floor(INIT_QUANTILE * n))] ?? 0;
    const peaks: number[] = [];
    for (let i = 0; i < n; i++) if (sorted[i]! > t) peaks.push(sorted[i]! - t);
    const s = new SpotThreshold({ t, peaks, n, threshold: Infinity, pinned: pinned !== undefined }, q);
    s.state.threshold = pinned ?? s.compute(sorted[n - 1] ?? t);
    s.state.learned = s.state.threshold;
    return s;
  }

  get value(): number {
    return this.state.threshold;
  }

  /** Feeds a detecting-phase score that was judged normal (DSPOT-style tail update, no drift term). */
  observeNormal(score: number): void {
    if (this.state.pinned) return;
    this.state.n++;
    if (score > this.state.t && Number.isFinite(score)) {
      const p = this.state.peaks;
      if (p.length >= MAX_PEAKS) p.shift();
      p.push(score - this.state.t);
      if (++this.sinceFit >= REFIT_EVERY) {
        this.sinceFit = 0;
        const learned = this.state.learned ?? this.state.threshold;
        this.state.learned = learned;
        this.state.threshold = Math.min(this.compute(this.state.t), learned * MAX_GROWTH);
      }
    }
  }

  /** z_q = t + σ/γ ((q·n/N_t)^-γ − 1), γ and σ by the method of moments, kept above the learning maximum's neighbourhood. */
  private compute(floor: number): number {
    const { t, peaks, n } = this.state;
    const k = peaks.length;
    if (k < 3) return Math.max(floor * 1.5, t * 2, 1e-9);
    let m = 0;
    for (const y of peaks) m += y / k;
    let v = 0;
    for (const y of peaks) v += (y - m) ** 2 / (k - 1);
    if (v <= 0 || m <= 0) return Math.max(floor * 1.5, t * 2);
    let gamma = 0.5 * (1 - (m * m) / v);
    const sigma = 0.5 * m * (1 + (m * m) / v);
    gamma = Math.max(-0.5, Math.min(0.5, gamma));
    const r = (this.q * n) / k;
    const z = Math.abs(gamma) < 1e-6 ? t - sigma * Math.log(r) : t + (sigma / gamma) * (r ** -gamma - 1);
    return Math.max(z, floor);
  }
}
