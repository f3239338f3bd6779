import { describe, expect, it } from 'vitest';
import { templateSummary } from '../../agent/explain/template.js';
import { verifySummary } from '../../agent/explain/verify.js';
import type { AlertFacts, Pattern } from '../../agent/types.js';
import { PUMP_DRIFT } from './fixtures/facts.js';

const facts: AlertFacts = {
  ...PUMP_DRIFT,
  moved: [...PUMP_DRIFT.moved, { name: 'motor_current', unit: 'A', value: 11.2, baseline: 14, ratio: 0.8, z: -4, direction: 'down' }],
};
const good =
  'Pump P-101 (warning): bearing vibration rose to 7.93 mm/s, 3.1x its learned normal of 2.52 mm/s, over the last 40 s while temperature stayed normal — pattern: gradual drift. Motor current also fell to 11.2 A.';

describe('verifySummary', () => {
  it('accepts a correct summary, and coarser rounding of a fact value', () => {
    expect(verifySummary(good, facts)).toEqual({ ok: true, problems: [] });
    expect(verifySummary('P-101: bearing vibration climbed to 7.9 mm/s over the last 40 s.', facts).ok).toBe(true);
  });

  it.each([
    ['wrong number', good.replace('7.93 mm/s', '8.4 mm/s'), /value 7.93 .* not stated|number 8.4/],
    ['wrong ratio', good.replace('3.1x', '4.2x'), /ratio 4.2x not in facts/],
    ['wrong unit', good.replace('7.93 mm/s', '7.93 bar'), /number 7.93 bar not in facts/],
    ['invented signal', good.replace('temperature stayed', 'oil pressure stayed'), /signal "pressure" is not in the facts/],
    ['missing top signal', 'Pump P-101: something rose to 7.93 mm/s over the last 40 s.', /top signal bearing_vibration not named/],
    ['missing value', 'Pump P-101: bearing vibration rose over the last 40 s.', /value 7.93 .* not stated/],
    ['missing asset', good.replace('Pump P-101 (warning)', 'The machine'), /asset P-101 not named/],
    ['invented asset', `${good} Pump P-102 is fine.`, /number 102|-102/],
    ['wrong direction', good.replace('rose to', 'fell to'), /"fell" of a signal that went up/],
    ['steady signal said to move', good.replace('temperature stayed normal', 'temperature rose'), /"rose" of a signal that went steady/],
    ['other pattern', good.replace('gradual drift', 'sudden spike'), /names pattern spike/],
    ['wrong severity', good.replace('(warning)', '(critical)'), /says critical but severity is warning/],
    ['resolved while open', `${good} The alert cleared.`, /says resolved/],
    ['wrong duration', good.replace('40 s', '90 s'), /number 90 s not in facts/],
    ['unit without its number', good.replace('of 2.52 mm/s', 'of mm/s'), /unit mm\/s without a number/],
    ['repeated word', good.replace('rose to', 'rose to to'), /repeated word/],
    ['broken punctuation', good.replace('(warning):', '(warning)::'), /broken punctuation/],
  ])('rejects %s', (_name, text, problem) => {
    const v = verifySummary(text, facts);
    expect(v.ok).toBe(false);
    expect(v.problems.join('; ')).toMatch(problem);
  });

  it('rejects "near its normal" when the value is far from it', () => {
    const resolved: AlertFacts = { ...facts, state: 'resolved' };
    const text = 'Pump P-101 is back to normal after 40 s. Bearing vibration now reads 7.93 mm/s, near its normal of 2.52 mm/s.';
    expect(verifySummary(text, resolved).problems).toEqual(['says near normal but bearing_vibration is 6.1 sd away']);
    const settled = { ...resolved, moved: [{ ...facts.moved[0]!, value: 2.6, ratio: 1.03, z: 0.4 }] };
    expect(verifySummary(text.replace('7.93', '2.6'), settled).ok).toBe(true);
  });

  it('rejects a configured signal of another asset', () => {
    const v = verifySummary(`${good} Suction head is normal.`, facts, ['suction_head']);
    expect(v.problems).toContain('signal "suction head" is not in the facts');
    // ...but a configured signal named like a pattern word does not trip on the pattern's name.
    const shift = { ...facts, pattern: 'level_shift' as const };
    expect(verifySummary(good.replace('gradual drift', 'level shift'), shift, ['level', 'tank_level']).problems).toEqual([]);
  });

  it('passes every template summary over many fact combinations (the fallback is always valid)', () => {
    const patterns: Pattern[] = ['spike', 'level_shift', 'drift', 'variance_change', 'stuck', 'dropout', 'oscillation', 'unknown'];
    let n = 0;
    for (const state of ['open', 'update', 'resolved'] as const)
      for (const severity of ['info', 'warning', 'critical'] as const)
        for (const pattern of patterns)
          for (const moved of [[], facts.moved.slice(0, 1), facts.moved, [{ ...facts.moved[1]!, unit: '', ratio: null }]]) {
            const f: AlertFacts = { ...facts, state, severity, pattern, moved, durationS: 12 + n * 37 };
            const v = verifySummary(templateSummary(f), f);
            expect(v.problems, templateSummary(f)).toEqual([]);
            n++;
          }
    expect(n).toBe(288);
  });
});
