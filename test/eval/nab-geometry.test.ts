/**
 * NAB scoring rules on tiny crafted files, against values computed by hand
 * from NAB's formulas (sigmoid(x) = 1/(1+e^-x), scaledSigmoid(x) =
 * 2*sigmoid(-5x) - 1, maxTP = scaledSigmoid(-1) = 0.98661...).
 */
import { describe, expect, it } from 'vitest';
import { isEdgeError } from '../../agent/errors.js';
import { NAB_MAX_TP, nabFileGeometry, nabProbationLength, nabScaledSigmoid, nabWindowRanges } from '../../agent/eval/nab-geometry.js';
import { agentStandard, nabScoreDetections, nabSweep } from '../../agent/eval/nab-score.js';

const MIN = 60_000;
const STD = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };
/** 20 one-minute rows, one window over rows 10..14 (W = 5); probation = floor(0.15*20) = 3. */
const ts = Array.from({ length: 20 }, (_, i) => i * MIN);
const win = [{ start: 10 * MIN, end: 14 * MIN }];

describe('NAB geometry', () => {
  it('probation is min(floor(0.15 N), 750)', () => {
    expect(nabProbationLength(20)).toBe(3);
    expect(nabProbationLength(4000)).toBe(600);
    expect(nabProbationLength(5001)).toBe(750);
    expect(nabProbationLength(22695)).toBe(750);
  });

  it('scaled sigmoid: left edge 0.98661, right edge 0, -1 from 3 on', () => {
    expect(NAB_MAX_TP).toBeCloseTo(0.9866142981514305, 15);
    expect(nabScaledSigmoid(0)).toBe(0);
    expect(nabScaledSigmoid(3)).toBe(-1);
    expect(nabScaledSigmoid(2.9)).toBeGreaterThan(-1);
  });

  it('row weights: first window row = tp, decays across, FP weight by distance past the window', () => {
    const g = nabFileGeometry('f', ts, win);
    expect(g.windows).toEqual([{ left: 10, right: 14 }]);
    expect(g.probation).toBe(3);
    expect(g.windowOf[9]).toBe(-1);
    expect(g.windowOf[12]).toBe(0);
    expect((g.unit[10] as number) / NAB_MAX_TP).toBeCloseTo(1, 15);
    expect((g.unit[12] as number) / NAB_MAX_TP).toBeCloseTo(0.9174286804284079, 12);
    expect((g.unit[14] as number) / NAB_MAX_TP).toBeCloseTo(0.46838684390227814, 12);
    expect(g.unit[5]).toBe(-1);
    // row 15: |14 - 15| / (5 - 1) = 0.25
    expect(g.unit[15]).toBeCloseTo(-0.06100596945843206 / 0.11, 12);
  });

  it('a repeated end timestamp leaves the copy outside the window (NAB: timestamps.index(end))', () => {
    const dup = [0, 1, 2, 3, 3, 4, 5].map((m) => m * MIN);
    const [r] = nabWindowRanges(dup, [{ start: MIN, end: 3 * MIN }]);
    expect(r).toEqual({ left: 1, right: 3 });
    const g = nabFileGeometry('dup', dup, [{ start: MIN, end: 3 * MIN }]);
    // row 4: |3 - 4| / (3 - 1) = 0.5
    expect(g.unit[4]).toBeCloseTo(-0.8482836399575129, 12);
  });

  it('a window that holds no row is a usage error', () => {
    let caught: unknown;
    try {
      nabWindowRanges(ts, [{ start: 100 * MIN, end: 101 * MIN }]);
    } catch (err) {
      caught = err;
    }
    expect(isEdgeError(caught, 'E_USAGE')).toBe(true);
  });
});

describe('NAB scoring of crafted files', () => {
  it('fixed detections: probation ignored, first detection in a window counts, FPs weighted', () => {
    const det = new Array<number>(20).fill(0);
    for (const i of [1, 5, 12, 13, 15]) det[i] = 1;
    const r = nabScoreDetections([{ key: 'f', timestamps: ts, windows: win, detections: det }], STD);
    // -0.11 (row 5) + 0.917428... (row 12) - 0.061005... (row 15); row 1 is probationary, row 13 adds nothing.
    expect(r.raw).toBeCloseTo(0.7464227109699758, 12);
    expect(r.normalized).toBeCloseTo(87.32113554849879, 9);
    expect(r).toMatchObject({ tpWindows: 1, fnWindows: 0, fpRows: 2, perfect: 1, nullScore: -1, threshold: null });
    expect(agentStandard([{ key: 'f', timestamps: ts, windows: win, detections: det }], { standard: STD }).raw).toBe(r.raw);
  });

  it('no detection scores the null baseline; a window inside the probation is not counted missed', () => {
    const none = new Array<number>(20).fill(0);
    expect(nabScoreDetections([{ key: 'f', timestamps: ts, windows: win, detections: none }], STD)).toMatchObject({
      raw: -1,
      normalized: 0,
    });
    const early = [{ start: 0, end: 2 * MIN }];
    const r = nabScoreDetections([{ key: 'f', timestamps: ts, windows: early, detections: none }], STD);
    expect(r).toMatchObject({ raw: 0, windows: 1, scoredWindows: 0, nullScore: 0, perfect: 1 });
  });

  it('sweep picks the best distinct score, and the highest threshold among ties', () => {
    const s = new Array<number>(20).fill(0);
    s[5] = 0.95; // FP before the window
    s[12] = 0.9; // TP
    s[13] = 0.8; // same window, later: ties with 0.9
    s[16] = 0.5; // FP after the window: worse
    const r = nabSweep([{ key: 'f', timestamps: ts, windows: win, scores: s }], STD);
    expect(r.threshold).toBe(0.9);
    expect(r.raw).toBeCloseTo(0.8074286804284079, 12);
    expect(r.normalized).toBeCloseTo(90.3714340214204, 9);
    expect(r).toMatchObject({ tpWindows: 1, fpRows: 1 });
  });

  it('sweep keeps "detect nothing" (threshold 1.1) when every detection costs', () => {
    const s = new Array<number>(20).fill(0);
    s[5] = 0.7;
    const r = nabSweep([{ key: 'f', timestamps: ts, windows: [], scores: s }], STD);
    expect(r).toMatchObject({ threshold: 1.1, raw: 0, fpRows: 0 });
  });
});
