import { describe, expect, it } from 'vitest';
import { classify } from '../../agent/detect/diagnosis.js';
import { ScoreLikelihood, upperTail } from '../../agent/detect/likelihood.js';
import { SpotThreshold } from '../../agent/detect/threshold.js';
import { rng } from '../bench/lib/inject.js';

describe('SPOT threshold fit', () => {
  it('puts the threshold above the learning tail and near the exponential quantile', () => {
    const r = rng(11);
    const xs = Float64Array.from({ length: 5000 }, () => -Math.log(r() + 1e-12)); // Exp(1)
    const t = SpotThreshold.fit(xs, 1e-4);
    // For Exp(1) the 1e-4 upper quantile is ln(1e4) ≈ 9.2; method-of-moments GPD lands near it.
    expect(t.value).toBeGreaterThan(7);
    expect(t.value).toBeLessThan(13);
    expect(SpotThreshold.fit(xs, 1e-4, 3).value).toBe(3);
  });
});

describe('anomaly likelihood', () => {
  it('is ~0 on steady scores and large when scores jump', () => {
    const k = new ScoreLikelihood();
    const r = rng(5);
    let quiet = 0;
    for (let i = 0; i < 500; i++) quiet = Math.max(quiet, i > 100 ? k.update(1 + 0.1 * r()) : (k.update(1 + 0.1 * r()), 0));
    expect(quiet).toBeLessThan(5);
    const jump = k.update(50);
    expect(jump).toBeGreaterThan(5);
    expect(upperTail(0)).toBeCloseTo(0.5, 6);
    expect(upperTail(3)).toBeCloseTo(0.00135, 4);
  });
});

describe('diagnosis on crafted series', () => {
  const view = (vals: number[], stale = false) => ({ recent: Float64Array.from(vals), n: vals.length, baseline: 10, spread: 1, stale });
  const r = rng(9);
  const calm = (n: number) => Array.from({ length: n }, () => 10 + (r() - 0.5));
  it('names each pattern', () => {
    expect(classify(view([...calm(30), 25, ...calm(3)])).pattern).toBe('spike');
    expect(classify(view([...calm(16), ...calm(16).map((v) => v + 8)])).pattern).toBe('level_shift');
    expect(classify(view(calm(32).map((v, i) => v + i * 0.4))).pattern).toBe('drift');
    expect(classify(view(calm(32).map((v, i) => v + 6 * Math.sin((2 * Math.PI * i) / 8)))).pattern).toBe('oscillation');
    expect(classify(view([...calm(20), ...Array<number>(12).fill(10.3)])).pattern).toBe('stuck');
    expect(classify(view([...calm(28), 0, 0, 0, 0])).pattern).toBe('dropout');
    expect(classify(view(calm(10), true)).pattern).toBe('dropout');
    expect(classify(view(calm(32).map((v) => 10 + (v - 10) * 12))).pattern).toBe('variance_change');
  });
});
