import { describe, expect, it } from 'vitest';
import { templateSummary } from '../../agent/explain/template.js';
import type { AlertFacts } from '../../agent/types.js';
import { PUMP_DRIFT } from './fixtures/facts.js';

const base: AlertFacts = PUMP_DRIFT;

describe('templateSummary', () => {
  it('writes the open summary with severity, value, ratio, baseline, duration, pattern and steady signals', () => {
    expect(templateSummary(base)).toBe(
      'Pump P-101 (warning): bearing_vibration rose to 7.93 mm/s, 3.1x its learned normal of 2.52 mm/s, for 40 s — pattern: gradual drift. temperature stayed normal.',
    );
  });

  it('handles update, falling signals, no ratio against a negative baseline, no unit, and counts a 4th moved signal', () => {
    const text = templateSummary({
      ...base,
      state: 'update',
      severity: 'critical',
      durationS: 7500,
      moved: [
        { name: 'flow', unit: '', value: 12.5, baseline: 40, ratio: null, z: -8, direction: 'down' },
        { name: 'dp', unit: 'Pa', value: -7.5, baseline: -22, ratio: 0.34, z: -5, direction: 'down' },
        { name: 'speed', unit: 'rpm', value: 12_500_000, baseline: 1500, ratio: 8333, z: 9, direction: 'up' },
        { name: 'temp', unit: 'K', value: 300, baseline: 290, ratio: 1.03, z: 4, direction: 'up' },
      ],
      steady: ['a', 'b', 'c', 'd', 'e'],
    });
    expect(text).toBe(
      'Pump P-101 (critical), still abnormal: flow fell to 12.5, against a learned normal of 40, for 2 h 5 min — pattern: gradual drift. dp also fell to -7.5 Pa, and speed rose to 12,500,000 rpm. 1 more signal moved as well. a, b, c and 2 other signals stayed normal.',
    );
  });

  it('handles resolved alerts in and out of band, a zero duration and alerts with no moved signal', () => {
    expect(templateSummary({ ...base, state: 'resolved', durationS: 7200, moved: [{ ...base.moved[0]!, z: 4.4 }] })).toBe(
      'Pump P-101: alert resolved, it lasted 2 h (pattern was gradual drift). bearing_vibration reads 7.93 mm/s against a learned normal of 2.52 mm/s.',
    );
    expect(templateSummary({ ...base, state: 'resolved', durationS: 0, moved: [{ ...base.moved[0]!, value: 2.6, z: 0.5 }] })).toBe(
      'Pump P-101: alert resolved, it lasted under 1 s (pattern was gradual drift). bearing_vibration is at 2.6 mm/s, near its normal of 2.52 mm/s.',
    );
    expect(templateSummary({ ...base, assetKind: undefined, severity: 'info', moved: [], pattern: 'unknown', steady: [] })).toBe(
      'P-101: unclassified deviation for 40 s, but no single signal stands out from its learned normal.',
    );
  });

  it('never changes a name at the start of a sentence', () => {
    const t = templateSummary({ ...base, asset: 'agv_17', assetKind: undefined, state: 'resolved' });
    expect(t.startsWith('agv_17: alert resolved')).toBe(true);
  });
});
