import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../agent/observe/histogram.js';
import { RateLimitedLog } from '../../agent/observe/ratelimit.js';

describe('latency histogram', () => {
  it('gives quantiles within its bucket resolution', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 10_000; i++) h.record(i); // 1..10000 µs uniform
    const s = h.snapshot();
    expect(s.count).toBe(10_000);
    expect(s.max).toBe(10_000);
    expect(Math.abs(s.p50 - 5000) / 5000).toBeLessThan(0.02);
    expect(Math.abs(s.p99 - 9900) / 9900).toBeLessThan(0.02);
    expect(Math.abs(s.p999 - 9990) / 9990).toBeLessThan(0.02);
    expect(h.countBelow(1000)).toBeGreaterThanOrEqual(1000);
    expect(h.countBelow(1000)).toBeLessThanOrEqual(1016);
  });
  it('is exact below 64 µs and ignores NaN', () => {
    const h = new LatencyHistogram();
    h.record(NaN);
    h.record(3.5);
    expect(h.count).toBe(1);
    expect(h.quantile(0.5)).toBe(3.5);
  });
});

describe('rate-limited log', () => {
  it('logs the first, counts the rest, reports them with the next line', () => {
    let now = 0;
    const rl = new RateLimitedLog(1000, () => now);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) rl.maybe('k', (n) => seen.push(n));
    now = 1500;
    rl.maybe('k', (n) => seen.push(n));
    expect(seen).toEqual([0, 4]);
  });
});
