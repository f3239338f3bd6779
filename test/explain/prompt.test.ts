import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkPromptTokens, factsPromptTokens, fill, renderPrompt } from '../../agent/explain/prompt.js';
import type { AlertFacts } from '../../agent/types.js';
import { PUMP_DRIFT } from './fixtures/facts.js';

interface FixtureCase {
  facts:
    | { task: 'check'; checks: number }
    | {
        state: AlertFacts['state'];
        severity: AlertFacts['severity'];
        pattern: AlertFacts['pattern'];
        moved: Array<{ direction: 'up' | 'down'; ratio: number | null; inBand: boolean }>;
        steady: string[];
      };
  prompt: string[];
}

const facts: AlertFacts = { ...PUMP_DRIFT, steady: ['temperature', 'oil_temp'] };

describe('facts-v2 prompt', () => {
  it('encodes facts exactly as the Python corpus generator does (fixture from models/lm/gen_corpus.py)', () => {
    const cases = JSON.parse(readFileSync(new URL('./fixtures/prompts.json', import.meta.url), 'utf8')) as FixtureCase[];
    expect(cases.length).toBe(60);
    let checks = 0;
    for (const c of cases) {
      if ('task' in c.facts) {
        expect(checkPromptTokens(c.facts.checks)).toEqual(c.prompt);
        checks++;
        continue;
      }
      const f: AlertFacts = {
        ...facts,
        ...c.facts,
        moved: c.facts.moved.map((m, i) => ({
          name: `s${i}`,
          unit: 'bar',
          value: 2,
          baseline: 1,
          z: m.inBand ? 1 : 5,
          direction: m.direction,
          ratio: m.ratio === null ? null : 2,
        })),
      };
      expect(factsPromptTokens(f)).toEqual(c.prompt);
    }
    expect(checks).toBeGreaterThan(0);
  });

  it('fills placeholders from the facts, keeps names as written and reports unfillable slots', () => {
    const words =
      '<ASSET> : <SIGNAL_1> rose to <VALUE_1> <UNIT_1> ( <RATIO_1> its normal of <BASE_1> <UNIT_1> ) , for <DUR> now . <STEADY> look normal .'.split(
        ' ',
      );
    expect(fill(words, facts)).toEqual({
      text: 'Pump P-101: bearing_vibration rose to 7.93 mm/s (3.1x its normal of 2.52 mm/s), for 40 s now. temperature and oil_temp look normal.',
      unfillable: [],
      used: ['ASSET', 'SIGNAL_1', 'VALUE_1', 'UNIT_1', 'RATIO_1', 'BASE_1', 'UNIT_1', 'DUR', 'STEADY'],
    });
    const bad = fill(['<SIGNAL_1>', '.', '<SIGNAL_2>', 'fell', '.', '<RATIO_1>'], {
      ...facts,
      moved: [{ ...facts.moved[0]!, ratio: null }],
    });
    expect(bad.unfillable).toEqual(['SIGNAL_2', 'RATIO_1']);
    expect(
      fill(['<SIGNAL_1>', 'is', 'at', '<VALUE_1>', '<UNIT_1>', '.'], { ...facts, moved: [{ ...facts.moved[0]!, unit: '' }] }).text,
    ).toBe('bearing_vibration is at 7.93.');
    expect(fill(['check', '<CHECKS>', '.'], facts, ['suction pressure', 'NPSH margin', 'strainer']).text).toBe(
      'Check suction pressure, NPSH margin and strainer.',
    );
  });

  it('renders a bring-your-own prompt template from the facts', () => {
    expect(renderPrompt('[{asset}|{severity}|{pattern}|{duration}|{moved}|{steady}|{nope}]', facts)).toBe(
      '[Pump P-101|warning|gradual drift|40 s|bearing_vibration rose to 7.93 mm/s (normal 2.52 mm/s, 3.1x normal)|temperature and oil_temp|{nope}]',
    );
  });
});
