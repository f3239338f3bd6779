import { describe, expect, it } from 'vitest';
import { AssetWindow, type WindowTuning } from '../../agent/window/aligner.js';

const tuning = (o: Partial<WindowTuning> = {}): WindowTuning => ({ stalenessMs: 1000, lateToleranceMs: 0, clockSkewMs: 60_000, ...o });
const NOW = 1_000_000;

/** Accepts and adds one value (what the pipeline does when no scan has to close first). */
function put(w: AssetWindow, signal: string, value: number, ts: number, at: number): number | string {
  const i = w.accept(signal, value, ts, NOW);
  if (typeof i === 'number') w.add(i, value, ts, at);
  return i;
}

describe('per-asset window', () => {
  it('keeps the last value of every signal and marks stale ones', () => {
    const w = new AssetWindow('A', tuning());
    expect(put(w, 'fast', 1, 100, 100)).toBe(0);
    expect(put(w, 'slow', 10, 100, 100)).toBe(1);
    w.endScan();
    expect(put(w, 'fast', 2, 200, 600)).toBe(0);
    expect(w.isStale(1, 600)).toBe(false);
    expect(w.isStale(1, 1200)).toBe(true);
    expect([...w.values.subarray(0, 2)]).toEqual([2, 10]);
  });

  it('drops duplicates, late, future and non-finite samples with a reason', () => {
    const w = new AssetWindow('A', tuning({ lateToleranceMs: 50, clockSkewMs: 5000 }));
    expect(put(w, 's', 1, 1000, 0)).toBe(0);
    w.endScan();
    expect(put(w, 's', 1, 1000, 1)).toBe('duplicate');
    expect(put(w, 's', 2, 1000, 1)).toBe('duplicate');
    expect(put(w, 's', 3, 960, 2)).toBe(0); // out of order within tolerance: accepted
    expect(w.lastTs[0]).toBe(1000); // time does not move back
    // The open scan already holds a value of s (960): an older one is late, whatever the tolerance.
    expect(put(w, 's', 3, 955, 2)).toBe('late');
    w.endScan();
    expect(put(w, 's', 4, 900, 3)).toBe('late');
    expect(put(w, 's', NaN, 1100, 4)).toBe('nonFinite');
    expect(put(w, 's', Infinity, 1100, 4)).toBe('nonFinite');
  });

  it('rejects a sample from beyond the clock-skew bound without moving the signal clock', () => {
    const w = new AssetWindow('A', tuning({ clockSkewMs: 5000 }));
    expect(put(w, 's', 1, NOW - 10, 0)).toBe(0);
    w.endScan();
    expect(put(w, 's', 2, NOW + 5001, 1)).toBe('future');
    expect(w.lastTs[0]).toBe(NOW - 10);
    // The next good sample is accepted: one bad timestamp does not poison the signal.
    expect(put(w, 's', 3, NOW, 2)).toBe(0);
    expect(put(w, 'new', 1, NOW + 60_000, 3)).toBe('future');
    expect(w.signals).toEqual(['s']); // a future sample does not add a signal either
  });

  it('rejects unknown signals once frozen (after learning)', () => {
    const w = new AssetWindow('A', tuning());
    put(w, 'a', 1, 1, 1);
    w.endScan();
    w.frozen = true;
    expect(put(w, 'b', 1, 2, 2)).toBe('unknownSignal');
    expect(put(w, 'a', 2, 2, 2)).toBe(0);
  });

  it('refuses a signal past maxSignals while learning (signalLimit), and keeps the known ones', () => {
    const w = new AssetWindow('A', tuning());
    w.maxSignals = 2;
    expect(put(w, 'a', 1, 1, 1)).toBe(0);
    expect(put(w, 'b', 1, 1, 1)).toBe(1);
    expect(put(w, 'c', 1, 1, 1)).toBe('signalLimit');
    expect(w.signals).toEqual(['a', 'b']);
  });

  it('grows past its initial capacity', () => {
    const w = new AssetWindow('A', tuning());
    for (let i = 0; i < 9; i++) expect(put(w, `s${i}`, i, 1, 1)).toBe(i);
    expect(w.signals).toHaveLength(9);
    expect(w.values[8]).toBe(8);
    expect(w.fresh[8]).toBe(1);
  });
});

describe('scan assembly in the window', () => {
  it('is complete when every expected signal has a new value; a signal silent for two scans is no longer waited for', () => {
    const w = new AssetWindow('A', tuning());
    for (const s of ['a', 'b', 'c']) put(w, s, 1, 1, 1);
    // The first scan brought new signals: the set is still growing, so it waits for its end, a repeat or the timer.
    expect(w.complete).toBe(false);
    w.endScan();
    put(w, 'a', 2, 2, 2);
    put(w, 'b', 2, 2, 2);
    expect(w.complete).toBe(false); // c is expected
    expect(w.joined).toBe(2);
    w.endScan(); // closed without c (by the timer, say)
    put(w, 'a', 3, 3, 3);
    put(w, 'b', 3, 3, 3);
    expect(w.complete).toBe(false); // c missed one scan: still expected
    w.endScan();
    put(w, 'a', 4, 4, 4);
    put(w, 'b', 4, 4, 4);
    expect(w.complete).toBe(true); // c missed two: a stopped signal no longer holds every scan to its timer
    w.endScan();
    put(w, 'c', 5, 5, 5);
    put(w, 'a', 5, 5, 5);
    put(w, 'b', 5, 5, 5);
    expect(w.complete).toBe(true);
    w.endScan();
    put(w, 'a', 6, 6, 6);
    put(w, 'b', 6, 6, 6);
    expect(w.complete).toBe(false); // c is back, so expected again
    expect(w.seq).toBe(5);
  });

  it('derives the close timer from the learned scan period (1.5 periods, at least 20 ms)', () => {
    const w = new AssetWindow('A', tuning());
    expect(w.closeAt - w.firstAt).toBe(1000); // before the period is known
    let t = 0;
    for (let k = 0; k < 16; k++, t += 20) {
      put(w, 'a', k, t, t);
      put(w, 'b', k, t, t + 0.1);
      w.endScan();
    }
    put(w, 'a', 99, t, t);
    expect(w.closeAt - w.firstAt).toBeCloseTo(30, 1);
    const fixed = new AssetWindow('B', tuning({ scanCloseMs: 3 }));
    put(fixed, 'a', 1, 1, 50);
    expect(fixed.closeAt).toBe(53);
  });
});
