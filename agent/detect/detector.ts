import type { AssetTuning } from '../config/sections/detect.js';
import type { Decision } from '../types.js';
import { AssetWindow } from '../window/aligner.js';
import type { Baseline } from './baseline.js';
import { ContextNovelty } from './context.js';
import { DEFAULT_EPISODE_BOUNDS, DetectorEpisode, type EpisodeBounds } from './episode.js';
import { explainDecision, type RuleHit } from './evidence.js';
import { FEATURES_PER_SIGNAL, SignalState } from './features.js';
import { learnedValues, lag1, seasonNovelty, stuckness } from './rules.js';
import { findSeason } from './season.js';
import { fitPca } from './fit.js';
import { fitRelations } from './relation.js';
import type { ModelRunner } from './model.js';
import { ScoreLikelihood } from './likelihood.js';
import { SpotThreshold } from './threshold.js';
import { DEFAULT_DETECTOR_OPTIONS, type DetectorOptions } from './profiles.js';

/** A signal this autocorrelated at lag 1 while learning is slow (integrating): see DetectorOptions.adaptSlow. */
const SLOW_ACF = 0.75;
export { DETECTOR_PROFILES, DEFAULT_DETECTOR_OPTIONS, type DetectorOptions } from './profiles.js';
const ruleAt = { s: 0 };

/**
 * One asset's detector: feature state, learning buffer, learned baseline and
 * thresholds. The same class serves the daemon, replay benches and Node-RED.
 * The pipeline drives it once per asset scan (docs/architecture.md, "Scans"):
 * scan() applies the closed scan's new values to the features; while
 * learning, learn(); then fit() once (the PCA fit runs synchronously on the
 * calling thread, the learning set is scored in one async model call); while
 * detecting, vector() feeds the model batch and decide() turns a score into a
 * Decision.
 */
export class AssetDetector {
  readonly window: AssetWindow;
  readonly states: SignalState[] = [];
  phase: 'learning' | 'fitting' | 'detecting' = 'learning';
  baseline: Baseline | undefined;
  private modelThr: SpotThreshold | undefined;
  private fbThr: SpotThreshold | undefined;
  private lik = new ScoreLikelihood();
  private quiet = 0;
  private sm = NaN;
  private fbSm = NaN;
  private fbLik = new ScoreLikelihood();
  private ctx: Array<ContextNovelty | undefined> = [];
  private learnRows = new Float64Array(0);
  private learnN = 0;
  private learnStart = 0;
  private learnF = 0;
  /** The feature vector of the last observed sample (model input). */
  x = new Float32Array(0);
  /** The detector's view of the asset's alert episode (episode.ts): sticky diagnosis, frozen adaptation. */
  readonly episode: DetectorEpisode;

  constructor(
    readonly asset: string,
    readonly tuning: AssetTuning,
    private readonly riskQ: number,
    readonly opts: DetectorOptions = DEFAULT_DETECTOR_OPTIONS,
    bounds: EpisodeBounds = DEFAULT_EPISODE_BOUNDS,
  ) {
    this.window = new AssetWindow(asset, tuning);
    this.episode = new DetectorEpisode(bounds);
  }

  /** Installs a persisted baseline (after restart): detecting immediately, features warm. */
  restore(b: Baseline): void {
    for (const s of b.signals) this.window.indexOf(s);
    this.window.frozen = true;
    this.ensureStates();
    b.signals.forEach((_, i) => this.states[i]!.warm(b.mean[i]!, b.spread[i]!, b.lo?.[i], b.hi?.[i]));
    this.lik = ScoreLikelihood.from(b.likelihood);
    this.ctx = Number.isFinite(this.opts.context) && b.context ? b.context.map((c) => (c ? ContextNovelty.from(c) : undefined)) : [];
    this.baseline = b;
    this.modelThr = new SpotThreshold(b.modelThreshold, this.riskQ);
    this.fbThr = new SpotThreshold(b.fallbackThreshold, this.riskQ);
    this.x = new Float32Array(b.pca.F);
    this.phase = 'detecting';
  }

  /**
   * Applies the window's open scan to the features: each signal with a new
   * value updates its state once; signals without one keep theirs (a carried
   * value is not a new observation: it must not count as a repeat for the
   * stuck rule). The caller then closes the scan (window.endScan()).
   */
  scan(): void {
    const w = this.window;
    if (this.states.length < w.signals.length) this.ensureStates();
    for (let i = 0; i < w.signals.length; i++) if (w.fresh[i] === 1) this.states[i]!.update(w.values[i]!);
  }

  private ensureStates(): void {
    while (this.states.length < this.window.signals.length) this.states.push(new SignalState());
  }

  /** Adds the current feature vector to the learning set; true when learning is complete. */
  learn(nowMs: number): boolean {
    const F = this.states.length * FEATURES_PER_SIGNAL;
    if (F !== this.learnF) {
      // A new signal appeared: the layout changed, restart the learning set.
      this.learnF = F;
      this.learnN = 0;
      this.learnRows = new Float64Array(this.tuning.learnSamples * F);
      this.learnStart = nowMs;
    }
    if (this.learnN === 0) this.learnStart = nowMs;
    if (this.learnN < this.tuning.learnSamples) {
      for (let s = 0; s < this.states.length; s++) this.states[s]!.write(this.learnRows, this.learnN * F + s * FEATURES_PER_SIGNAL);
      this.learnN++;
    }
    return this.learnN >= this.tuning.learnSamples && nowMs - this.learnStart >= this.tuning.learnSeconds * 1000;
  }

  get learnedSamples(): number {
    return this.learnN;
  }

  /** Fits the baseline and thresholds from the learning set, scoring it with the real model. */
  async fit(runner: ModelRunner, modelId: string): Promise<Baseline> {
    this.phase = 'fitting';
    this.window.frozen = true;
    const F = this.learnF;
    const n = this.learnN;
    const pca = fitPca(this.learnRows, n, F);
    const mean: number[] = [];
    const spread: number[] = [];
    for (let s = 0; s < this.states.length; s++) {
      mean.push(pca.mu[s * FEATURES_PER_SIGNAL]!);
      spread.push(pca.sd[s * FEATURES_PER_SIGNAL]!);
    }
    // Per-signal learning statistics for the rules, taken now: scans keep arriving while the model scores.
    // Each learning scan gave every signal (at most) one value.
    const per = n;
    // stuckRun 0 = off: a signal that repeated for much of learning (a constant or coarse one) cannot be called stuck.
    const stuckRun = this.states.map((st) =>
      Number.isFinite(this.opts.stuck) && st.maxRun < per / 4 ? Math.max(this.opts.stuck, 2 * st.maxRun + 1) : 0,
    );
    const season = Number.isFinite(this.opts.season) ? this.states.map((st) => findSeason(learnedValues(st, per)) ?? null) : undefined;
    this.ctx = Number.isFinite(this.opts.context) ? this.states.map((st) => ContextNovelty.learn(learnedValues(st, per))) : [];
    const slow = this.states.map((st) => lag1(learnedValues(st, per)) >= SLOW_ACF);
    const k = this.states.length;
    const zv = new Float64Array(n * k);
    for (let r = 0; r < n; r++)
      for (let s = 0; s < k; s++) zv[r * k + s] = (this.learnRows[r * F + s * FEATURES_PER_SIGNAL]! - mean[s]!) / spread[s]!;
    const relation = fitRelations(zv, n, k);
    const rows = [];
    for (let r = 0; r < n; r++) rows.push({ params: pca, x: Float32Array.from(this.learnRows.subarray(r * F, (r + 1) * F)) });
    const { scores } = await runner.score(rows);
    const fb = new Float64Array(n);
    for (let r = 0; r < n; r++) fb[r] = fallbackOf(this.learnRows, r * F, this.states.length, mean, spread);
    // Thresholds live on the likelihood scale: run the learning scores through it in order (this also warms it).
    this.lik = new ScoreLikelihood();
    this.fbLik = new ScoreLikelihood();
    const ls = Float64Array.from(
      scores,
      (v) => (this.sm = smoothStep(this.sm, this.opts.likelihood ? this.lik.update(v) : v, this.opts.smooth)),
    );
    const lf = Float64Array.from(
      fb,
      (v) => (this.fbSm = smoothStep(this.fbSm, this.opts.likelihood ? this.fbLik.update(v) : v, this.opts.smooth)),
    );
    const skip = Math.min(n - 1, Math.floor(this.opts.tailSkip * n));
    this.modelThr = SpotThreshold.fit(skip > 0 ? ls.subarray(skip) : ls, this.riskQ, this.tuning.threshold);
    this.fbThr = SpotThreshold.fit(skip > 0 ? lf.subarray(skip) : lf, this.riskQ);
    const b: Baseline = {
      v: 1,
      asset: this.asset,
      signals: [...this.window.signals],
      learnedAt: Date.now(),
      samples: n,
      model: modelId,
      pca,
      mean,
      spread,
      lo: this.states.map((st) => st.lo),
      hi: this.states.map((st) => st.hi),
      stuckRun,
      season,
      slow,
      relation,
      context: this.ctx.length ? this.ctx.map((c) => c?.state ?? null) : undefined,
      likelihood: this.lik.state,
      modelThreshold: this.modelThr.state,
      fallbackThreshold: this.fbThr.state,
    };
    this.baseline = b;
    this.x = new Float32Array(F);
    this.learnRows = new Float64Array(0);
    this.phase = 'detecting';
    return b;
  }

  /** Writes the current feature vector into `this.x` (model input). */
  vector(): Float32Array {
    for (let s = 0; s < this.states.length; s++) this.states[s]!.write(this.x, s * FEATURES_PER_SIGNAL);
    return this.x;
  }

  /** The cheap fallback score: the largest |z| of any signal's raw value. */
  fallbackScore(): number {
    const b = this.baseline!;
    let m = 0;
    for (let s = 0; s < this.states.length; s++) {
      const z = Math.abs(this.states[s]!.last - b.mean[s]!) / b.spread[s]!;
      if (z > m) m = z;
    }
    return m;
  }

  /**
   * Turns a score into a decision. `z` is the model's standardised feature
   * vector for this row (or undefined for the fallback); evidence and diagnosis
   * are only built for anomalies.
   */
  decide(
    raw: number,
    source: 'model' | 'fallback',
    ts: number,
    latencyUs: number,
    missed: boolean,
    z: Float32Array | undefined,
    zOff: number,
    arrivalNow: number,
  ): Decision {
    const thr = source === 'model' ? this.modelThr! : this.fbThr!;
    const threshold = thr.value;
    let score = this.opts.likelihood ? (source === 'model' ? this.lik : this.fbLik).update(raw) : raw;
    if (source === 'model') score = this.sm = smoothStep(this.sm, score, this.opts.smooth);
    else score = this.fbSm = smoothStep(this.fbSm, score, this.opts.smooth);
    const own = score;
    let nov = 0;
    let novSignal = 0;
    for (let s = 0; s < this.states.length; s++) {
      if (this.states[s]!.novelty > nov) {
        nov = this.states[s]!.novelty;
        novSignal = s;
      }
    }
    // The largest rule score, and which rule and signal gave it (the evidence names it when it beats the model).
    let rule = 0;
    let kind: RuleHit['kind'] = 'range';
    let at = 0;
    if (nov > this.opts.novelty) [rule, at] = [threshold * (1 + nov), novSignal];
    const sea = seasonNovelty(this.states, this.baseline?.season, ruleAt);
    if (sea > this.opts.season && threshold * (1 + sea) > rule) [rule, kind, at] = [threshold * (1 + sea), 'season', ruleAt.s];
    for (let s = 0; s < this.ctx.length; s++) {
      const frac = this.ctx[s]?.push(this.states[s]!.last) ?? 0;
      if (frac >= this.opts.context && threshold * (1 + frac) > rule) [rule, kind, at] = [threshold * (1 + frac), 'context', s];
    }
    const stuck = stuckness(this.states, this.baseline?.stuckRun, ruleAt);
    if (stuck >= 1 && threshold * (1 + stuck) > rule) [rule, kind, at] = [threshold * (1 + stuck), 'stuck', ruleAt.s];
    const hit: RuleHit | undefined = rule > score ? { kind, signal: at } : undefined;
    score = Math.max(score, rule);
    if (this.quiet > 0) {
      this.quiet--;
      score = 0;
    }
    const anomalous = score >= threshold;
    this.episode.step(score, threshold, anomalous);
    if (!anomalous && source === 'model' && (this.opts.adapt > 0 || this.opts.adaptSlow > 0)) this.follow();
    // The refractory is in learning lengths; a learning length is `samples` scans (one decision each).
    if (anomalous) this.quiet = Math.round(this.opts.refractory * (this.baseline?.samples ?? 0));
    // The threshold's tail keeps learning from the score it thresholds, before rules and refractory: with the
    // likelihood, that includes the rows a refractory silences (its zeros say nothing about the likelihood's
    // tail). Without it, `own` equals `score` on every normal decision.
    if (this.opts.likelihood ? own < threshold : !anomalous) thr.observeNormal(own);
    const d: Decision = {
      asset: this.asset,
      ts,
      // Set by the pipeline (in the literal so every decision has one shape).
      scan: 0,
      phase: 'detecting',
      score,
      threshold,
      anomalous,
      source,
      latencyUs,
      scanUs: 0,
      deadlineMissed: missed,
    };
    if (anomalous) {
      const w = this.window;
      explainDecision(
        { baseline: this.baseline!, states: this.states, isStale: (s) => w.isStale(s, arrivalNow), episode: this.episode },
        d,
        z,
        zOff,
        hit,
      );
    }
    return d;
  }

  /** Moves the learned feature means a little toward the current (normal) feature vector. */
  private follow(): void {
    const b = this.baseline!;
    const p = b.pca;
    const a = this.opts.adapt;
    for (let f = 0; f < p.F; f++) p.mu[f]! += a * (this.x[f]! - p.mu[f]!);
    // Slow (integrating) signals wander beyond what learning saw: their level follows faster. Only on
    // normal samples, like everything else, so an anomaly keeps being flagged for as long as it lasts.
    const fast = this.opts.adaptSlow;
    if (!b.slow || !(fast > 0)) return;
    for (let s = 0; s < this.states.length; s++) {
      if (!b.slow[s]) continue;
      const o = s * FEATURES_PER_SIGNAL;
      p.mu[o]! += fast * (this.x[o]! - p.mu[o]!);
      p.mu[o + 1]! += fast * (this.x[o + 1]! - p.mu[o + 1]!);
    }
  }
}

/** One EWMA step (NaN state = first value). */
function smoothStep(prev: number, x: number, a: number): number {
  return Number.isNaN(prev) || a >= 1 ? x : prev + a * (x - prev);
}

function fallbackOf(rows: Float64Array, off: number, k: number, mean: number[], spread: number[]): number {
  let m = 0;
  for (let s = 0; s < k; s++) {
    const z = Math.abs(rows[off + s * FEATURES_PER_SIGNAL]! - mean[s]!) / spread[s]!;
    if (z > m) m = z;
  }
  return m;
}
