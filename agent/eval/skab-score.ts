/**
 * SKAB's two scores, as SKAB's own evaluation computes them (waico/SKAB
 * `core/metrics.py chp_score`, taken from waico/tsad):
 *
 * 1. Outlier detection, metric 'binary': over the test rows of all files
 *    concatenated, F1 = TP / (TP + (FP + FN)/2), FAR = FP/(FP + TN),
 *    MAR = FN/(FN + TP) (SKAB prints FAR/MAR in % rounded to 2 places; these
 *    functions return them unrounded).
 *
 * 2. Changepoint detection, metric 'nab', called by SKAB as
 *    `chp_score(true_cp, predicted_cp, metric='nab', window_width='60s',
 *    anomaly_window_destination='righter')` with the defaults
 *    intersection_mode='cut right window', clear_anomalies_mode=True,
 *    scale_func='improved', scale_koef=1. The exact rule implemented here:
 *    - predicted changepoints: pred_cp = |diff(pred)|, pred_cp[0] = pred[0];
 *    - each true changepoint at time t gets the detection window [t, t+60 s];
 *      when a window's end >= the next window's start, the next window starts
 *      at that end ('cut right window', applied left to right);
 *    - a predicted changepoint in [start, end] (both inclusive) of a window
 *      makes it a TP scored by the FIRST such prediction; a window without
 *      one is a FN; every prediction before the first window, strictly
 *      between windows, or after the last one is a FP;
 *    - TP score: event = trunc((t_pred - start) / (end - start) * 1000),
 *      capped at 999; x = linspace(-pi/2, pi/2, 1000)[event];
 *      score = (A_tp - A_fp)/2 * -tanh(x)/tanh(pi/2) + (A_tp - A_fp)/2 + A_fp
 *      (A_tp at the window start falling to A_fp at its end);
 *    - per file S = A_fp*#FP + A_fn*#FN + sum(TP scores),
 *      S_null = windows*A_fn, S_perfect = windows*A_tp, all summed over files;
 *      result = 100*(S - S_null)/(S_perfect - S_null).
 *    Profiles (A_tp, A_fp, A_fn): standard (1, -0.11, -1), lowFP
 *    (1, -0.22, -1), lowFN (1, -0.11, -2).
 */
import { EdgeError } from '../errors.js';

/** Row counts of a binary outlier evaluation. */
export interface SkabConfusion {
  tp: number;
  tn: number;
  fp: number;
  fn: number;
}

/** SKAB's binary metrics (NaN where a denominator is 0). */
export interface SkabBinaryResult extends SkabConfusion {
  f1: number;
  /** False alarm rate in percent: 100 * FP / (FP + TN). */
  farPct: number;
  /** Missing alarm rate in percent: 100 * FN / (FN + TP). */
  marPct: number;
}

/** One file's test part: truth (0/1) and decisions (truthy = anomaly), row for row. */
export interface SkabBinaryPart {
  truth: ArrayLike<number>;
  pred: ArrayLike<number | boolean>;
}

/** F1 / FAR / MAR over all parts' rows concatenated. */
export function skabBinary(parts: readonly SkabBinaryPart[]): SkabBinaryResult {
  const c: SkabConfusion = { tp: 0, tn: 0, fp: 0, fn: 0 };
  for (const [n, p] of parts.entries()) {
    if (p.truth.length !== p.pred.length)
      throw new EdgeError('E_USAGE', `part ${n}: ${p.truth.length} labels but ${p.pred.length} predictions`);
    for (let i = 0; i < p.truth.length; i++) {
      const t = p.truth[i] === 1;
      const d = Boolean(p.pred[i]);
      if (t && d) c.tp++;
      else if (t) c.fn++;
      else if (d) c.fp++;
      else c.tn++;
    }
  }
  return {
    ...c,
    f1: c.tp / (c.tp + (c.fp + c.fn) / 2),
    farPct: (100 * c.fp) / (c.fp + c.tn),
    marPct: (100 * c.fn) / (c.fn + c.tp),
  };
}

/** SKAB's predicted changepoints from 0/1 decisions: |diff|, first row = first decision. */
export function skabChangepoints(pred: ArrayLike<number | boolean>): Uint8Array {
  const out = new Uint8Array(pred.length);
  for (let i = 0; i < pred.length; i++) {
    const cur = pred[i] ? 1 : 0;
    const prev = i === 0 ? 0 : pred[i - 1] ? 1 : 0;
    out[i] = Math.abs(cur - prev);
  }
  return out;
}

/** One NAB-changepoint profile, in SKAB's signed form (A_fp, A_fn < 0). */
export interface SkabNabProfile {
  aTp: number;
  aFp: number;
  aFn: number;
}

/** SKAB's default `table_of_coef`. */
export const SKAB_NAB_PROFILES = {
  standard: { aTp: 1, aFp: -0.11, aFn: -1 },
  lowFP: { aTp: 1, aFp: -0.22, aFn: -1 },
  lowFN: { aTp: 1, aFp: -0.11, aFn: -2 },
} as const satisfies Record<string, SkabNabProfile>;

export type SkabNabProfileName = keyof typeof SKAB_NAB_PROFILES;

/** SKAB's NAB window width (`window_width='60s'`). */
export const SKAB_NAB_WINDOW_MS = 60_000;

const DETAIL = 1000;

/** tsad's 'improved' scale function at a relative position in [0, 1] of a window. */
export function skabNabScale(fraction: number, p: SkabNabProfile): number {
  const event = Math.min(Math.trunc(fraction * DETAIL), DETAIL - 1);
  // numpy linspace: start + k*step, with the last point set exactly to stop.
  const x = event === DETAIL - 1 ? Math.PI / 2 : event * (Math.PI / (DETAIL - 1)) - Math.PI / 2;
  const half = (p.aTp - p.aFp) / 2;
  return (half * -1 * Math.tanh(x)) / Math.tanh(Math.PI / 2) + half + p.aFp;
}

/** One file's test part for the changepoint NAB score. */
export interface SkabNabPart {
  ts: ArrayLike<number>;
  trueCp: ArrayLike<number>;
  predCp: ArrayLike<number | boolean>;
}

/** Detection windows [start, end] (ms) of one file, after 'cut right window'. */
export function skabNabWindows(
  ts: ArrayLike<number>,
  trueCp: ArrayLike<number>,
  windowMs: number = SKAB_NAB_WINDOW_MS,
): [number, number][] {
  const wins: [number, number][] = [];
  for (let i = 0; i < ts.length; i++) if (trueCp[i] === 1) wins.push([ts[i] as number, (ts[i] as number) + windowMs]);
  for (let i = 0; i + 1 < wins.length; i++) {
    const a = wins[i] as [number, number];
    const b = wins[i + 1] as [number, number];
    if (a[1] >= b[0]) b[0] = a[1];
  }
  return wins;
}

/** Per-profile outcome of the changepoint NAB score. */
export interface SkabNabResult {
  /** Normalised scores, 0 = null detector, 100 = perfect. */
  standard: number;
  lowFP: number;
  lowFN: number;
  /** Raw, null and perfect sums per profile. */
  detail: Record<SkabNabProfileName, { score: number; nullScore: number; perfect: number }>;
  windows: number;
  tpWindows: number;
  fnWindows: number;
  fpCount: number;
}

/** SKAB's changepoint NAB score over all parts (files' test parts). */
export function skabNab(parts: readonly SkabNabPart[], windowMs: number = SKAB_NAB_WINDOW_MS): SkabNabResult {
  let windows = 0;
  let fpCount = 0;
  let fnWindows = 0;
  const tpFractions: number[] = [];
  for (const [n, p] of parts.entries()) {
    if (p.ts.length !== p.trueCp.length || p.ts.length !== p.predCp.length)
      throw new EdgeError('E_USAGE', `part ${n}: ts/trueCp/predCp lengths differ`);
    const wins = skabNabWindows(p.ts, p.trueCp, windowMs);
    const preds: number[] = [];
    for (let i = 0; i < p.ts.length; i++) if (p.predCp[i]) preds.push(p.ts[i] as number);
    preds.sort((a, b) => a - b);
    windows += wins.length;
    if (wins.length === 0) {
      fpCount += preds.length;
      continue;
    }
    const first = wins[0] as [number, number];
    const last = wins[wins.length - 1] as [number, number];
    for (const t of preds) if (t < first[0] || t > last[1]) fpCount++;
    wins.forEach(([s, e], w) => {
      const hit = preds.find((t) => t >= s && t <= e);
      if (hit === undefined) fnWindows++;
      else tpFractions.push(e === s ? 0 : (hit - s) / (e - s));
      const next = wins[w + 1];
      if (next !== undefined) for (const t of preds) if (t > e && t < next[0]) fpCount++;
    });
  }
  const detail = {} as SkabNabResult['detail'];
  const norm = {} as Record<SkabNabProfileName, number>;
  for (const name of Object.keys(SKAB_NAB_PROFILES) as SkabNabProfileName[]) {
    const p = SKAB_NAB_PROFILES[name];
    let score = p.aFp * fpCount + p.aFn * fnWindows;
    for (const f of tpFractions) score += skabNabScale(f, p);
    const nullScore = windows * p.aFn;
    const perfect = windows * p.aTp;
    detail[name] = { score, nullScore, perfect };
    norm[name] = (100 * (score - nullScore)) / (perfect - nullScore);
  }
  return { ...norm, detail, windows, tpWindows: tpFractions.length, fnWindows, fpCount };
}
