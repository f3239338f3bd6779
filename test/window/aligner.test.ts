import { describe, expect, it } from 'vitest';
import { AssetWindow } from '../../agent/window/aligner.js';

describe('per-asset window', () => {
  it('aligns signals at different rates and marks stale ones', () => {
    const w = new AssetWindow('A', 1000, 0);
    expect(w.accept('fast', 1, 100, 100)).toBe(0);
    expect(w.accept('slow', 10, 100, 100)).toBe(1);
    expect(w.accept('fast', 2, 200, 600)).toBe(0);
    expect(w.isStale(1, 600)).toBe(false);
    expect(w.isStale(1, 1200)).toBe(true);
    expect(w.staleCount(1200)).toBe(1);
    expect([...w.values.subarray(0, 2)]).toEqual([2, 10]);
  });

  it('drops duplicates, late and non-finite samples with a reason', () => {
    const w = new AssetWindow('A', 1000, 50);
    expect(w.accept('s', 1, 1000, 0)).toBe(0);
    expect(w.accept('s', 1, 1000, 1)).toBe('duplicate');
    expect(w.accept('s', 2, 1000, 1)).toBe('duplicate');
    expect(w.accept('s', 3, 960, 2)).toBe(0); // out of order within tolerance: accepted
    expect(w.lastTs[0]).toBe(1000); // time does not move back
    expect(w.accept('s', 4, 900, 3)).toBe('late');
    expect(w.accept('s', NaN, 1100, 4)).toBe('nonFinite');
    expect(w.accept('s', Infinity, 1100, 4)).toBe('nonFinite');
  });

  it('rejects unknown signals once frozen (after learning)', () => {
    const w = new AssetWindow('A', 1000, 0);
    w.accept('a', 1, 1, 1);
    w.frozen = true;
    expect(w.accept('b', 1, 2, 2)).toBe('unknownSignal');
    expect(w.accept('a', 2, 2, 2)).toBe(0);
  });

  it('grows past its initial capacity', () => {
    const w = new AssetWindow('A', 1000, 0);
    for (let i = 0; i < 9; i++) expect(w.accept(`s${i}`, i, 1, 1)).toBe(i);
    expect(w.signals).toHaveLength(9);
    expect(w.values[8]).toBe(8);
  });
});
