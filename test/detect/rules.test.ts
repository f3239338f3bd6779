import { describe, expect, it } from 'vitest';
import { DETECTOR_PROFILES } from '../../agent/detect/detector.js';
import { SignalState } from '../../agent/detect/features.js';
import { lag1, learnedValues, seasonNovelty, stuckness } from '../../agent/detect/rules.js';
import { findSeason } from '../../agent/detect/season.js';
import { openReplayRunner, replaySeries } from '../../agent/eval/replay.js';
import { makeCase, rng } from '../bench/lib/inject.js';

const feed = (values: number[]): SignalState => {
  const st = new SignalState();
  for (const v of values) st.update(v);
  return st;
};

describe('stuck rule', () => {
  it('counts runs of identical values and remembers the longest', () => {
    const st = feed([1, 2, 2, 2, 3, 3]);
    expect(st.run).toBe(1);
    expect(st.maxRun).toBe(2);
    expect(stuckness([st], [4])).toBe(0.25);
    expect(stuckness([st], [0])).toBe(0);
    expect(stuckness([st], undefined)).toBe(0);
  });

  it('continuous profile: a sensor frozen inside its normal range is flagged on every sample while it stays frozen', async () => {
    const runner = await openReplayRunner();
    try {
      const c = makeCase(11, 'stuck', 0, 600, 80);
      const res = await replaySeries(c, { learnRows: 600, runner, detector: DETECTOR_PROFILES.continuous });
      const inFault = res.detections.slice(c.onset, c.onset + 80);
      const first = inFault.indexOf(1);
      expect(first).toBeGreaterThanOrEqual(0);
      expect(first).toBeLessThan(20);
      // Once the run is long enough, every later frozen sample stays anomalous (the alert lifecycle needs that).
      expect(inFault.slice(first).every((d) => d === 1)).toBe(true);
      const last = res.decisions.slice(c.onset, c.onset + 80).findLast((d) => d.anomalous);
      expect(last?.diagnosis?.pattern).toBe('stuck');
      expect(last?.diagnosis?.signals[0]).toBe('pressure');
      // Before the fault: no stuck alarms on the healthy noisy signals.
      expect(res.detections.slice(600, c.onset).reduce((s, d) => s + d, 0)).toBeLessThan(5);
    } finally {
      await runner.stop();
    }
  });
});

describe('seasonal rule', () => {
  const r = rng(3);
  const noise = (): number => (r() - 0.5) * 0.2;
  const daily = Array.from({ length: 700 }, (_, i) => Math.sin((2 * Math.PI * i) / 96) + noise());

  it('finds the period of a periodic signal from its learning values only', () => {
    const se = findSeason(Float64Array.from(daily));
    expect(se).toBeDefined();
    // The period or a multiple of it (both compare a value with its twin in the cycle).
    const cycles = se!.lag / 96;
    expect(Math.abs(cycles - Math.round(cycles)) * 96).toBeLessThanOrEqual(2);
    expect(Math.round(cycles)).toBeGreaterThanOrEqual(1);
    expect(se!.maxDiff).toBeGreaterThan(0);
  });

  it('finds no season in a ramp, in noise or in a constant', () => {
    expect(findSeason(Float64Array.from({ length: 700 }, (_, i) => i * 0.01 + noise()))).toBeUndefined();
    expect(findSeason(Float64Array.from({ length: 700 }, noise))).toBeUndefined();
    expect(findSeason(new Float64Array(700).fill(5))).toBeUndefined();
  });

  it('flags a missing daily swing whose values stay inside the seen range', () => {
    const st = feed(daily);
    const se = findSeason(Float64Array.from(daily))!;
    const seasons = [{ ...se }];
    // One more normal period: no novelty beyond tolerance.
    let normal = 0;
    for (let i = 700; i < 796; i++) {
      st.update(Math.sin((2 * Math.PI * i) / 96) + noise());
      normal = Math.max(normal, seasonNovelty([st], seasons));
    }
    expect(normal).toBeLessThan(0.5);
    // The swing stops (flat at 0, well inside [-1, 1]): a period later it no longer matches itself.
    let flagged = 0;
    for (let i = 796; i < 840; i++) {
      st.update(0 + noise());
      flagged = Math.max(flagged, seasonNovelty([st], seasons));
    }
    expect(flagged).toBeGreaterThan(0.1);
  });
});

describe('continuous profile', () => {
  it('keeps flagging a long level shift to its end (the baseline follows only normal samples)', async () => {
    const runner = await openReplayRunner();
    try {
      const c = makeCase(21, 'level_shift', 2, 600, 400);
      const res = await replaySeries(c, {
        learnRows: 600,
        runner,
        config: { assets: { defaults: { deadlineMs: 10_000 } } },
        detector: DETECTOR_PROFILES.continuous,
      });
      const tail = res.detections.slice(c.onset + 300, c.onset + 400);
      expect(tail.reduce((s, d) => s + d, 0)).toBeGreaterThanOrEqual(95);
    } finally {
      await runner.stop();
    }
  });
});

describe('slow signals', () => {
  it('a random walk is slow, white noise is not', () => {
    const r = rng(5);
    let x = 0;
    const walk = Float64Array.from({ length: 400 }, () => (x += r() - 0.5));
    const white = Float64Array.from({ length: 400 }, () => r() - 0.5);
    expect(lag1(walk)).toBeGreaterThan(0.75);
    expect(Math.abs(lag1(white))).toBeLessThan(0.3);
    expect(lag1(new Float64Array(10).fill(1))).toBe(0);
  });

  it('learnedValues returns the last values in order, capped by what was seen', () => {
    const st = feed([1, 2, 3, 4, 5]);
    expect([...learnedValues(st, 3)]).toEqual([3, 4, 5]);
    expect([...learnedValues(st, 10)]).toEqual([1, 2, 3, 4, 5]);
  });
});
