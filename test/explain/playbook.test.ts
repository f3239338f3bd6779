import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { explainSection } from '../../agent/config/sections/explain.js';
import { isEdgeError } from '../../agent/errors.js';
import { createExplainer } from '../../agent/explain/explainer.js';
import { checksFor, loadPlaybook, templateCheck, verifyCheck } from '../../agent/explain/playbook.js';
import { alertSchema } from '../../agent/alerts/schema.js';
import type { AlertFacts } from '../../agent/types.js';
import { PUMP_DRIFT } from './fixtures/facts.js';

const pb = loadPlaybook();
const pumpVib: AlertFacts = { ...PUMP_DRIFT, pattern: 'oscillation' };

describe('playbook', () => {
  it('ships defaults for pumps, motors, compressors, valves, fans and heat exchangers', () => {
    for (const kind of ['pump', 'motor', 'compressor', 'valve', 'fan', 'heat exchanger']) {
      expect(checksFor(pb, { ...PUMP_DRIFT, assetKind: kind }).length, kind).toBeGreaterThan(0);
    }
    expect(checksFor(pb, pumpVib)).toEqual(['suction pressure', 'NPSH margin', 'strainer']);
    expect(checksFor(pb, { ...pumpVib, assetKind: 'Pumpe' })).toEqual(['suction pressure', 'NPSH margin', 'strainer']);
    expect(checksFor(pb, { ...pumpVib, assetKind: 'turbine' })).toEqual([]);
    expect(checksFor(pb, { ...pumpVib, assetKind: undefined })).toEqual([]);
  });

  it('reads a site file and refuses a bad one with E_CONFIG naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-'));
    const site = join(dir, 'site.yaml');
    writeFileSync(
      site,
      'version: 1\nkinds:\n  kiln:\n    match: [kiln]\n    rules:\n      - {pattern: "*", signal: [temp], checks: [burner flame, draft]}\n',
    );
    expect(checksFor(loadPlaybook(site), { ...pumpVib, assetKind: 'Kiln', moved: [{ ...pumpVib.moved[0]!, name: 'shell_temp' }] })).toEqual(
      ['burner flame', 'draft'],
    );
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'version: 1\nkinds:\n  kiln:\n    match: [kiln]\n    rules:\n      - {pattern: [cavitation], signal: "*", checks: [x]}\n',
    );
    let err: unknown;
    try {
      loadPlaybook(bad);
    } catch (e) {
      err = e;
    }
    expect(isEdgeError(err) && err.code === 'E_CONFIG' && err.message.includes('bad.yaml')).toBe(true);
  });

  it('accepts only playbook content in the check sentence', () => {
    const items = ['suction pressure', 'NPSH margin', 'strainer'];
    expect(templateCheck(items)).toBe('Check suction pressure, NPSH margin and strainer.');
    expect(verifyCheck(templateCheck(items), items).ok).toBe(true);
    expect(verifyCheck('What to check: suction pressure, NPSH margin and strainer.', items).ok).toBe(true);
    expect(verifyCheck('Check suction pressure and strainer.', items).problems).toEqual(['check "NPSH margin" missing']);
    expect(verifyCheck('Check suction pressure, NPSH margin and strainer for debris.', items).ok).toBe(false);
    expect(verifyCheck('Check the impeller, suction pressure, NPSH margin and strainer.', items).ok).toBe(false);
  });

  it('the explainer adds the check as an additive summary field that the v1 schema accepts', async () => {
    const ex = createExplainer(explainSection.parse({}), pino({ level: 'silent' }));
    const s = await ex.explain(pumpVib);
    expect(s.check).toEqual({
      text: 'Check suction pressure, NPSH margin and strainer.',
      items: ['suction pressure', 'NPSH margin', 'strainer'],
    });
    expect((await ex.explain({ ...pumpVib, state: 'resolved' })).check).toBeUndefined();
    const off = createExplainer(explainSection.parse({ playbook: 'off' }), pino({ level: 'silent' }));
    expect((await off.explain(pumpVib)).check).toBeUndefined();
    expect(alertSchema.shape.summary.safeParse(s).success).toBe(true);
    expect(alertSchema.shape.summary.safeParse({ ...s, check: { ...s.check, extra: 1 } }).success).toBe(false);
  });
});
