import { describe, expect, it } from 'vitest';
import { Downsampler } from '../../agent/history/downsample.js';
import { BoundedRing } from '../../agent/history/ring.js';

describe('BoundedRing', () => {
  it('drop-oldest keeps the newest items and counts every drop', () => {
    const r = new BoundedRing<number>(3, 'drop-oldest');
    let dropped = 0;
    for (let i = 1; i <= 5; i++) dropped += r.push(i);
    expect(dropped).toBe(2);
    expect(r.size).toBe(3);
    expect(r.take(10)).toEqual([3, 4, 5]);
    expect(r.size).toBe(0);
  });

  it('drop-newest keeps the oldest items', () => {
    const r = new BoundedRing<number>(3, 'drop-newest');
    let dropped = 0;
    for (let i = 1; i <= 5; i++) dropped += r.push(i);
    expect(dropped).toBe(2);
    expect(r.take(10)).toEqual([1, 2, 3]);
  });

  it('putBack returns a failed batch to the front, shedding what no longer fits', () => {
    const r = new BoundedRing<number>(4, 'drop-oldest');
    for (let i = 1; i <= 4; i++) r.push(i);
    const batch = r.take(3); // [1,2,3] in flight
    r.push(5);
    r.push(6); // ring: 4,5,6 (one free slot)
    expect(r.putBack(batch)).toBe(2); // only the newest of the batch (3) fits
    expect(r.take(10)).toEqual([3, 4, 5, 6]);
    const n = new BoundedRing<number>(4, 'drop-newest');
    n.push(9);
    n.push(10);
    expect(n.putBack([1, 2, 3])).toBe(1);
    expect(n.take(10)).toEqual([1, 2, 9, 10]);
  });

  it('wraps around many times without growing', () => {
    const r = new BoundedRing<number>(7, 'drop-oldest');
    for (let i = 0; i < 1000; i++) {
      r.push(i);
      if (i % 3 === 0) r.take(2);
    }
    expect(r.size).toBeLessThanOrEqual(7);
    const rest = r.take(7);
    expect(rest[rest.length - 1]).toBe(999);
    expect([...rest].sort((a, b) => a - b)).toEqual(rest);
  });
});

describe('Downsampler', () => {
  it('passes raw samples through when everyMs is 0', () => {
    const d = new Downsampler(0, {});
    expect(d.add({ asset: 'a', signal: 's', value: 1.5, ts: 1000 })).toMatchObject({
      measurement: 'sample',
      fields: { value: 1.5 },
      timestamp: 1000,
    });
  });

  it('emits one mean/min/max point per signal and bucket, per-asset override first', () => {
    const d = new Downsampler(0, { slow: { everyMs: 1000 } });
    const out = [];
    for (let i = 0; i < 25; i++) {
      const p = d.add({ asset: 'slow', signal: 'x', value: i, ts: 10_000 + i * 100 });
      if (p) out.push(p);
    }
    // Buckets [10000,11000) and [11000,12000) closed; [12000,13000) still open.
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({
      timestamp: 10_000,
      fields: { value: 4.5, min: 0, max: 9, n: 10 },
      tags: { asset: 'slow', signal: 'x' },
    });
    expect(out[1]).toMatchObject({ timestamp: 11_000, fields: { value: 14.5, min: 10, max: 19, n: 10 } });
    expect(d.add({ asset: 'fast', signal: 'x', value: 7, ts: 10_000 })).toMatchObject({ fields: { value: 7 } });
    const rest = d.drain();
    expect(rest).toHaveLength(1);
    expect(rest[0]).toMatchObject({ timestamp: 12_000, fields: { value: 22, min: 20, max: 24, n: 5 } });
  });
});
