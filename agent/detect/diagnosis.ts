import type { Pattern } from '../types.js';

/** What the diagnosis needs to know about one signal. */
export interface SignalView {
  /** Recent values, oldest first. */
  recent: Float64Array;
  n: number;
  baseline: number;
  spread: number;
  /** No sample within the staleness limit. */
  stale: boolean;
}

const scratch = new Float64Array(64);

/**
 * Names the pattern of an anomaly on one signal from its recent history
 * against its learned baseline. Rules in order of specificity: dropout,
 * stuck, spike, oscillation, variance change, then level shift vs drift
 * (step model vs linear model, whichever explains the recent window better).
 */
export function classify(v: SignalView): { pattern: Pattern; confidence: number } {
  const { recent: r, n, baseline: b, spread: s } = v;
  if (v.stale) return { pattern: 'dropout', confidence: 0.9 };
  if (n < 4) return { pattern: 'unknown', confidence: 0 };
  const last = r[n - 1]!;
  const sp = Math.max(s, 1e-9);
  if (Math.abs(b) > 3 * sp && Math.abs(last) < 0.05 * Math.abs(b)) return { pattern: 'dropout', confidence: 0.8 };
  const tail = Math.min(8, n);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = n - tail; i < n; i++) {
    lo = Math.min(lo, r[i]!);
    hi = Math.max(hi, r[i]!);
  }
  if (tail >= 6 && hi - lo <= 1e-9 * Math.max(1, Math.abs(last)) && s > 0) return { pattern: 'stuck', confidence: 0.9 };
  const zLast = Math.abs(last - b) / sp;
  if (n >= 6) {
    // A spike is one or two wild samples among calm ones, wherever they sit in the last few
    // (an alert is re-diagnosed a few samples after the spike, while its features still glow).
    const k = Math.min(32, n);
    let wild = 0;
    let calm = 0;
    let zMax = 0;
    for (let i = n - k; i < n; i++) {
      const z = Math.abs(r[i]! - b) / sp;
      if (z > 4) wild++;
      else if (z < 3) calm++;
      if (z > zMax) zMax = z;
    }
    if (wild >= 1 && wild <= 2 && calm >= k - wild - 1) return { pattern: 'spike', confidence: Math.min(1, zMax / 10) };
  }
  const w = Math.min(32, n);
  const start = n - w;
  let mean = 0;
  for (let i = start; i < n; i++) mean += r[i]! / w;
  let varr = 0;
  for (let i = start; i < n; i++) varr += (r[i]! - mean) ** 2 / w;
  const std = Math.sqrt(varr);
  if (w >= 16 && std > 2 * sp) {
    // Detrend first: a ramp or a step is autocorrelated at every lag but does not swing.
    const d = detrend(r, start, n);
    let dv = 0;
    for (let i = 0; i < w; i++) dv += d[i]! ** 2 / w;
    let crossings = 0;
    for (let i = 1; i < w; i++) if (Math.sign(d[i]!) !== Math.sign(d[i - 1]!)) crossings++;
    const ac = maxAutocorr(d, 0, w, 0, dv);
    if (ac > 0.5 && crossings >= 4 && Math.sqrt(dv) > 1.5 * sp) return { pattern: 'oscillation', confidence: ac };
  }
  const meanShift = Math.abs(mean - b) / sp;
  // A shift keeps to one side of normal: recent samples away from normal on both sides are a variance
  // change, and recent samples all away on one side are a shift (however the longer window's spread reads).
  let up = 0;
  let down = 0;
  for (let i = Math.max(0, n - 8); i < n; i++) {
    const z = (r[i]! - b) / sp;
    if (z >= 2) up++;
    else if (z <= -2) down++;
  }
  const oneSided = Math.min(up, down) === 0 && Math.max(up, down) >= 3;
  if (!oneSided && (std > 2.5 * sp || std < 0.3 * sp) && meanShift < 2) return { pattern: 'variance_change', confidence: 0.7 };
  if (w >= 8) {
    if (Math.min(up, down) >= 2) return { pattern: 'variance_change', confidence: 0.6 };
    const stepErr = bestStepError(r, start, n);
    // A drift that began inside the window is flat, then a ramp (a hinge); one that began earlier is a line.
    const lineErr = Math.min(linearError(r, start, n), bestHingeError(r, start, n));
    if (lineErr < stepErr * 0.8) return { pattern: 'drift', confidence: 0.7 };
    return { pattern: 'level_shift', confidence: 0.7 };
  }
  return { pattern: zLast > 4 ? 'spike' : 'unknown', confidence: 0.3 };
}

const detrended = new Float64Array(64);

/** Least-squares line through r[start..end) against the index 0..w-1. */
function lineFit(r: Float64Array, start: number, end: number): { slope: number; icpt: number } {
  const w = end - start;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < w; i++) {
    const y = r[start + i]!;
    sx += i;
    sy += y;
    sxx += i * i;
    sxy += i * y;
  }
  const den = w * sxx - sx * sx;
  const slope = den === 0 ? 0 : (w * sxy - sx * sy) / den;
  const icpt = (sy - slope * sx) / w;
  return { slope, icpt };
}

/** The window minus its least-squares line (into a shared scratch array, index 0 = start). */
function detrend(r: Float64Array, start: number, end: number): Float64Array {
  const w = end - start;
  const { slope, icpt } = lineFit(r, start, end);
  for (let i = 0; i < w; i++) detrended[i] = r[start + i]! - (icpt + slope * i);
  return detrended;
}

/** Largest normalised autocorrelation over lags 2..w/2. */
function maxAutocorr(r: Float64Array, start: number, end: number, mean: number, varr: number): number {
  const w = end - start;
  if (varr <= 0) return 0;
  let best = 0;
  for (let lag = 2; lag <= w / 2; lag++) {
    let c = 0;
    for (let i = start; i + lag < end; i++) c += (r[i]! - mean) * (r[i + lag]! - mean);
    c /= (w - lag) * varr;
    if (c > best) best = c;
  }
  return best;
}

/** Residual sum of squares of the best two-mean step model. */
function bestStepError(r: Float64Array, start: number, end: number): number {
  const w = end - start;
  const cum = scratch;
  let acc = 0;
  for (let i = 0; i < w; i++) cum[i] = acc += r[start + i]!;
  let sq = 0;
  for (let i = start; i < end; i++) sq += r[i]! ** 2;
  let best = Infinity;
  for (let k = 2; k <= w - 2; k++) {
    const s1 = cum[k - 1]!;
    const s2 = acc - s1;
    const err = sq - (s1 * s1) / k - (s2 * s2) / (w - k);
    if (err < best) best = err;
  }
  return best;
}

/** Residual sum of squares of the best flat-then-ramp model (continuous at the hinge), hinge at 2..w-3. */
function bestHingeError(r: Float64Array, start: number, end: number): number {
  const w = end - start;
  let best = Infinity;
  for (let k = 2; k <= w - 3; k++) {
    // y = a + s * max(0, i - k): least squares in (a, s).
    let n0 = 0;
    let sy = 0;
    let sh = 0;
    let shh = 0;
    let shy = 0;
    for (let i = 0; i < w; i++) {
      const h = Math.max(0, i - k);
      const y = r[start + i]!;
      n0++;
      sy += y;
      sh += h;
      shh += h * h;
      shy += h * y;
    }
    const den = n0 * shh - sh * sh;
    if (den <= 0) continue;
    const sl = (n0 * shy - sh * sy) / den;
    const a = (sy - sl * sh) / n0;
    let err = 0;
    for (let i = 0; i < w; i++) err += (r[start + i]! - (a + sl * Math.max(0, i - k))) ** 2;
    if (err < best) best = err;
  }
  return best;
}

/** Residual sum of squares of a least-squares line. */
function linearError(r: Float64Array, start: number, end: number): number {
  const w = end - start;
  const { slope, icpt } = lineFit(r, start, end);
  let err = 0;
  for (let i = 0; i < w; i++) err += (r[start + i]! - (icpt + slope * i)) ** 2;
  return err;
}
