import { describe, expect, it } from 'vitest';
import { DETECTOR_PROFILES } from '../../agent/detect/detector.js';
import { openReplayRunner, replaySeries } from '../../agent/eval/replay.js';
import { rng } from '../bench/lib/inject.js';

/** Gaussian noise around 10 (sum of 12 uniforms), one row a minute, seeded. */
function noise(seed: number, n: number): { ts: number[]; v: number[] } {
  const r = rng(seed);
  const v = Array.from({ length: n }, () => {
    let s = 0;
    for (let k = 0; k < 12; k++) s += r();
    return 10 + s - 6;
  });
  return { ts: v.map((_, i) => 1_700_000_000_000 + i * 60_000), v };
}

describe('onset threshold: tail fit after the likelihood has warmed up', () => {
  it('the daemon default fits on every learning score; the onset profile skips the first quarter', () => {
    expect(DETECTOR_PROFILES.continuous.tailSkip).toBe(0);
    expect(DETECTOR_PROFILES.onset.tailSkip).toBe(0.25);
  });

  it('a spike early in learning, while the likelihood judges against a handful of scores, no longer inflates the learned threshold', async () => {
    const runner = await openReplayRunner();
    const config = { assets: { defaults: { deadlineMs: 10_000 } } };
    const learned = async (seed: number, spike: number, tailSkip: number): Promise<number> => {
      const { ts, v } = noise(seed, 700);
      v[40]! += spike;
      const res = await replaySeries(
        { ts, signals: { x: v } },
        { learnRows: 600, runner, config, detector: { ...DETECTOR_PROFILES.onset, tailSkip } },
      );
      const first = res.decisions.find((d) => d.phase === 'detecting');
      expect(first).toBeDefined();
      return first!.threshold;
    };
    try {
      // Seeds where the 8σ spike at row 40 (the likelihood's long window then holds ~10 scores) dominated the fit.
      for (const seed of [2, 4]) {
        const clean = await learned(seed, 0, 0);
        const spiked = await learned(seed, 8, 0);
        expect(spiked).toBeGreaterThan(2 * clean);
        // With the warm-up left out, the spike only widens the likelihood's reference distribution: the threshold does not rise.
        expect(await learned(seed, 8, 0.25)).toBeLessThanOrEqual(await learned(seed, 0, 0.25));
      }
    } finally {
      await runner.stop();
    }
  });
});
