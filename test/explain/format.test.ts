import { describe, expect, it } from 'vitest';
import { fmtDuration, fmtRatio, fmtValue, listNames, ratioOf, sentenceCase } from '../../agent/explain/format.js';

describe('shared formatting', () => {
  it('writes durations people read at a glance', () => {
    const cases: Array<[number, string]> = [
      [0, 'under 1 s'],
      [0.4, 'under 1 s'],
      [7, '7 s'],
      [59.6, '1 min'],
      [90, '1 min 30 s'],
      [120, '2 min'],
      [600, '10 min'],
      [7200, '2 h'],
      [7500, '2 h 5 min'],
      [90_000, '1 d 1 h'],
      [Number.NaN, 'under 1 s'],
    ];
    for (const [s, want] of cases) expect(fmtDuration(s), String(s)).toBe(want);
  });

  it('groups thousands and keeps 3 significant digits', () => {
    expect(fmtValue(12_500_000)).toBe('12,500,000');
    expect(fmtValue(-1234.4)).toBe('-1,234');
    expect(fmtValue(0.0031)).toBe('0.0031');
    expect(fmtValue(7.934)).toBe('7.93');
    expect(fmtRatio(125)).toBe('125x');
    expect(fmtRatio(0.0037)).toBe('0.0037x');
    expect(fmtRatio(12_345)).toBe('12,345x');
  });

  it('states a ratio only against a positive baseline and a positive value', () => {
    expect(ratioOf({ ratio: 0.34, value: -7.5, baseline: -22 })).toBeNull();
    expect(ratioOf({ ratio: -2, value: -4, baseline: 2 })).toBeNull();
    expect(ratioOf({ ratio: 3.1, value: 7.9, baseline: 2.5 })).toBe(3.1);
    expect(ratioOf({ ratio: null, value: 7.9, baseline: 2.5 })).toBeNull();
  });

  it('sentence case never changes a name; long lists are counted', () => {
    expect(sentenceCase('agv_17 stayed normal', ['agv_17'])).toBe('agv_17 stayed normal');
    expect(sentenceCase('its edge node went offline', ['agv_17'])).toBe('Its edge node went offline');
    expect(listNames(['a', 'b', 'c', 'd'])).toBe('a, b, c and 1 other signal');
  });
});
