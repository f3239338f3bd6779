import { describe, expect, it } from 'vitest';
import { ledger, quantile, type Arrival } from '../bench/fleet/ledger.js';

const arr = (id: string, site: string, asset: string, sentMs: number, arrivedMs: number): Arrival => ({
  id,
  site,
  asset,
  sentMs,
  arrivedMs,
});

describe('fleet bench ledger', () => {
  it('counts lost, duplicated and out-of-order arrivals against what each site decided and published', () => {
    const sites = [
      { site: 's1', decided: ['a', 'b', 'c', 'd'], published: ['a', 'b', 'c', 'b', 'd'] },
      { site: 's2', decided: ['x', 'y'], published: ['x', 'y'] },
    ];
    const arrivals = [
      arr('a', 's1', 'p1', 0, 10),
      arr('c', 's1', 'p2', 0, 20), // before b, which s1 published first: one per-site inversion, not per asset
      arr('b', 's1', 'p1', 0, 30),
      arr('b', 's1', 'p1', 0, 40), // the retry: a duplicate, not an inversion
      arr('y', 's2', 'q', 0, 50),
      arr('x', 's2', 'q', 0, 60), // same asset, reversed: both counts
    ];
    const l = ledger(sites, arrivals);
    expect(l).toMatchObject({ alerts: 6, delivered: 5, lost: 1, lostIds: ['d'], duplicates: 1, outOfOrder: 2, outOfOrderPerAsset: 1 });
    expect(l.deliveryMs).toEqual([10, 20, 30, 50, 60]);
  });

  it('takes the nearest-rank quantile', () => {
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(
      quantile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        0.99,
      ),
    ).toBe(99);
    expect(quantile([], 0.99)).toBeNull();
  });
});
