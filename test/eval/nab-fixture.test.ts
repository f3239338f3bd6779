/**
 * NAB loaders, window geometry and scorer bounds on the three NAB files kept in
 * the repository (test/fixtures/nab, MIT): these run on a bare clone. NAB's own
 * `label` column in its stored detector output is the independent truth for
 * which rows our window geometry puts inside a window.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadNabCorpus,
  loadNabProfiles,
  loadNabReference,
  loadNabWindows,
  type NabFile,
  type NabWindow,
} from '../../agent/eval/nab-data.js';
import { nabFileGeometry } from '../../agent/eval/nab-geometry.js';
import { nabScoreDetections } from '../../agent/eval/nab-score.js';

const NAB = path.resolve(import.meta.dirname, '../fixtures/nab');
let corpus: NabFile[];
let windows: Map<string, NabWindow[]>;

beforeAll(async () => {
  corpus = await loadNabCorpus(NAB);
  windows = await loadNabWindows(NAB);
});

describe('NAB fixture (three real NAB files)', () => {
  it('loads the files in key order with their rows, windows and the three profiles', async () => {
    expect(corpus.map((f) => [f.key, f.points.length])).toEqual([
      ['realAWSCloudwatch/iio_us-east-1_i-a2eb1cd9_NetworkIn.csv', 1243],
      ['realAdExchange/exchange-3_cpm_results.csv', 1538],
      ['realKnownCause/rogue_agent_key_hold.csv', 1882],
    ]);
    expect(corpus.map((f) => windows.get(f.key)?.length)).toEqual([2, 1, 2]);
    const profiles = await loadNabProfiles(NAB);
    expect(profiles['standard']).toMatchObject({ tpWeight: 1, fpWeight: 0.11, fnWeight: 1 });
    expect(profiles['reward_low_FN_rate']).toMatchObject({ fnWeight: 2 });
  });

  it("window rows match NAB's own label column, row for row", async () => {
    const ref = await loadNabReference(path.join(NAB, 'reference'), 'numenta');
    expect(ref.map((r) => r.key)).toEqual(corpus.map((f) => f.key));
    for (const file of corpus) {
      const rows = ref.find((r) => r.key === file.key)?.rows ?? [];
      expect(rows.map((r) => r.ts)).toEqual(file.points.map((p) => p.ts));
      const g = nabFileGeometry(
        file.key,
        Float64Array.from(file.points, (p) => p.ts),
        windows.get(file.key) ?? [],
      );
      const ours = Array.from(g.windowOf, (w) => (w >= 0 ? 1 : 0));
      expect(ours, file.key).toEqual(rows.map((r) => r.label));
      expect(ours.some((x) => x === 1)).toBe(true);
    }
  });

  it('a detection on the first row of every window scores 100, none scores 0, every row scores below 0', () => {
    const std = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };
    const input = (pick: (g: ReturnType<typeof nabFileGeometry>, i: number) => boolean) =>
      corpus.map((f) => {
        const ts = Float64Array.from(f.points, (p) => p.ts);
        const w = windows.get(f.key) ?? [];
        const g = nabFileGeometry(f.key, ts, w);
        return { key: f.key, timestamps: ts, windows: w, detections: Array.from(ts, (_, i) => pick(g, i)) };
      });
    const perfect = nabScoreDetections(
      input((g, i) => g.windows.some((w) => w.left === i)),
      std,
    );
    expect(perfect.tpWindows).toBe(5);
    expect(perfect.fpRows).toBe(0);
    expect(perfect.normalized).toBeCloseTo(100, 9);
    expect(
      nabScoreDetections(
        input(() => false),
        std,
      ).normalized,
    ).toBeCloseTo(0, 9);
    expect(
      nabScoreDetections(
        input(() => true),
        std,
      ).normalized,
    ).toBeLessThan(0);
  });
});
