import { describe, expect, it } from 'vitest';
import { templateSummary } from '../../agent/explain/template.js';
import type { AlertFacts } from '../../agent/types.js';
import { PUMP_DRIFT } from './fixtures/facts.js';

const base: AlertFacts = PUMP_DRIFT;

describe('templateSummary', () => {
  it('writes the open summary with value, ratio, baseline, duration, steady signals and pattern', () => {
    expect(templateSummary(base)).toBe(
      'Pump P-101 (warning): bearing vibration rose to 7.93 mm/s, 3.1x its learned normal of 2.52 mm/s, over the last 40 s while temperature stayed normal — pattern: gradual drift.',
    );
  });

  it('handles update, a falling signal, a null ratio, no unit and extra moved signals', () => {
    const text = templateSummary({
      ...base,
      state: 'update',
      severity: 'critical',
      durationS: 300,
      moved: [
        { name: 'flow', unit: '', value: 12.5, baseline: 40, ratio: null, z: -8, direction: 'down' },
        { name: 'pressure', unit: 'bar', value: 1.2, baseline: 3, ratio: 0.4, z: -5, direction: 'down' },
      ],
      steady: [],
    });
    expect(text).toBe(
      'Pump P-101 (critical), still abnormal: flow fell to 12.5, against a learned normal of 40, over the last 5 min — pattern: gradual drift. Also pressure fell to 1.2 bar.',
    );
  });

  it('handles resolved alerts and alerts with no moved signal', () => {
    expect(templateSummary({ ...base, state: 'resolved', durationS: 200 })).toBe(
      'Pump P-101: back to normal after 3 min (pattern was gradual drift). bearing vibration is at 7.93 mm/s against a learned normal of 2.52 mm/s.',
    );
    expect(templateSummary({ ...base, assetKind: undefined, severity: 'info', moved: [], pattern: 'unknown' })).toBe(
      'P-101: unclassified deviation detected over the last 40 s, but no single signal stands out from its learned normal.',
    );
  });
});
