/**
 * Nested leave-one-group-out cross-validation: the estimate of how a detector
 * whose constants are chosen on data scores on data nobody chose them on.
 *
 * For every group (a SKAB file, a NAB folder) the candidate configuration is
 * chosen by `select` on the OTHER groups only, then scored on the held-out
 * group. The reported figure is the held-out score, so a constant that only
 * fits one file cannot lift it. Candidates are replayed once per file by the
 * caller (results are cached there); this module only does the bookkeeping,
 * which makes it cheap to nest.
 */
import { EdgeError } from '../errors.js';

/** One held-out fold: which candidate the training groups chose, and what it scored on the held-out group. */
export interface CvFold<R> {
  group: string;
  /** Index of the chosen candidate. */
  chosen: number;
  /** Its selection score on the training groups. */
  trainScore: number;
  result: R;
}

/**
 * Runs nested leave-one-group-out over `groups` for `candidates` configurations.
 * `select(c, train)` scores candidate c on the training groups (higher is better; ties keep the
 * lower index, so list the simpler or default candidate first); `evaluate(c, test, train)` scores
 * it on the held-out group.
 */
export function nestedLeaveOneOut<R>(
  groups: readonly string[],
  candidates: number,
  select: (c: number, train: readonly string[]) => number,
  evaluate: (c: number, test: string, train: readonly string[]) => R,
): Array<CvFold<R>> {
  if (groups.length < 2) throw new EdgeError('E_USAGE', `cross-validation needs at least 2 groups, got ${groups.length}`);
  if (candidates < 1) throw new EdgeError('E_USAGE', 'cross-validation needs at least one candidate');
  return groups.map((test) => {
    const train = groups.filter((g) => g !== test);
    const { index, score } = best(candidates, (c) => select(c, train));
    return { group: test, chosen: index, trainScore: score, result: evaluate(index, test, train) };
  });
}

/** The index with the highest score (first on ties; NaN never wins). */
export function best(candidates: number, score: (c: number) => number): { index: number; score: number } {
  let index = 0;
  let top = -Infinity;
  for (let c = 0; c < candidates; c++) {
    const s = score(c);
    if (s > top) {
      top = s;
      index = c;
    }
  }
  return { index, score: top };
}

/** Mean and minimum/maximum of the finite values (NaN when there are none). */
export function summary(xs: readonly number[]): { mean: number; min: number; max: number; n: number } {
  const v = xs.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { mean: NaN, min: NaN, max: NaN, n: 0 };
  return { mean: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v), max: Math.max(...v), n: v.length };
}

/** How often each candidate was chosen across folds (name → count), for the report. */
export function choiceCounts(folds: ReadonlyArray<CvFold<unknown>>, names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of folds) {
    const n = names[f.chosen] ?? String(f.chosen);
    out[n] = (out[n] ?? 0) + 1;
  }
  return out;
}
