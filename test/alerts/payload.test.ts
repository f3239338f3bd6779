/**
 * What the v1 payload says about what moved (issue #13): only the signals the
 * diagnosis lists are reported as moved (no fallback to every signal), and the
 * diagnosis driver (a broken relation, a context) travels in the alert,
 * validated by the strict schema.
 */
import { describe, expect, it } from 'vitest';
import { buildFacts, buildStoredAlert } from '../../agent/alerts/payload.js';
import type { Transition } from '../../agent/alerts/lifecycle.js';
import { alertSchema } from '../../agent/alerts/schema.js';
import { makeConfig } from './helpers.js';

const cfg = makeConfig({});

function transition(diagnosis: Transition['diagnosis']): Transition {
  return {
    state: 'open',
    asset: 'pump-1',
    alertId: 'a1',
    seq: 0,
    firstSeen: 1_700_000_000_000,
    lastSeen: 1_700_000_003_000,
    severity: 'warning',
    score: 30,
    threshold: 20,
    evidence: [
      { signal: 'pressure', value: 4.1, baseline: 5, spread: 0.6, z: -1.5, ratio: 0.82 },
      { signal: 'flow', value: 11.8, baseline: 10, spread: 1.4, z: 1.3, ratio: 1.18 },
    ],
    diagnosis,
  };
}

describe('alert payload: what moved', () => {
  it('a broken relation: no signal is reported as moved, every one as steady, and the driver names the relation', () => {
    const driver = { kind: 'relation' as const, signal: 'pressure', partners: ['flow'], expected: 5.9, z: -31.6 };
    const t = transition({ pattern: 'level_shift', signals: [], confidence: 0.7, driver });
    const facts = buildFacts(t, cfg);
    expect(facts.moved).toEqual([]);
    expect(facts.steady).toEqual(['pressure', 'flow']);
    const stored = buildStoredAlert(t, { text: 'x', source: 'template', model: 'template' }, cfg, {
      site: 's',
      agentId: 'a',
      agentVersion: '1',
    });
    expect(stored.diagnosis.driver).toEqual(driver);
    const wire = { ...stored, sent: new Date(0).toISOString(), replayed: false };
    expect(alertSchema.safeParse(wire).success).toBe(true);
    // The strict schema refuses a driver kind it does not know.
    const bad = { ...wire, diagnosis: { ...wire.diagnosis, driver: { kind: 'vibes' } } };
    expect(alertSchema.safeParse(bad).success).toBe(false);
  });

  it('a moved signal is reported as moved with its direction; the others as steady', () => {
    const t = transition({
      pattern: 'level_shift',
      signals: ['pressure'],
      confidence: 0.7,
      driver: { kind: 'signal', signal: 'pressure', feature: 'value', z: 4 },
    });
    const facts = buildFacts(t, cfg);
    expect(facts.moved.map((m) => [m.name, m.direction])).toEqual([['pressure', 'down']]);
    expect(facts.steady).toEqual(['flow']);
  });
});
