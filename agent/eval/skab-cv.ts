/**
 * SKAB cross-validation by file: nested leave-one-file-out over per-file
 * confusion counts that the bench computed once per (candidate, file).
 *
 * Selection rule (on the training files only): the pooled F1 of the training
 * files, minus the pooled false-alarm rate beyond FAR_CAP. That is the
 * target's shape (F1 high with FAR ≤ 12 %) as one number; without the penalty
 * an always-alarming detector scores F1 0.70 on SKAB, whose test parts are
 * about half anomalous.
 */
import { best, nestedLeaveOneOut, summary, type CvFold } from './cv.js';
import type { SkabConfusion } from './skab-score.js';

/** False-alarm rate (fraction) beyond which the selection rule subtracts the excess from F1. */
export const FAR_CAP = 0.12;

/** One file's test part under one candidate. `labelled` is false for the anomaly-free file (no anomalies, FAR only). */
export interface SkabFileCounts extends SkabConfusion {
  key: string;
  labelled: boolean;
}

/** F1 / FAR / MAR of summed counts (FAR and MAR in percent, NaN where undefined). */
export function rates(c: SkabConfusion): { f1: number; far: number; mar: number } {
  const pos = c.tp + c.fn;
  return {
    f1: pos > 0 ? c.tp / (c.tp + (c.fp + c.fn) / 2) : NaN,
    far: c.fp + c.tn > 0 ? (100 * c.fp) / (c.fp + c.tn) : NaN,
    mar: pos > 0 ? (100 * c.fn) / pos : NaN,
  };
}

/** Sum of confusion counts. */
export function pool(parts: readonly SkabConfusion[]): SkabConfusion {
  const c = { tp: 0, tn: 0, fp: 0, fn: 0 };
  for (const p of parts) {
    c.tp += p.tp;
    c.tn += p.tn;
    c.fp += p.fp;
    c.fn += p.fn;
  }
  return c;
}

/** The selection objective of a set of files (see the file comment). */
export function skabObjective(files: readonly SkabFileCounts[]): number {
  const r = rates(pool(files));
  const far = Number.isFinite(r.far) ? r.far / 100 : 0;
  return (Number.isFinite(r.f1) ? r.f1 : 0) - Math.max(0, far - FAR_CAP);
}

/** The `cv` block of bench:skab's JSON line. */
export interface SkabCvReport {
  folds: number;
  meanF1: number;
  meanFar: number;
  meanMar: number;
  worstF1: number;
  worstFar: number;
  /** The held-out decisions of every fold scored together (SKAB's pooled rule). */
  pooled: { f1: number; far: number; mar: number };
  /** The candidate the selection rule picks on all files (what the daemon's default should be). */
  chosenOnAll: string;
  perFold: Array<{ file: string; chosen: string; f1: number; far: number; mar: number }>;
}

/**
 * Nested leave-one-file-out. `counts[c][f]` is candidate c on file f (same file order for every candidate).
 * Mean/worst F1 and MAR are over labelled files; FAR over every file (the anomaly-free one included).
 */
export function skabCrossValidate(names: readonly string[], counts: ReadonlyArray<readonly SkabFileCounts[]>): SkabCvReport {
  const keys = counts[0]!.map((f) => f.key);
  const byKey = counts.map((files) => new Map(files.map((f) => [f.key, f])));
  const pick = (c: number, ks: readonly string[]): SkabFileCounts[] => ks.map((k) => byKey[c]!.get(k)!);
  const folds: Array<CvFold<SkabFileCounts>> = nestedLeaveOneOut(
    keys,
    names.length,
    (c, train) => skabObjective(pick(c, train)),
    (c, test) => byKey[c]!.get(test)!,
  );
  const per = folds.map((f) => ({ file: f.group, chosen: names[f.chosen]!, labelled: f.result.labelled, ...rates(f.result) }));
  const lab = per.filter((p) => p.labelled);
  const f1 = summary(lab.map((p) => p.f1));
  const far = summary(per.map((p) => p.far));
  const all = best(names.length, (c) => skabObjective(counts[c]!));
  return {
    folds: folds.length,
    meanF1: f1.mean,
    meanFar: far.mean,
    meanMar: summary(lab.map((p) => p.mar)).mean,
    worstF1: f1.min,
    worstFar: far.max,
    pooled: rates(pool(folds.map((f) => f.result))),
    chosenOnAll: names[all.index]!,
    perFold: per.map(({ labelled: _l, ...p }) => p),
  };
}
