/**
 * The seasonal rule: a strongly periodic signal (a daily load curve) is
 * compared with itself one period ago. The period is found by
 * autocorrelation on the learning values only; the rule then flags a
 * period-difference larger than any seen so far (the seasonal twin of the
 * spatial-novelty rule), which catches a missing or shifted daily pattern
 * whose values all stay inside the normal range.
 */

/** The learned period of one signal and the largest |x(t) - x(t - lag)| seen (grows with normal samples). */
export interface Season {
  lag: number;
  maxDiff: number;
}

/** A period must explain this much of the variance (autocorrelation at the lag)... */
const MIN_ACF = 0.7;
/** ...and the signal must swing in between (autocorrelation below this somewhere before the lag), so a slow drift is not a "season". */
const MAX_TROUGH = 0;
/** Shortest period considered (samples). */
const MIN_LAG = 4;

/**
 * Finds the dominant period of `v` (oldest first) or undefined if the signal
 * is not clearly periodic. Needs at least two periods of data.
 */
export function findSeason(v: Float64Array): Season | undefined {
  const n = v.length;
  if (n < 4 * MIN_LAG) return undefined;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += v[i]! / n;
  let varr = 0;
  for (let i = 0; i < n; i++) varr += (v[i]! - mean) ** 2;
  if (!(varr > 0)) return undefined;
  const half = Math.floor(n / 2);
  const acf = new Float64Array(half + 2);
  for (let k = 1; k <= half; k++) {
    let c = 0;
    for (let i = k; i < n; i++) c += (v[i]! - mean) * (v[i - k]! - mean);
    acf[k] = (c / varr) * (n / (n - k));
  }
  // The lag with the highest autocorrelation once the signal has swung below MAX_TROUGH (a multiple of the period is as good a twin).
  let trough = Infinity;
  let best = 0;
  let lag = 0;
  for (let k = 1; k <= half; k++) {
    trough = Math.min(trough, acf[k]!);
    if (k >= MIN_LAG && trough < MAX_TROUGH && acf[k]! > best) {
      best = acf[k]!;
      lag = k;
    }
  }
  if (lag === 0 || best < MIN_ACF) return undefined;
  let maxDiff = 0;
  for (let i = lag; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(v[i]! - v[i - lag]!));
  return maxDiff > 0 ? { lag, maxDiff } : undefined;
}
