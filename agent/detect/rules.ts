/**
 * The detector's rules beside the learned model: each flags something the
 * PCA score cannot see from one feature vector (a frozen sensor, a missing
 * daily pattern), using only what the signal's own history and its learning
 * phase showed. Plus the learning-time statistics they need.
 */
import { HIST, type SignalState } from './features.js';
import type { Season } from './season.js';

/** The longest current run of identical values over its learned stuck length (>= 1 = stuck); 0 if no signal has the rule. `at.s` = that signal. */
export function stuckness(states: readonly SignalState[], runs: readonly number[] | undefined, at?: { s: number }): number {
  if (!runs) return 0;
  let m = 0;
  for (let s = 0; s < states.length; s++) {
    const k = runs[s] ?? 0;
    if (k > 0 && states[s]!.run / k > m) {
      m = states[s]!.run / k;
      if (at) at.s = s;
    }
  }
  return m;
}

/**
 * The largest seasonal novelty over the periodic signals: how far the difference to the value one
 * period ago exceeds every such difference seen (fraction of it; 0 if none). Grows each signal's
 * seen maximum, as the spatial range grows. `at.s` = the signal of the largest.
 */
export function seasonNovelty(
  states: readonly SignalState[],
  seasons: ReadonlyArray<Season | null> | undefined,
  at?: { s: number },
): number {
  if (!seasons) return 0;
  let m = 0;
  for (let s = 0; s < states.length; s++) {
    const se = seasons[s];
    if (!se) continue;
    const st = states[s]!;
    const d = Math.abs(st.last - st.ago(se.lag));
    if (!Number.isFinite(d)) continue;
    const nov = (d - se.maxDiff) / se.maxDiff;
    if (nov > m) {
      m = nov;
      if (at) at.s = s;
    }
    if (d > se.maxDiff) se.maxDiff = d;
  }
  return m;
}

/** The last `count` values of a signal (at most its history), oldest first: its learning values at fit time. */
export function learnedValues(st: SignalState, count: number): Float64Array {
  const m = Math.max(0, Math.min(Math.floor(count), st.n, HIST));
  const out = new Float64Array(m);
  for (let j = 0; j < m; j++) out[j] = st.hist[(st.n - m + j) % HIST]!;
  return out;
}

/** Lag-1 autocorrelation of a series (0 if constant): near 1 for a slow, integrating signal. */
export function lag1(v: Float64Array): number {
  const n = v.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += v[i]! / n;
  let c0 = 0;
  let c1 = 0;
  for (let i = 0; i < n; i++) c0 += (v[i]! - m) ** 2;
  for (let i = 1; i < n; i++) c1 += (v[i]! - m) * (v[i - 1]! - m);
  // Relative floor: a constant's float residue is not variance.
  return c0 > 1e-12 * n * (m * m + 1) ? c1 / c0 : 0;
}
