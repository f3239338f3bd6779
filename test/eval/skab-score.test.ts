/**
 * SKAB loaders and scores: crafted inputs with hand-computed values (the NAB
 * changepoint values were computed independently with numpy's linspace/tanh,
 * exactly as tsad's my_scale does), synthetic files in SKAB's format (always),
 * and the real valve1 files (when the datasets are present; SKAB is GPL-3.0
 * and never vendored).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSkabCorpus, parseSkab, SKAB_SENSORS, splitSkab, type SkabFile } from '../../agent/eval/skab-data.js';
import { SKAB_NAB_PROFILES, skabBinary, skabChangepoints, skabNab, skabNabScale, skabNabWindows } from '../../agent/eval/skab-score.js';
import { writeSyntheticSkab, type SyntheticSkab } from '../fixtures/skab-synth.js';
import { dataset, describeWithDataset } from '../helpers/datasets.js';

const SKAB = dataset('skab', 'valve1/14.csv');
const S = 1000;

describe('SKAB binary metrics', () => {
  it('F1, FAR, MAR over concatenated parts', () => {
    const one = skabBinary([{ truth: [0, 0, 1, 1, 1, 0], pred: [0, 1, 1, 1, 0, 0] }]);
    expect(one).toMatchObject({ tp: 2, tn: 2, fp: 1, fn: 1 });
    expect(one.f1).toBeCloseTo(2 / 3, 12);
    expect(one.farPct).toBeCloseTo(100 / 3, 12);
    expect(one.marPct).toBeCloseTo(100 / 3, 12);
    const two = skabBinary([
      { truth: [0, 0, 1, 1, 1, 0], pred: [0, 1, 1, 1, 0, 0] },
      { truth: [1, 0], pred: [true, false] },
    ]);
    expect(two).toMatchObject({ tp: 3, tn: 3, fp: 1, fn: 1, f1: 0.75, farPct: 25, marPct: 25 });
  });

  it('changepoints from decisions: |diff| with the first row kept', () => {
    expect(Array.from(skabChangepoints([0, 1, 1, 0, 1]))).toEqual([0, 1, 0, 1, 1]);
    expect(Array.from(skabChangepoints([1, 1, 0]))).toEqual([1, 0, 1]);
  });
});

describe('SKAB changepoint NAB', () => {
  it('scale: A_tp at the window start, A_fp at its end, numpy linspace in between', () => {
    const p = SKAB_NAB_PROFILES.standard;
    expect(skabNabScale(0, p)).toBeCloseTo(1, 12);
    expect(skabNabScale(1, p)).toBeCloseTo(-0.11, 12);
    expect(skabNabScale(0.5, p)).toBeCloseTo(0.44404850713138366, 12);
  });

  it("windows are [cp, cp+60 s], the right one cut to start at the left one's end", () => {
    const ts = Array.from({ length: 20 }, (_, i) => i * 10 * S);
    const cp = new Array<number>(20).fill(0);
    cp[2] = 1;
    cp[5] = 1;
    expect(skabNabWindows(ts, cp)).toEqual([
      [20 * S, 80 * S],
      [80 * S, 110 * S],
    ]);
  });

  it('scores TP by first prediction, FPs outside windows, FNs; summed over files', () => {
    // File A: rows every 10 s, true changepoints at 20 s and 50 s -> windows [20,80], [80,110].
    const tsA = Array.from({ length: 20 }, (_, i) => i * 10 * S);
    const cpA = new Array<number>(20).fill(0);
    cpA[2] = 1;
    cpA[5] = 1;
    const predA = new Array<number>(20).fill(0);
    predA[0] = 1; // 0 s: before the first window -> FP
    predA[4] = 1; // 40 s: TP of window 1 at (40-20)/60
    predA[8] = 1; // 80 s: inside window 1 (already hit) and first of window 2 -> TP at 0
    predA[15] = 1; // 150 s: after the last window -> FP
    // File B: no changepoint, one prediction -> FP. File C: one changepoint, no prediction -> FN.
    const tsB = [0, S, 2 * S];
    const r = skabNab([
      { ts: tsA, trueCp: cpA, predCp: predA },
      { ts: tsB, trueCp: [0, 0, 0], predCp: [0, 1, 0] },
      { ts: tsB, trueCp: [0, 1, 0], predCp: [0, 0, 0] },
    ]);
    expect(r).toMatchObject({ windows: 3, tpWindows: 2, fnWindows: 1, fpCount: 3 });
    expect(r.detail.standard.score).toBeCloseTo(0.40575038192299906, 12);
    expect(r.standard).toBeCloseTo(56.762506365383324, 9);
    expect(r.lowFP).toBeCloseTo(50.82605804723812, 9);
    expect(r.lowFN).toBeCloseTo(60.063893132477766, 9);
  });
});

describe("SKAB loader on synthetic files in SKAB's format", () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'es-skab-'));
  let truth: SyntheticSkab;
  let files: SkabFile[];
  let free: SkabFile | null;
  beforeAll(async () => {
    truth = writeSyntheticSkab(path.join(tmp, 'skab'), 3, 500);
    ({ files, anomalyFree: free } = await loadSkabCorpus(truth.root));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads every labelled file in numeric order with its rows, labels and CRLF line ends', () => {
    expect(files.map((f) => f.key)).toEqual(truth.keys);
    expect(files.map((f) => f.ts.length)).toEqual(truth.rowsPerFile);
    const first = files[0] as SkabFile;
    expect(first.ts[0]).toBe(Date.UTC(2020, 2, 9, 10, 14, 33));
    // Every 20th step is 2 s, as in SKAB.
    expect((first.ts[20] as number) - (first.ts[19] as number)).toBe(2000);
    expect(Object.keys(first.signals)).toEqual([...SKAB_SENSORS]);
    const sum = (f: (x: SkabFile) => Uint8Array | null): number => files.reduce((s, x) => s + (f(x)?.reduce((a, v) => a + v, 0) ?? NaN), 0);
    expect(sum((f) => f.anomaly)).toBe(truth.anomalies);
    expect(sum((f) => f.changepoint)).toBe(truth.changepoints);
    expect(first.anomaly?.indexOf(1)).toBe(truth.segmentStart[0]);
  });

  it('reads the anomaly-free file without label columns', () => {
    expect(free?.ts).toHaveLength(truth.anomalyFreeRows);
    expect(free?.anomaly).toBeNull();
    expect(free?.changepoint).toBeNull();
  });

  it('splits 400 rows train / rest test', () => {
    const { train, test } = splitSkab(files[0] as SkabFile);
    expect(train.ts).toHaveLength(400);
    expect(test.ts).toHaveLength(100);
    expect(test.signals['Current']?.[0]).toBe(files[0]?.signals['Current']?.[400]);
  });
});

describeWithDataset(SKAB, 'SKAB loader on the real valve1 files', () => {
  let files: SkabFile[];
  let free: SkabFile | null;
  beforeAll(async () => {
    ({ files, anomalyFree: free } = await loadSkabCorpus(SKAB.dir));
  });

  it('reads 16 files, CRLF, numeric order, with the counts awk finds', () => {
    expect(files.map((f) => f.key)).toEqual(Array.from({ length: 16 }, (_, i) => `valve1/${i}.csv`));
    const first = files[0] as SkabFile;
    expect(first.ts).toHaveLength(1147);
    expect(first.ts[0]).toBe(Date.UTC(2020, 2, 9, 10, 14, 33));
    expect(first.signals['Accelerometer1RMS']?.[0]).toBe(0.0265878);
    expect(first.signals['Volume Flow RateRMS']?.[0]).toBe(32);
    expect(Object.keys(first.signals)).toEqual([...SKAB_SENSORS]);
    const cps = first.changepoint === null ? [] : [...first.changepoint.keys()].filter((i) => first.changepoint?.[i] === 1);
    expect(cps).toEqual([573, 630, 917, 974]);
    let rows = 0;
    let anomalies = 0;
    let changepoints = 0;
    for (const f of files) {
      rows += f.ts.length;
      anomalies += f.anomaly?.reduce((s, v) => s + v, 0) ?? Number.NaN;
      changepoints += f.changepoint?.reduce((s, v) => s + v, 0) ?? Number.NaN;
    }
    expect({ rows, anomalies, changepoints }).toEqual({ rows: 18160, anomalies: 6309, changepoints: 63 });
  });

  it('reads the anomaly-free file without label columns', () => {
    expect(free?.ts).toHaveLength(9405);
    expect(free?.anomaly).toBeNull();
    expect(free?.changepoint).toBeNull();
  });

  it('splits 400 rows train / rest test, and scores the trivial detectors as SKAB defines them', () => {
    const tests = files.map((f) => splitSkab(f).test);
    expect(splitSkab(files[0] as SkabFile).train.ts).toHaveLength(400);
    expect(tests.reduce((s, t) => s + t.ts.length, 0)).toBe(18160 - 16 * 400);
    const perfect = skabBinary(tests.map((t) => ({ truth: t.anomaly ?? [], pred: t.anomaly ?? [] })));
    expect(perfect).toMatchObject({ tp: 6309, fp: 0, fn: 0, f1: 1, farPct: 0, marPct: 0 });
    const none = skabBinary(tests.map((t) => ({ truth: t.anomaly ?? [], pred: new Uint8Array(t.ts.length) })));
    expect(none).toMatchObject({ f1: 0, farPct: 0, marPct: 100 });
    const nullCp = skabNab(tests.map((t) => ({ ts: t.ts, trueCp: t.changepoint ?? [], predCp: new Uint8Array(t.ts.length) })));
    expect(nullCp).toMatchObject({ windows: 63, standard: 0, lowFP: 0, lowFN: 0 });
  });
});

describe('SKAB parser', () => {
  it('rejects a label that is not 0/1', () => {
    expect(() =>
      parseSkab('datetime;' + SKAB_SENSORS.join(';') + ';anomaly;changepoint\r\n2020-01-01 00:00:00;1;1;1;1;1;1;1;1;2;0\r\n', 'bad.csv'),
    ).toThrow(/anomaly is 2/);
  });
});
