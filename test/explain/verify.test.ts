import { describe, expect, it } from 'vitest';
import { templateSummary } from '../../agent/explain/template.js';
import { verifySummary } from '../../agent/explain/verify.js';
import type { AlertFacts } from '../../agent/types.js';
import { heldOutFacts } from '../bench/lm/heldout.js';
import { PUMP_DRIFT } from './fixtures/facts.js';

const facts: AlertFacts = {
  ...PUMP_DRIFT,
  moved: [...PUMP_DRIFT.moved, { name: 'motor_current', unit: 'A', value: 11.2, baseline: 14, ratio: 0.8, z: -4, direction: 'down' }],
};
const good =
  'Pump P-101 (warning): bearing_vibration rose to 7.93 mm/s, 3.1x its learned normal of 2.52 mm/s, for 40 s — pattern: gradual drift. motor_current fell to 11.2 A. temperature stayed normal.';
const kinds = (text: string, f: AlertFacts = facts, known: string[] = []): string[] =>
  verifySummary(text, f, known).issues.map((i) => i.kind);

describe('verifySummary accepts correct text about adversarial names', () => {
  it('accepts the reference summary', () => {
    expect(verifySummary(good, facts)).toMatchObject({ ok: true, problems: [] });
  });

  it('asset "7" whose digit also appears in values and durations', () => {
    const f: AlertFacts = {
      ...facts,
      asset: '7',
      assetKind: undefined,
      durationS: 7,
      moved: [{ name: 'level', unit: '', value: 7, baseline: 17.5, ratio: 0.4, z: -7, direction: 'down' }],
      steady: [],
    };
    expect(verifySummary(templateSummary(f), f).problems).toEqual([]);
    expect(templateSummary(f)).toBe('7 (warning): level fell to 7, 0.4x its learned normal of 17.5, for 7 s — pattern: gradual drift.');
    expect(kinds('7 (warning): level fell to 8, 0.4x its learned normal of 17.5, for 7 s — pattern: gradual drift.', f)).toContain(
      'number',
    );
  });

  it('names that contain pattern words, and names sharing a prefix that moved opposite ways', () => {
    const f: AlertFacts = {
      ...facts,
      pattern: 'spike',
      moved: [
        { name: 'temp', unit: '°F', value: 180, baseline: 98, ratio: 1.84, z: 9, direction: 'up' },
        { name: 'temp_2', unit: '°F', value: 40, baseline: 102, ratio: 0.39, z: -8, direction: 'down' },
      ],
      steady: ['flow_variance', 'stuck_count'],
    };
    const t = templateSummary(f);
    expect(verifySummary(t, f).problems).toEqual([]);
    expect(kinds(t.replace('temp_2 fell', 'temp_2 rose'), f)).toContain('direction');
    expect(kinds(t.replace('temp_2 fell', 'temp_2 also fell'), f)).toContain('also');
    expect(kinds(t.replace('sudden spike', 'gradual drift'), f)).toContain('pattern');
  });

  it('a signal named like a pattern word at the start of a pattern phrase ("Level shift" with signal level)', () => {
    const f: AlertFacts = { ...facts, pattern: 'level_shift', moved: [{ ...facts.moved[0]!, name: 'level' }], steady: [] };
    const t = 'Level shift (warning) on Pump P-101: level rose to 7.93 mm/s, 3.1x its learned normal of 2.52 mm/s, for 40 s.';
    expect(verifySummary(t, f).problems).toEqual([]);
    expect(kinds(t.replace(': level rose', ': Level rose'), f)).toContain('name');
  });
});

describe('verifySummary rejects wrong claims', () => {
  it.each([
    ['a wrong number', good.replace('7.93 mm/s', '8.4 mm/s'), 'number'],
    ['a wrong ratio', good.replace('3.1x', '4.2x'), 'ratio'],
    ['a wrong unit', good.replace('7.93 mm/s', '7.93 bar'), 'number'],
    ['a wrong duration unit', good.replace('40 s', '40 min'), 'duration'],
    ['a wrong duration number', good.replace('40 s', '90 s'), 'duration'],
    ['severity left out', good.replace(' (warning)', ''), 'missing'],
    ['a wrong severity', good.replace('(warning)', '(critical)'), 'severity'],
    ['a moved signal left out', good.replace(' motor_current fell to 11.2 A.', ''), 'missing'],
    ['a wrong direction', good.replace('rose to', 'fell to'), 'direction'],
    ['"also" after a signal that went the other way', good.replace('motor_current fell', 'motor_current also fell'), 'also'],
    ['"too" after a signal that went the other way', good.replace('motor_current fell to', 'motor_current is down too, at'), 'also'],
    ['a moved signal said to have stayed normal', good.replace('temperature stayed normal', 'motor_current stayed normal'), 'band'],
    ['a steady signal said to move', good.replace('temperature stayed normal', 'temperature rose'), 'direction'],
    ['a name with its case changed', good.replace('motor_current fell', 'Motor_current fell'), 'name'],
    ['invented detail', good.replace('gradual drift.', 'gradual drift around the setpoint.'), 'vocabulary'],
    ['"still" on a new alert', good.replace('(warning):', '(warning), still abnormal:'), 'state'],
    ['resolved words on an open alert', `${good.slice(0, -1)}, now resolved.`, 'state'],
    ['another pattern', good.replace('gradual drift', 'sudden spike'), 'pattern'],
    ['a sentence starting in lower case', good.replace('Pump P-101', 'pump P-101'), 'grammar'],
    ['a repeated word', good.replace('rose to', 'rose to to'), 'grammar'],
  ])('rejects %s', (_name, text, kind) => {
    expect(kinds(text)).toContain(kind);
  });

  it('rejects a configured signal of another asset', () => {
    expect(kinds(`${good} suction_head stayed normal.`, facts, ['suction_head'])).toContain('name');
  });

  it('checks "near" and "settled" against the normal band on resolved alerts', () => {
    const resolved: AlertFacts = { ...facts, state: 'resolved', moved: [{ ...facts.moved[0]!, z: 4.2 }] };
    const text =
      'Pump P-101: alert resolved, it lasted 40 s (pattern was gradual drift). bearing_vibration is at 7.93 mm/s, near its normal of 2.52 mm/s.';
    expect(kinds(text, resolved)).toEqual(['band']);
    expect(kinds(text.replace('is at', 'has settled at').replace(', near its normal of', ' (normal'), resolved)).toContain('band');
    expect(kinds(text, { ...resolved, moved: [{ ...resolved.moved[0]!, z: 1.2 }] })).toEqual([]);
  });

  it('checks verb agreement with the number of steady signals and the count of more signals', () => {
    const f: AlertFacts = { ...facts, steady: ['temperature', 'oil_temp', 'speed'] };
    const t = good.replace('temperature stayed normal.', 'temperature, oil_temp and speed look normal.');
    expect(kinds(t, f)).toEqual([]);
    expect(kinds(t.replace('look normal', 'looks normal'), f)).toEqual(['agreement']);
    const four: AlertFacts = {
      ...facts,
      moved: [...facts.moved, { ...facts.moved[1]!, name: 'a1' }, { ...facts.moved[1]!, name: 'a2' }, { ...facts.moved[1]!, name: 'a3' }],
    };
    const t4 = templateSummary(four);
    expect(t4).toContain('2 more signals moved as well.');
    expect(kinds(t4, four)).toEqual([]);
    expect(kinds(t4.replace('2 more signals', '3 more signals'), four)).toContain('count');
  });
});

describe('the template always passes the verifier (property test over 3000 held-out facts)', () => {
  const all = heldOutFacts(3000, 99);
  it('passes, and single changes to it are caught', () => {
    let mutated = 0;
    for (const f of all) {
      const t = templateSummary(f);
      expect(verifySummary(t, f).problems, t).toEqual([]);
      const top = f.moved[0];
      if (!top || f.stale || f.state === 'resolved') continue;
      const flip = top.direction === 'up' ? [' rose to ', ' fell to '] : [' fell to ', ' rose to '];
      expect(verifySummary(t.replace(`${top.name}${flip[0]}`, `${top.name}${flip[1]}`), f).ok, t).toBe(false);
      expect(
        verifySummary(t.replace(top.name, top.name.toUpperCase() === top.name ? `${top.name}x` : top.name.toUpperCase()), f).ok,
        t,
      ).toBe(false);
      mutated++;
    }
    expect(mutated).toBeGreaterThan(1000);
  });
});
