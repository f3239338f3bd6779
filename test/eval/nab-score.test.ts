/**
 * The proof that the NAB scorer is NAB's: feed NAB's own stored outputs of two
 * published detectors to it and reproduce the scores NAB gives them
 * (reference/expected_scores.json) for all three profiles. Needs the
 * development subset ($ES_DATASETS/nab); skips on a bare clone.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadNabCorpus,
  loadNabProfiles,
  loadNabReference,
  loadNabWindows,
  type NabCostMatrix,
  type NabFile,
  type NabReferenceFile,
  type NabWindow,
} from '../../agent/eval/nab-data.js';
import { nabScoreDetections, nabSweepProfiles, type NabScoredInput } from '../../agent/eval/nab-score.js';
import { dataset, describeWithDataset } from '../helpers/datasets.js';

// The 41-file development subset and NAB's scores for it (not vendored; see test/fixtures/nab for the bare-clone tests).
const NAB_SET = dataset('nab', 'reference/expected_scores.json');
const NAB = NAB_SET.dir;

interface Expected {
  detectors: Record<string, Record<string, { threshold: number; raw: number; normalized: number }>>;
}

let corpus: NabFile[];
let windows: Map<string, NabWindow[]>;
let profiles: Record<string, NabCostMatrix>;
let expected: Expected;
const reference = new Map<string, NabReferenceFile[]>();

function inputs(detector: string): NabScoredInput[] {
  const files = reference.get(detector) ?? [];
  return files.map((f) => ({
    key: f.key,
    timestamps: f.rows.map((r) => r.ts),
    scores: f.rows.map((r) => r.anomalyScore),
    windows: windows.get(f.key) ?? [],
  }));
}

describeWithDataset(NAB_SET, 'NAB development subset', () => {
  beforeAll(async () => {
    corpus = await loadNabCorpus(NAB);
    windows = await loadNabWindows(NAB);
    profiles = await loadNabProfiles(NAB);
    expected = JSON.parse(await readFile(path.join(NAB, 'reference', 'expected_scores.json'), 'utf8')) as Expected;
    for (const d of Object.keys(expected.detectors)) reference.set(d, await loadNabReference(path.join(NAB, 'reference'), d));
  });

  describe('NAB loaders', () => {
    it('load the 41-file subset with its 69 windows and three profiles', () => {
      expect(corpus).toHaveLength(41);
      let n = 0;
      for (const f of corpus) n += windows.get(f.key)?.length ?? Number.NaN;
      expect(n).toBe(69);
      expect(Object.keys(profiles).sort()).toEqual(['reward_low_FN_rate', 'reward_low_FP_rate', 'standard']);
      expect(profiles['reward_low_FN_rate']).toMatchObject({ tpWeight: 1, fpWeight: 0.11, fnWeight: 2 });
    });

    it('reference outputs cover every data file row for row', () => {
      for (const [detector, files] of reference) {
        expect(
          files.map((f) => f.key),
          detector,
        ).toEqual(corpus.map((f) => f.key));
        for (const f of files) {
          const data = corpus.find((c) => c.key === f.key);
          expect(f.rows.map((r) => r.ts)).toEqual(data?.points.map((p) => p.ts));
          // NAB rewrote the values with fewer digits: equal to ~1e-9, not bit for bit.
          const values = data?.points.map((p) => p.value) ?? [];
          const worst = f.rows.reduce(
            (m, r, i) => Math.max(m, Math.abs(r.value - (values[i] ?? Number.NaN)) / Math.max(1, Math.abs(r.value))),
            0,
          );
          expect(worst).toBeLessThan(1e-9);
        }
      }
    });
  });

  describe('NAB scorer reproduces NAB on its stored detector outputs', () => {
    for (const detector of ['numenta', 'windowedGaussian']) {
      for (const profile of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']) {
        it(`${detector} / ${profile}`, () => {
          const got = nabSweepProfiles(inputs(detector), profiles)[profile];
          const want = expected.detectors[detector]?.[profile];
          expect(want).toBeDefined();
          expect(got).toBeDefined();
          if (got === undefined || want === undefined) return;
          expect(got.windows).toBe(69);
          expect(got.threshold).toBeCloseTo(want.threshold, 4);
          expect(got.raw).toBeCloseTo(want.raw, 3);
          expect(got.normalized).toBeCloseTo(want.normalized, 3);
        });
      }
    }

    it('fixed detections at the swept threshold score exactly what the sweep found', () => {
      const files = inputs('numenta');
      const swept = nabSweepProfiles(files, profiles);
      for (const [profile, res] of Object.entries(swept)) {
        const t = res.threshold ?? Number.NaN;
        const fixed = nabScoreDetections(
          files.map((f) => ({ ...f, detections: Array.from(f.scores, (s) => s >= t) })),
          profiles[profile] as NabCostMatrix,
        );
        expect(fixed.raw, profile).toBeCloseTo(res.raw, 9);
        expect(fixed.tpWindows).toBe(res.tpWindows);
        expect(fixed.fpRows).toBe(res.fpRows);
        expect(fixed.files.reduce((s, f) => s + f.raw, 0)).toBeCloseTo(res.raw, 9);
      }
    });
  });
});
