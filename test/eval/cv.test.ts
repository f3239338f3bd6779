/**
 * Nested cross-validation bookkeeping: the held-out group never takes part in
 * choosing its own candidate or threshold. Hand-made inputs where looking at
 * the held-out group would change the answer.
 */
import { describe, expect, it } from 'vitest';
import { best, choiceCounts, nestedLeaveOneOut, summary } from '../../agent/eval/cv.js';
import { FAR_CAP, rates, skabCrossValidate, skabObjective, type SkabFileCounts } from '../../agent/eval/skab-cv.js';
import { nabCrossValidate, type NabFileRun } from '../../agent/eval/nab-cv.js';

describe('nested leave-one-group-out', () => {
  it('chooses on the other groups only', () => {
    // Candidate 1 is best on group "c" alone; 0 is best on the others taken together.
    const table: Record<string, number[]> = { a: [5, 1], b: [5, 1], c: [0, 9] };
    const folds = nestedLeaveOneOut(
      ['a', 'b', 'c'],
      2,
      (c, train) => train.reduce((s, g) => s + table[g]![c]!, 0),
      (c, test) => table[test]![c]!,
    );
    // Holding out c, the training groups a+b prefer 0 (10 vs 2), so c is scored with 0, not its own best.
    expect(folds.map((f) => [f.group, f.chosen, f.result])).toEqual([
      ['a', 1, 1],
      ['b', 1, 1],
      ['c', 0, 0],
    ]);
    expect(choiceCounts(folds, ['x', 'y'])).toEqual({ y: 2, x: 1 });
  });

  it('ties keep the first candidate; NaN never wins; one group is an error', () => {
    expect(best(3, () => 1).index).toBe(0);
    expect(best(2, (c) => (c === 0 ? NaN : -5)).index).toBe(1);
    expect(() =>
      nestedLeaveOneOut(
        ['only'],
        1,
        () => 0,
        () => 0,
      ),
    ).toThrow(/at least 2 groups/);
  });

  it('summary ignores non-finite values', () => {
    expect(summary([1, NaN, 3])).toEqual({ mean: 2, min: 1, max: 3, n: 2 });
    expect(summary([NaN]).n).toBe(0);
  });
});

const counts = (key: string, tp: number, fp: number, fn: number, tn: number, labelled = true): SkabFileCounts => ({
  key,
  labelled,
  tp,
  fp,
  fn,
  tn,
});

describe('SKAB leave-one-file-out', () => {
  it('rates: F1 = TP/(TP+(FP+FN)/2), FAR and MAR in percent, NaN without positives', () => {
    expect(rates({ tp: 6, fp: 2, fn: 2, tn: 8 })).toEqual({ f1: 0.75, far: 20, mar: 25 });
    expect(Number.isNaN(rates({ tp: 0, fp: 3, fn: 0, tn: 7 }).f1)).toBe(true);
  });

  it('the objective charges false alarms beyond the cap: always-alarm loses to a careful detector', () => {
    const always = [counts('f', 50, 50, 0, 0)];
    const careful = [counts('f', 40, 5, 10, 45)];
    // always: F1 = 50/75 = 0.667, FAR 100 %; careful: F1 = 40/47.5 = 0.842, FAR 10 % (under the cap, no charge).
    expect(skabObjective(always)).toBeCloseTo(2 / 3 - (1 - FAR_CAP), 10);
    expect(skabObjective(careful)).toBeCloseTo(40 / 47.5, 10);
  });

  it('scores each file with the candidate the other files chose, and reports mean and worst folds', () => {
    // Candidate 1 is perfect on f3 only and floods the anomaly-free file; candidate 0 is decent everywhere.
    const c0 = [counts('f1', 8, 1, 2, 9), counts('f2', 8, 1, 2, 9), counts('f3', 5, 1, 5, 9), counts('free', 0, 5, 0, 95, false)];
    const c1 = [counts('f1', 8, 1, 2, 9), counts('f2', 8, 1, 2, 9), counts('f3', 10, 0, 0, 10), counts('free', 0, 80, 0, 20, false)];
    const r = skabCrossValidate(['steady', 'greedy'], [c0, c1]);
    expect(r.folds).toBe(4);
    expect(r.perFold.map((p) => p.chosen)).toEqual(['steady', 'steady', 'steady', 'greedy']);
    // f3 is held out under "steady" (its own best, "greedy", cannot be chosen by looking at it).
    expect(r.perFold[2]!.f1).toBeCloseTo(5 / 8, 10);
    expect(r.worstF1).toBeCloseTo(5 / 8, 10);
    // The anomaly-free fold counts for FAR (80 % under "greedy", which the labelled files prefer) but not for F1.
    expect(r.worstFar).toBeCloseTo(80, 10);
    expect(r.meanF1).toBeCloseTo((0.8421052631578947 * 2 + 0.625) / 3, 6);
    expect(r.chosenOnAll).toBe('steady');
  });
});

describe('NAB leave-one-folder-out', () => {
  const standard = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };
  // 200 rows, 1 minute apart; probation = 30 rows; one window per labelled file.
  const ts = Array.from({ length: 200 }, (_, i) => Date.UTC(2020, 0, 1) + i * 60_000);
  const file = (key: string, group: string, peak: number, level: number): NabFileRun => {
    const scores = new Float64Array(200).fill(0.1);
    scores[peak] = level;
    return {
      key,
      group,
      timestamps: ts,
      windows: [{ start: ts[100]!, end: ts[120]! }],
      scores,
      detections: Uint8Array.from(scores, (s) => (s >= 0.5 ? 1 : 0)),
    };
  };

  it('cuts the held-out folder at the threshold the training folders chose', () => {
    // Folders A and B peak at 0.9 inside their window; folder C peaks at only 0.6 inside its window.
    // Held out, C is cut at the training threshold 0.9 and misses (its own sweep would pick 0.6).
    const run = [file('A/a.csv', 'A', 105, 0.9), file('B/b.csv', 'B', 105, 0.9), file('C/c.csv', 'C', 105, 0.6)];
    const r = nabCrossValidate(['only'], [run], standard);
    const c = r.perFold.find((p) => p.folder === 'C')!;
    expect(c.threshold).toBeCloseTo(0.9, 12);
    expect(c.tpWindows).toBe(0);
    expect(c.standard).toBeCloseTo(0, 10);
    // Its own decisions (>= 0.5) do catch it: the agent's score does not depend on any sweep.
    expect(c.agentTpWindows).toBe(1);
    expect(r.perFold.find((p) => p.folder === 'A')!.tpWindows).toBe(1);
  });
});
