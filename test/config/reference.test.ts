/**
 * docs/configuration.md carries a reference generated from the zod schema:
 * it must be current (CI runs this), every key must have a description, and
 * the defaults it prints must be the ones the schema really applies.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/load.js';
import { configReference, sectionRows, spliceReference, undocumentedKeys } from '../../agent/config/reference.js';
import { configSchema } from '../../agent/config/schema.js';

const DOC = path.resolve(import.meta.dirname, '../../docs/configuration.md');

describe('configuration reference (docs/configuration.md)', () => {
  it('is current: the committed block equals what npm run docs:config writes', () => {
    const text = readFileSync(DOC, 'utf8');
    expect(spliceReference(text, configReference()) === text, 'docs/configuration.md is stale: run npm run docs:config').toBe(true);
  });

  it('documents every key', () => {
    expect(undocumentedKeys(), 'add .describe() to these keys in agent/config/sections/').toEqual([]);
  });

  it('prints the defaults the schema applies, and every key of every section', () => {
    const cfg = parseConfig({}) as unknown as Record<string, unknown>;
    let checked = 0;
    for (const section of Object.keys(configSchema.shape)) {
      const rows = sectionRows(section);
      expect(rows.length, section).toBeGreaterThan(0);
      for (const r of rows) {
        if (r.key.includes('[]') || r.key.includes('<name>') || !r.default.startsWith('`')) continue;
        const keys = r.key.split('.');
        const parent = keys.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], cfg);
        // Defaults inside an optional object (plant.broker.tls, uplink.broker) apply once that object is given.
        if (parent === undefined) continue;
        const got = (parent as Record<string, unknown>)[keys.at(-1)!];
        const shown = r.default.slice(1, -1);
        expect(typeof got === 'string' && got !== '' ? got : JSON.stringify(got), r.key).toBe(shown);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(60);
  });
});
