import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinModelDir } from '../../agent/explain/explainer.js';
import { VOCAB } from '../../agent/explain/vocab.js';

describe('closed vocabulary', () => {
  it('holds every word the shipped model can write, and no invented detail', () => {
    const tok = JSON.parse(readFileSync(join(builtinModelDir(), 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } };
    const words = Object.keys(tok.model.vocab).filter((w) => /^\p{L}/u.test(w));
    expect(words.length).toBeGreaterThan(50);
    expect(words.filter((w) => !VOCAB.has(w.toLowerCase()))).toEqual([]);
    for (const w of ['setpoint', 'regular', 'trend', 'around']) expect(VOCAB.has(w)).toBe(false);
  });
});
